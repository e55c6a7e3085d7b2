package dev.neurolens.model.safetensors;

import java.nio.ByteBuffer;

/** The safetensors element types NeuroLens converts to float32, with their decoders. */
enum DType {
  F32(4),
  F16(2),
  BF16(2);

  final int width;

  DType(int width) {
    this.width = width;
  }

  /** The dtype named {@code name}, or null when NeuroLens cannot convert it. */
  static DType parse(String name) {
    for (DType d : values()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }

  /** Bytes per element of any safetensors dtype, or -1 for an unknown name. */
  static int width(String name) {
    return switch (name) {
      case "F64", "I64", "U64" -> 8;
      case "F32", "I32", "U32" -> 4;
      case "F16", "BF16", "I16", "U16" -> 2;
      case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
      default -> -1;
    };
  }

  /** Decodes {@code n} little-endian elements from {@code buf} (positioned at 0). */
  float[] decode(ByteBuffer buf, int n) {
    float[] out = new float[n];
    switch (this) {
      case F32 -> buf.asFloatBuffer().get(out);
      case F16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = halfToFloat(buf.getShort(2 * i));
        }
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = Float.intBitsToFloat((buf.getShort(2 * i) & 0xffff) << 16);
        }
      }
    }
    return out;
  }

  /** bfloat16 bits -> binary32 (exact: the high half of a float). */
  static float bf16ToFloat(short b) {
    return Float.intBitsToFloat((b & 0xffff) << 16);
  }

  /**
   * binary32 -> binary16 bits when {@code f} is exactly representable (normal or subnormal half),
   * else -1. Signed zeros are kept; infinities and NaN are refused.
   */
  static int floatToHalfExact(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    if ((bits & 0x7fffffff) == 0) {
      return sign;
    }
    int exp = ((bits >>> 23) & 0xff) - 127;
    int mant = bits & 0x7fffff;
    int h;
    if (exp > 15 || exp < -24) {
      return -1;
    } else if (exp >= -14) {
      h = sign | ((exp + 15) << 10) | (mant >>> 13);
    } else {
      h = sign | ((mant | 0x800000) >>> (-exp - 1)); // subnormal half: m * 2^-24
    }
    return Float.floatToRawIntBits(halfToFloat((short) h)) == bits ? h : -1;
  }

  /** IEEE 754 binary16 -> binary32, subnormals, infinities and NaN included. */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}
