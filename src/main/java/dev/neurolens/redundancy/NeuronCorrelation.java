package dev.neurolens.redundancy;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Pearson correlation of every pair of neurons over all rows of an {@link ActivationMatrix},
 * computed from streamed row chunks with float32 matrix products on DJL (ALGORITHMS.md 6).
 *
 * <p>The centred cross-product X^T X (X: N x D', column-centred) is accumulated block by block
 * over the upper block triangle only (equal blocks of at most {@value #BLOCK} columns: about 60%
 * of the flops of the full product for 5,000 neurons), then
 * r_ij = C_ij / sqrt(C_ii C_jj). NaN (a zero-variance neuron) becomes 0, the diagonal is 1, and
 * values are clamped to [-1, 1]. Memory: D'^2 doubles for the accumulators plus D'^2 floats for r.
 *
 * <p>Usage: {@code CorrelationMatrix r = NeuronCorrelation.compute(x, layout.layerFeatures(3))}
 */
public final class NeuronCorrelation {
  static final int BLOCK = 1024;

  private NeuronCorrelation() {}

  /** Correlation of all columns of {@code m}; feature ids are the column ids. */
  public static CorrelationMatrix compute(ActivationMatrix m) {
    return compute(m, IntStream.range(0, m.cols()).toArray());
  }

  /**
   * Correlation of the given columns of {@code m}.
   *
   * @param columns column ids (= original feature ids, layer * D + index), at least one
   */
  public static CorrelationMatrix compute(ActivationMatrix m, int[] columns) {
    return compute(m, columns, 0);
  }

  /** As {@link #compute(ActivationMatrix, int[])} with rows per chunk ({@code <= 0}: automatic). */
  static CorrelationMatrix compute(ActivationMatrix m, int[] columns, int chunkRows) {
    if (columns.length == 0) {
      throw new NeuroLensException("neurons: the selection is empty, select at least one layer or neuron");
    }
    if (m.rows() < 2) {
      throw new NeuroLensException("activations: correlation needs at least 2 rows, found " + m.rows());
    }
    int d = columns.length;
    List<CrossProducts.Block> blocks = new ArrayList<>();
    int nb = (d + BLOCK - 1) / BLOCK;
    int bs = (d + nb - 1) / nb;
    for (int s = 0; s < d; s += bs) {
      blocks.add(new CrossProducts.Block(0, s, Math.min(d, s + bs)));
    }
    List<CrossProducts.Pair> pairs = new ArrayList<>();
    for (int a = 0; a < blocks.size(); a++) {
      for (int b = a; b < blocks.size(); b++) {
        pairs.add(new CrossProducts.Pair(a, b));
      }
    }
    List<CrossProducts.Source> src = List.of(new CrossProducts.Source(m, columns));
    CrossProducts.Result res =
        chunkRows > 0
            ? CrossProducts.accumulate(src, blocks, pairs, chunkRows)
            : CrossProducts.accumulate(src, blocks, pairs);
    return fromProducts(columns, blocks, res);
  }

  /**
   * Correlations from centred cross-products over the upper block triangle of {@code blocks}
   * (pairs (a, b) for b >= a, in that order) of one source whose columns are {@code columns}.
   */
  static CorrelationMatrix fromProducts(int[] columns, List<CrossProducts.Block> blocks, CrossProducts.Result res) {
    int d = columns.length;
    double[] var = new double[d];
    double[] mean = res.means()[0];
    int p = 0;
    for (int a = 0; a < blocks.size(); a++) {
      CrossProducts.Block ba = blocks.get(a);
      double[] diag = res.products()[p];
      for (int i = 0; i < ba.size(); i++) {
        var[ba.start() + i] = diag[i * ba.size() + i];
      }
      p += blocks.size() - a;
    }
    boolean[] isConstant = new boolean[d];
    double[] inv = new double[d];
    for (int i = 0; i < d; i++) {
      double scale = Math.max(1.0, mean[i] * mean[i]) * res.n();
      isConstant[i] = !(var[i] > 1e-14 * scale);
      inv[i] = isConstant[i] ? 0 : 1 / Math.sqrt(var[i]);
    }
    float[] r = new float[d * d];
    p = 0;
    for (int a = 0; a < blocks.size(); a++) {
      for (int b = a; b < blocks.size(); b++, p++) {
        CrossProducts.Block ba = blocks.get(a);
        CrossProducts.Block bb = blocks.get(b);
        double[] c = res.products()[p];
        for (int i = 0; i < ba.size(); i++) {
          int gi = ba.start() + i;
          for (int j = 0; j < bb.size(); j++) {
            int gj = bb.start() + j;
            double v = c[i * bb.size() + j] * inv[gi] * inv[gj];
            float f = Double.isNaN(v) ? 0f : (float) Math.max(-1, Math.min(1, v));
            r[gi * d + gj] = f;
            r[gj * d + gi] = f;
          }
        }
      }
    }
    for (int i = 0; i < d; i++) {
      r[i * d + i] = 1f;
    }
    int[] constant = IntStream.range(0, d).filter(i -> isConstant[i]).toArray();
    return new CorrelationMatrix(columns, r, constant, res.n());
  }
}
