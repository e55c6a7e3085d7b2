package dev.neurolens.probe;

import dev.neurolens.activation.DenseActivations;
import java.util.Random;

/** Synthetic activations with a known answer, for tests of probes, rankings and ablation. */
public final class Synthetic {
  /** N x F activations. */
  public final DenseActivations x;
  /** Class id per row. */
  public final int[] labels;
  /** planted[c] = the feature that carries class c. */
  public final int[] planted;

  private Synthetic(DenseActivations x, int[] labels, int[] planted) {
    this.x = x;
    this.labels = labels;
    this.planted = planted;
  }

  /**
   * Gaussian noise N(0, 1) everywhere; row i gets a random class c and feature planted[c] gets
   * {@code +signal}. The planted features are spread over the feature range.
   */
  public static Synthetic planted(int n, int f, int c, float signal, long seed) {
    Random r = new Random(seed);
    int[] planted = new int[c];
    for (int k = 0; k < c; k++) {
      planted[k] = (k * 7 + 3) % f;
    }
    float[] data = new float[n * f];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = r.nextInt(c);
      for (int j = 0; j < f; j++) {
        data[i * f + j] = (float) r.nextGaussian();
      }
      data[i * f + planted[labels[i]]] += signal;
    }
    return new Synthetic(new DenseActivations(data, n, f), labels, planted);
  }

  /** Row ids from..to-1. */
  public static int[] range(int from, int to) {
    int[] ids = new int[to - from];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = from + i;
    }
    return ids;
  }
}
