package dev.neurolens.redundancy;

import java.util.Arrays;

/**
 * The Pearson correlation of every pair of D' selected neurons (a symmetric D' x D' matrix, float),
 * with the original feature ids of the neurons and the list of constant (zero-variance) ones.
 *
 * <p>Not a record because the matrix is large (D'^2 floats): it is kept once, read by {@link #get}.
 * Constant neurons have r = 0 with every other neuron and r = 1 with themselves.
 *
 * <p>Usage: {@code CorrelationMatrix r = NeuronCorrelation.compute(x); float r01 = r.get(0, 1)}
 */
public final class CorrelationMatrix {
  private final int[] features;
  private final float[] r;
  private final int[] constant;
  private final long rows;

  /**
   * @param features original feature id of each of the D' neurons (layer * D + index)
   * @param r row-major D' x D' correlations; not copied (package-private constructor)
   * @param constant positions (0..D'-1) of zero-variance neurons, ascending
   * @param rows N, the number of rows the statistics were computed over
   */
  CorrelationMatrix(int[] features, float[] r, int[] constant, long rows) {
    if ((long) features.length * features.length != r.length) {
      throw new IllegalArgumentException(
          "r has " + r.length + " entries, expected " + features.length + "^2");
    }
    this.features = features.clone();
    this.r = r;
    this.constant = constant.clone();
    this.rows = rows;
  }

  /** D', the number of neurons. */
  public int size() {
    return features.length;
  }

  /** N, the number of rows the correlations were computed over. */
  public long rows() {
    return rows;
  }

  /** r between the neurons at positions {@code i} and {@code j} (0..D'-1). */
  public float get(int i, int j) {
    return r[i * features.length + j];
  }

  /** Original feature id (layer * D + index) of the neuron at position {@code i}. */
  public int feature(int i) {
    return features[i];
  }

  /** Original feature ids of all positions. */
  public int[] features() {
    return features.clone();
  }

  /** Positions of the constant (zero-variance) neurons, ascending. */
  public int[] constantPositions() {
    return constant.clone();
  }

  /** Original feature ids of the constant neurons, ascending by position. */
  public int[] constantFeatures() {
    return Arrays.stream(constant).map(i -> features[i]).toArray();
  }

  /** The raw row-major array (shared, not copied): for the clustering in this package. */
  float[] values() {
    return r;
  }
}
