package dev.neurolens.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embeddings in Hugging Face Llama's "rotate_half" convention: the head vector's
 * first half and second half form the pairs (x_i, x_{i + dh/2}) rotated by angle
 * {@code (p / factor) * theta^(-2i/dh)}, i < dh/2, at position p (linear rope scaling divides
 * positions by the factor). Not the interleaved-pairs convention of the original paper.
 *
 * <p>Shapes: T tokens, dh head width.
 */
public final class Rotary {
  private Rotary() {}

  /**
   * The angle table (T, dh/2) in double: {@code angle[p][i] = (p / factor) / theta^(2i / dh)}.
   */
  public static double[][] angles(int t, int headDim, double theta, double factor) {
    int half = headDim / 2;
    double[][] a = new double[t][half];
    for (int i = 0; i < half; i++) {
      double invFreq = 1 / Math.pow(theta, 2.0 * i / headDim);
      for (int p = 0; p < t; p++) {
        a[p][i] = (p / factor) * invFreq;
      }
    }
    return a;
  }

  /** cos and sin tables (T, dh), each angle repeated for both halves: [cos, sin]. */
  static NDArray[] tables(NDManager manager, int t, int headDim, double theta, double factor) {
    double[][] a = angles(t, headDim, theta, factor);
    int half = headDim / 2;
    float[] cos = new float[t * headDim];
    float[] sin = new float[t * headDim];
    for (int p = 0; p < t; p++) {
      for (int i = 0; i < half; i++) {
        float c = (float) Math.cos(a[p][i]);
        float s = (float) Math.sin(a[p][i]);
        cos[p * headDim + i] = c;
        cos[p * headDim + half + i] = c;
        sin[p * headDim + i] = s;
        sin[p * headDim + half + i] = s;
      }
    }
    return new NDArray[] {manager.create(cos, new Shape(t, headDim)), manager.create(sin, new Shape(t, headDim))};
  }

  /**
   * Rotates every head vector by its position: {@code x cos + rotate_half(x) sin}, with
   * {@code rotate_half([a, b]) = [-b, a]}: (B, H, T, dh) -> (B, H, T, dh).
   */
  static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
    long dh = x.getShape().get(3);
    NDList halves = x.split(2, 3); // two (B, H, T, dh/2)
    NDArray rotated = NDArrays.concat(new NDList(halves.get(1).neg(), halves.get(0)), 3);
    return x.mul(cos).addi(rotated.muli(sin));
  }
}
