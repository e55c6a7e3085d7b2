package dev.neurolens.redundancy;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.util.NeuroLensException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The sufficient statistics of neuron correlation and layer CKA over a set of rows, mergeable
 * across disjoint row sets: the row count, the column means and the centred cross-product of every
 * pair of layers (the statistics {@link CrossProducts} streams for {@link LayerSimilarity}).
 *
 * <p>Rows can be split anywhere — over chunks, partitions or machines — and the partial statistics
 * merged in any order ({@link #merge}, Chan et al.'s pairwise update), which is what a distributed
 * tree aggregation needs; the result equals one pass over all rows up to rounding. Finishing gives
 * the same numbers as the single-machine classes: {@link #similarity()} is {@link
 * LayerSimilarity#within}, {@link #correlation(int)} is {@link NeuronCorrelation#compute} on one
 * layer's columns.
 *
 * <p>Memory: L(L+1)/2 blocks of D x D doubles (107 MB for 13 layers x 384; pass fewer layers for
 * wide models), plus L·D means. Serializable so that a distributed engine can ship partial results.
 *
 * <p>Usage: {@code LayerStatistics.of(chunkA, 13, 384).merge(LayerStatistics.of(chunkB, 13, 384)).similarity()}
 */
public final class LayerStatistics implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int layers;
  private final int hidden;
  private final long n;
  private final double[] means;
  private final double[][] products;

  private LayerStatistics(int layers, int hidden, long n, double[] means, double[][] products) {
    this.layers = layers;
    this.hidden = hidden;
    this.n = n;
    this.means = means;
    this.products = products;
  }

  /** No rows yet: the neutral element of {@link #merge}. */
  public static LayerStatistics empty(int layers, int hidden) {
    checkShape(layers, hidden);
    int pairs = layers * (layers + 1) / 2;
    double[][] p = new double[pairs][];
    for (int i = 0; i < pairs; i++) {
      p[i] = new double[hidden * hidden];
    }
    return new LayerStatistics(layers, hidden, 0, new double[layers * hidden], p);
  }

  /**
   * The statistics of all rows of {@code m}.
   *
   * @param m N x (L * D) activations, layer-major columns
   */
  public static LayerStatistics of(ActivationMatrix m, int layers, int hidden) {
    checkShape(layers, hidden);
    if (m.cols() != layers * hidden) {
      throw new NeuroLensException(
          "activations: " + m.cols() + " columns, expected " + layers + " layers x " + hidden);
    }
    if (m.rows() == 0) {
      return empty(layers, hidden);
    }
    CrossProducts.Result r = CrossProducts.accumulate(
        List.of(new CrossProducts.Source(m, IntStream.range(0, layers * hidden).toArray())),
        LayerSimilarity.layerBlocks(0, layers, hidden), LayerSimilarity.withinPairs(layers));
    return new LayerStatistics(layers, hidden, r.n(), r.means()[0], r.products());
  }

  /** The statistics of the rows of both (disjoint row sets of the same layers and width). */
  public LayerStatistics merge(LayerStatistics other) {
    if (other.layers != layers || other.hidden != hidden) {
      throw new IllegalArgumentException("LayerStatistics: cannot merge " + layers + " x " + hidden
          + " with " + other.layers + " x " + other.hidden);
    }
    CrossProducts.Result r = CrossProducts.merge(result(), other.result(),
        LayerSimilarity.layerBlocks(0, layers, hidden), LayerSimilarity.withinPairs(layers));
    return new LayerStatistics(layers, hidden, r.n(), r.means()[0], r.products());
  }

  /** N, the rows summed so far. */
  public long rows() {
    return n;
  }

  /** L. */
  public int layers() {
    return layers;
  }

  /** D. */
  public int hidden() {
    return hidden;
  }

  /** Linear CKA and best-match correlation of every pair of layers, as {@link LayerSimilarity#within}. */
  public LayerSimilarityResult similarity() {
    requireRows();
    return LayerSimilarity.within(result(), layers, hidden);
  }

  /**
   * The Pearson correlation of every pair of neurons of layer position {@code layer} (0..L-1), as
   * {@link NeuronCorrelation#compute}; feature ids are {@code featureOffset + index}.
   */
  public CorrelationMatrix correlation(int layer, int featureOffset) {
    requireRows();
    if (layer < 0 || layer >= layers) {
      throw new NeuroLensException("layer: " + layer + " outside [0, " + layers + ")");
    }
    double[] m = new double[hidden];
    System.arraycopy(means, layer * hidden, m, 0, hidden);
    CrossProducts.Result r = new CrossProducts.Result(n, new double[][] {m},
        new double[][] {products[LayerSimilarity.pairIndex(layers, layer, layer)]});
    List<CrossProducts.Block> one = new ArrayList<>(List.of(new CrossProducts.Block(0, 0, hidden)));
    return NeuronCorrelation.fromProducts(
        IntStream.range(0, hidden).map(i -> featureOffset + i).toArray(), one, r);
  }

  private CrossProducts.Result result() {
    return new CrossProducts.Result(n, new double[][] {means}, products);
  }

  private void requireRows() {
    if (n < 2) {
      throw new NeuroLensException("activations: correlation and CKA need at least 2 rows, found " + n);
    }
  }

  private static void checkShape(int layers, int hidden) {
    if (layers <= 0 || hidden <= 0) {
      throw new NeuroLensException(
          "layers and hidden size must be positive, found " + layers + " x " + hidden);
    }
  }
}
