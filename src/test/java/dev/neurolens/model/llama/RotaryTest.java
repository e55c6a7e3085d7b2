package dev.neurolens.model.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** Rotary embeddings against rotations worked out by hand. */
class RotaryTest {
  @Test
  void angles_theta10000_positionTimesInverseFrequency() {
    double[][] a = Rotary.angles(3, 4, 10_000, 1);
    assertArrayEquals(new double[] {0, 0}, a[0], 0);
    assertArrayEquals(new double[] {1, 0.01}, a[1], 1e-15); // 10000^(-2/4) = 1/100
    assertArrayEquals(new double[] {2, 0.02}, a[2], 1e-15);
    assertArrayEquals(Rotary.angles(3, 4, 10_000, 1)[1], Rotary.angles(3, 4, 10_000, 2)[2], 1e-15);
  }

  @Test
  void apply_oneHeadOfWidth4_rotatesPairsOfHalves() {
    try (NDManager m = NDManager.newBaseManager()) {
      // (B 1, H 1, T 2, dh 4): the same vector at positions 0 and 1
      NDArray x = m.create(new float[] {1, 2, 3, 4, 1, 2, 3, 4}, new Shape(1, 1, 2, 4));
      NDArray[] cs = Rotary.tables(m, 2, 4, 10_000, 1);
      float[] y = Rotary.apply(x, cs[0], cs[1]).toFloatArray();
      assertArrayEquals(new float[] {1, 2, 3, 4}, java.util.Arrays.copyOf(y, 4), 1e-6f, "position 0 unrotated");
      // position 1: pair (x0, x2) = (1, 3) turns by 1 rad, pair (x1, x3) = (2, 4) by 0.01 rad
      double c1 = Math.cos(1);
      double s1 = Math.sin(1);
      double c2 = Math.cos(0.01);
      double s2 = Math.sin(0.01);
      assertEquals(1 * c1 - 3 * s1, y[4], 1e-6);
      assertEquals(2 * c2 - 4 * s2, y[5], 1e-6);
      assertEquals(3 * c1 + 1 * s1, y[6], 1e-6);
      assertEquals(4 * c2 + 2 * s2, y[7], 1e-6);
    }
  }
}
