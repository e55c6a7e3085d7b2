package dev.neurolens.model;

import ai.djl.ndarray.NDArray;

/** Test helpers to read NDArrays as plain Java arrays. */
final class Arrays3 {
  private Arrays3() {}

  /** (B, T, W) -> float[B][T][W]. */
  static float[][][] of(NDArray a) {
    long[] s = a.getShape().getShape();
    float[] flat = a.toFloatArray();
    int b = (int) s[0];
    int t = (int) s[1];
    int w = (int) s[2];
    float[][][] out = new float[b][t][w];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < t; j++) {
        System.arraycopy(flat, (i * t + j) * w, out[i][j], 0, w);
      }
    }
    return out;
  }

  /** Largest |a - b| over the first {@code rows} rows of a (T, W) pair. */
  static double maxDiff(float[][] a, double[][] b, int rows) {
    double m = 0;
    for (int j = 0; j < rows; j++) {
      for (int k = 0; k < b[j].length; k++) {
        m = Math.max(m, Math.abs(a[j][k] - b[j][k]));
      }
    }
    return m;
  }

  static double maxDiff(float[][] a, float[][] b, int rows) {
    double m = 0;
    for (int j = 0; j < rows; j++) {
      for (int k = 0; k < b[j].length; k++) {
        m = Math.max(m, Math.abs(a[j][k] - b[j][k]));
      }
    }
    return m;
  }
}
