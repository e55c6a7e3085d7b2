package dev.neurolens.activation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HalfTest {

  private static int bits(float f) {
    return Half.fromFloat(f) & 0xffff;
  }

  @Test
  void fromFloat_knownValues_matchIeeeBitPatterns() {
    assertEquals(0x0000, bits(0f));
    assertEquals(0x8000, bits(-0f));
    assertEquals(0x3c00, bits(1f));
    assertEquals(0xc000, bits(-2f));
    assertEquals(0x3800, bits(0.5f));
    assertEquals(0x7bff, bits(65504f));
    assertEquals(0x0400, bits(0x1p-14f)); // smallest normal
    assertEquals(0x0001, bits(0x1p-24f)); // smallest subnormal
    assertEquals(0x03ff, bits(0x1p-14f - 0x1p-24f)); // largest subnormal
    assertEquals(0x2e66, bits(0.1f));
    assertEquals(0x3555, bits(1f / 3f));
    assertEquals(0x4248, bits(3.140625f));
    assertEquals(0x7c00, bits(Float.POSITIVE_INFINITY));
    assertEquals(0xfc00, bits(Float.NEGATIVE_INFINITY));
    assertEquals(0x7c00, bits(65520f)); // halfway to 65536: rounds to infinity
    assertEquals(0x7bff, bits(65519.99f));
    assertEquals(0x7c00, bits(1e10f));
    assertEquals(0x0000, bits(0x1p-25f)); // tie between 0 and 2^-24: even is 0
    assertEquals(0x0001, bits(0x1.000002p-25f));
    assertEquals(0x0002, bits(0x1.8p-24f)); // tie between 1 and 2 subnormal units: even is 2
  }

  @Test
  void fromFloat_ties_roundToEven() {
    assertEquals(0x3c00, bits(1f + 0x1p-11f)); // tie between 0x3c00 and 0x3c01
    assertEquals(0x3c02, bits(1f + 3 * 0x1p-11f)); // tie between 0x3c01 and 0x3c02
    assertEquals(0x3c01, bits(1f + 0x1p-11f + 0x1p-20f)); // just above the tie
    assertEquals(0x4000, bits(2f - 0x1p-12f)); // mantissa carry into the exponent
  }

  @Test
  void fromFloat_nan_staysNan() {
    short h = Half.fromFloat(Float.NaN);
    assertEquals(0x7c00, h & 0x7c00);
    assertTrue((h & 0x3ff) != 0);
    assertTrue(Float.isNaN(Half.toFloat(h)));
  }

  @Test
  void toFloat_knownPatterns_giveExactValues() {
    assertEquals(1f, Half.toFloat((short) 0x3c00));
    assertEquals(-2f, Half.toFloat((short) 0xc000));
    assertEquals(65504f, Half.toFloat((short) 0x7bff));
    assertEquals(0x1p-24f, Half.toFloat((short) 0x0001));
    assertEquals(0x1p-14f, Half.toFloat((short) 0x0400));
    assertEquals(0.0999755859375f, Half.toFloat((short) 0x2e66));
    assertEquals(Float.NEGATIVE_INFINITY, Half.toFloat((short) 0xfc00));
    assertEquals(0x8000_0000, Float.floatToRawIntBits(Half.toFloat((short) 0x8000)));
  }

  @Test
  void roundTrip_everyHalfPattern_isIdentity() {
    for (int h = 0; h < 0x10000; h++) {
      boolean nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0;
      if (!nan) {
        assertEquals(h, bits(Half.toFloat((short) h)), "pattern " + Integer.toHexString(h));
      }
    }
  }

  @Test
  void fromFloat_randomFloats_giveTheNearestHalf() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      float f = (float) ((rnd.nextDouble() - 0.5) * Math.pow(2, rnd.nextInt(-30, 17)));
      int h = bits(f);
      double err = Math.abs(Half.toFloat((short) h) - (double) f);
      // the neighbouring patterns (same sign) must not be strictly closer
      for (int d : new int[] {-1, 1}) {
        int n = (h & 0x7fff) + d;
        if (n < 0 || n > 0x7bff) {
          continue;
        }
        double other = Math.abs(Half.toFloat((short) ((h & 0x8000) | n)) - (double) f);
        assertTrue(err <= other, "f=" + f + " got " + Integer.toHexString(h));
      }
    }
  }

  /**
   * Extraction takes float16 rows from PyTorch's conversion (vectorised) for float16 stores: its
   * bits must be ours for every finite float16 outcome: ties, subnormals, the overflow boundary,
   * signed zeros, and random values over the whole range (NaN excluded: those stores stop first).
   */
  @Test
  void pytorchConversion_finiteValues_sameBitsAsFromFloat() {
    SplittableRandom rnd = new SplittableRandom(8);
    float[] v = new float[100_003]; // not a multiple of the vector width: the scalar tail too
    float[] edges = {0f, -0f, 1f + 0x1p-11f, 1f + 3 * 0x1p-11f, 65504f, 65519.996f, 65520f, -65520f, 1e9f,
        0x1p-14f, 0x1p-24f, 0x1p-25f, 0x1.8p-25f, 0x1p-26f, -0x1p-24f, 6.1e-5f, 5.96e-8f, Float.MIN_VALUE,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    System.arraycopy(edges, 0, v, 0, edges.length);
    for (int i = edges.length; i < v.length; i++) {
      v[i] = (float) ((rnd.nextDouble() - 0.5) * Math.pow(2, rnd.nextInt(-30, 17)));
    }
    try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
      java.nio.ShortBuffer native16 = m.create(v).toType(ai.djl.ndarray.types.DataType.FLOAT16, false)
          .toByteBuffer(true).order(java.nio.ByteOrder.nativeOrder()).asShortBuffer();
      for (int i = 0; i < v.length; i++) {
        assertEquals(bits(v[i]), native16.get(i) & 0xffff, "value " + v[i] + " (index " + i + ")");
      }
    }
  }
}
