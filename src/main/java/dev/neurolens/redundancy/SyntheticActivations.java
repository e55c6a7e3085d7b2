package dev.neurolens.redundancy;

import dev.neurolens.activation.ActivationMatrix;

/**
 * A deterministic synthetic N x (L * D) activation matrix with realistic redundancy, generated on
 * the fly (never held in memory): for benchmarks and tests of the streaming machinery.
 *
 * <p>Row n draws G latent factors z. Neuron (l, i) of layer 0 is {@code w_i z[g(i)] + noise};
 * neuron (l, i) of layer l > 0 is {@code carry · (l-1, i) + w z[g_l(i)] + noise}, a residual
 * stream in which groups of neurons share a factor, so correlation clusters exist within and
 * across layers. Each row is a pure function of (seed, n), so chunks can be read in any order.
 *
 * <p>Usage: {@code ActivationMatrix x = new SyntheticActivations(10_000, 13, 384, 32, 7)}
 */
public final class SyntheticActivations implements ActivationMatrix {
  private final int rows;
  private final int layers;
  private final int hidden;
  private final int factors;
  private final long seed;
  private final int[] group;
  private final float[] weight;

  /**
   * @param factors G, the number of shared latent factors (fewer factors = more redundancy)
   */
  public SyntheticActivations(int rows, int layers, int hidden, int factors, long seed) {
    if (rows < 0 || layers <= 0 || hidden <= 0 || factors <= 0) {
      throw new IllegalArgumentException(
          "rows, layers, hidden, factors must be positive, found " + rows + ", " + layers + ", " + hidden + ", " + factors);
    }
    this.rows = rows;
    this.layers = layers;
    this.hidden = hidden;
    this.factors = factors;
    this.seed = seed;
    int f = layers * hidden;
    this.group = new int[f];
    this.weight = new float[f];
    long s = mix(seed ^ 0x5DEECE66DL);
    for (int j = 0; j < f; j++) {
      s = mix(s + j);
      group[j] = (int) Long.remainderUnsigned(s, factors);
      s = mix(s);
      weight[j] = (float) (0.5 + 1.5 * ((s >>> 11) * 0x1.0p-53)) * ((s & 1) == 0 ? 1 : -1);
    }
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int cols() {
    return layers * hidden;
  }

  @Override
  public void read(int rowStart, int rowCount, float[] dst) {
    if (rowStart < 0 || rowCount < 0 || rowStart + rowCount > rows) {
      throw new IndexOutOfBoundsException(
          "rows [" + rowStart + ", " + (rowStart + rowCount) + ") outside [0, " + rows + ")");
    }
    float[] z = new float[factors];
    int f = cols();
    for (int r = 0; r < rowCount; r++) {
      long s = mix(seed * 0x9E3779B97F4A7C15L + rowStart + r);
      for (int k = 0; k < factors; k++) {
        s = next(s);
        z[k] = uniformPair(s);
      }
      int base = r * f;
      for (int j = 0; j < f; j++) {
        s = next(s);
        float v = weight[j] * z[group[j]] + 0.35f * uniformPair(s);
        if (j >= hidden) {
          v += 0.7f * dst[base + j - hidden];
        }
        dst[base + j] = v;
      }
    }
  }

  /** Sum of two uniforms in [-1, 1) taken from the two halves of {@code s}: a cheap noise draw. */
  private static float uniformPair(long s) {
    float a = (int) s * 0x1.0p-31f;
    float b = (int) (s >>> 32) * 0x1.0p-31f;
    return a + b;
  }

  private static long next(long s) {
    s ^= s << 13;
    s ^= s >>> 7;
    s ^= s << 17;
    return s;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return (z ^ (z >>> 31)) | 1L;
  }
}
