package dev.neurolens.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class TensorsTest {
  @Test
  void writeRowsAndRead_roundTripThroughTheTensor() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray t = m.zeros(new Shape(4, 3));
      Tensors.writeRows(t, 1, new float[] {1, 2, 3, 4, 5, 6, 99}, 2); // a longer buffer: only 2 rows
      assertArrayEquals(new float[] {0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 0, 0}, t.toFloatArray());
      float[] all = new float[12];
      for (int i = 0; i < all.length; i++) {
        all[i] = i * 0.5f;
      }
      Tensors.write(t, all);
      assertArrayEquals(all, t.toFloatArray());
      float[] back = new float[12];
      Tensors.read(t.mul(2), back);
      for (int i = 0; i < back.length; i++) {
        all[i] *= 2;
      }
      assertArrayEquals(all, back);
    }
  }
}
