package dev.neurolens.activation;

/**
 * IEEE 754 binary16 ("half") conversion, written here because {@code Float.float16ToFloat} needs
 * Java 20. Float to half rounds to nearest, ties to even; overflow gives infinity; NaN stays NaN
 * (quiet, keeping the top payload bits). Public for the float16 columns of the Spark module.
 */
public final class Half {
  private Half() {}

  /** Every half bit pattern's float value (256 KiB): one load instead of a branchy decode. */
  private static final float[] TABLE = new float[1 << 16];

  static {
    for (int h = 0; h < TABLE.length; h++) {
      TABLE[h] = decode((short) h);
    }
  }

  /** The float value of the half-precision bit pattern {@code h}. */
  public static float toFloat(short h) {
    return TABLE[h & 0xffff];
  }

  /** {@link #toFloat} computed from the bits; fills the table once. */
  private static float decode(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0) {
      // zero or subnormal: mant * 2^-24, exact in float
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** The nearest half-precision bit pattern to {@code f} (round half to even). */
  public static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7fffffff;
    if (abs >= 0x7f800000) {
      // infinity, or NaN (force a quiet NaN so that the payload cannot become zero)
      return (short) (sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 | ((abs >>> 13) & 0x3ff) : 0));
    }
    if (abs >= 0x477ff000) {
      // >= 65520 = halfway between 65504 (largest half) and 65536: rounds to infinity
      return (short) (sign | 0x7c00);
    }
    if (abs >= 0x38800000) {
      // normal half: rebias the exponent (127 - 15 = 112), round the mantissa 23 -> 10 bits;
      // a carry out of the mantissa correctly increments the exponent
      int e = abs - 0x38000000;
      int rounded = e + 0xfff + ((e >>> 13) & 1);
      return (short) (sign | (rounded >>> 13));
    }
    if (abs <= 0x33000000) {
      // <= 2^-25 (half of the smallest subnormal): rounds to (signed) zero, ties to even
      return (short) sign;
    }
    // subnormal half: value / 2^-24 = mant * 2^(exp - 126), shift by 14..24 bits
    int exp = abs >>> 23;
    int mant = (abs & 0x7fffff) | 0x800000;
    int shift = 126 - exp;
    int h = mant >>> shift;
    int rem = mant & ((1 << shift) - 1);
    int halfway = 1 << (shift - 1);
    if (rem > halfway || (rem == halfway && (h & 1) == 1)) {
      h++;
    }
    return (short) (sign | h);
  }
}
