package dev.neurolens.redundancy;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Linear CKA between layers (Kornblith et al. 2019; ALGORITHMS.md 6) and best-match correlation,
 * within one model or between two models on the same rows.
 *
 * <p>CKA(X, Y) = ‖YᵀX‖_F² / (‖XᵀX‖_F ‖YᵀY‖_F) for column-centred X (N x Da), Y (N x Db). All
 * three cross-products are blocks of the centred cross-product of the concatenated layers, which
 * is streamed once over row chunks (memory: within one model L(L+1)/2 blocks of D x D doubles,
 * 107 MB for 13 layers x 384; between two models L² + 2L blocks). A layer with zero variance has
 * CKA 0 with every layer.
 *
 * <p>Usage: {@code LayerSimilarityResult s = LayerSimilarity.within(x, 13, 384); double[][] cka = s.cka()}
 */
public final class LayerSimilarity {
  private LayerSimilarity() {}

  /**
   * Every pair of layers of one matrix.
   *
   * @param m N x (L * D) activations, layer-major columns
   */
  public static LayerSimilarityResult within(ActivationMatrix m, int numLayers, int hidden) {
    checkLayout("activations", m, numLayers, hidden);
    CrossProducts.Result res = CrossProducts.accumulate(
        List.of(source(m, numLayers, hidden)), layerBlocks(0, numLayers, hidden), withinPairs(numLayers));
    return within(res, numLayers, hidden);
  }

  /** The pairs (a, b), b >= a, of {@code numLayers} layer blocks, row by row. */
  static List<CrossProducts.Pair> withinPairs(int numLayers) {
    List<CrossProducts.Pair> pairs = new ArrayList<>();
    for (int a = 0; a < numLayers; a++) {
      for (int b = a; b < numLayers; b++) {
        pairs.add(new CrossProducts.Pair(a, b));
      }
    }
    return pairs;
  }

  /** Index of pair (a, b) in {@link #withinPairs}. */
  static int pairIndex(int numLayers, int a, int b) {
    int lo = Math.min(a, b);
    int hi = Math.max(a, b);
    return lo * numLayers - lo * (lo - 1) / 2 + (hi - lo);
  }

  /** CKA and best-match correlation from the statistics of {@link #withinPairs} over layer blocks. */
  static LayerSimilarityResult within(CrossProducts.Result res, int numLayers, int hidden) {
    int[][] pairIndex = new int[numLayers][numLayers];
    for (int a = 0; a < numLayers; a++) {
      for (int b = 0; b < numLayers; b++) {
        pairIndex[a][b] = pairIndex(numLayers, a, b);
      }
    }
    double[][] p = res.products();
    double[] norm = new double[numLayers];
    double[][] var = new double[numLayers][];
    for (int l = 0; l < numLayers; l++) {
      norm[l] = frobenius(p[pairIndex[l][l]]);
      var[l] = diagonal(p[pairIndex[l][l]], hidden);
    }
    double[][] cka = new double[numLayers][numLayers];
    double[][] best = new double[numLayers][numLayers];
    for (int a = 0; a < numLayers; a++) {
      for (int b = a; b < numLayers; b++) {
        double[] c = p[pairIndex[a][b]];
        double v = cka(frobenius(c), norm[a], norm[b]);
        cka[a][b] = v;
        cka[b][a] = v;
        best[a][b] = meanBest(c, var[a], var[b], false, a == b);
        best[b][a] = meanBest(c, var[a], var[b], true, a == b);
      }
    }
    return new LayerSimilarityResult(numLayers, numLayers, true, cka, best, res.n());
  }

  /**
   * Every layer of {@code a} against every layer of {@code b} (two models on the same rows, e.g.
   * pre-trained vs fine-tuned).
   */
  public static LayerSimilarityResult between(
      ActivationMatrix a, int layersA, int hiddenA, ActivationMatrix b, int layersB, int hiddenB) {
    checkLayout("activations A", a, layersA, hiddenA);
    checkLayout("activations B", b, layersB, hiddenB);
    if (a.rows() != b.rows()) {
      throw new NeuroLensException(
          "activations: both stores must cover the same tokens, found " + a.rows() + " and " + b.rows() + " rows");
    }
    List<CrossProducts.Block> blocks = new ArrayList<>(layerBlocks(0, layersA, hiddenA));
    blocks.addAll(layerBlocks(1, layersB, hiddenB));
    List<CrossProducts.Pair> pairs = new ArrayList<>();
    for (int l = 0; l < layersA + layersB; l++) {
      pairs.add(new CrossProducts.Pair(l, l));
    }
    for (int la = 0; la < layersA; la++) {
      for (int lb = 0; lb < layersB; lb++) {
        pairs.add(new CrossProducts.Pair(la, layersA + lb));
      }
    }
    CrossProducts.Result res =
        CrossProducts.accumulate(
            List.of(source(a, layersA, hiddenA), source(b, layersB, hiddenB)), blocks, pairs);
    double[][] p = res.products();
    int off = layersA + layersB;
    double[][] cka = new double[layersA][layersB];
    double[][] best = new double[layersA][layersB];
    for (int la = 0; la < layersA; la++) {
      double[] varA = diagonal(p[la], hiddenA);
      for (int lb = 0; lb < layersB; lb++) {
        double[] c = p[off + la * layersB + lb];
        cka[la][lb] = cka(frobenius(c), frobenius(p[la]), frobenius(p[layersA + lb]));
        best[la][lb] = meanBest(c, varA, diagonal(p[layersA + lb], hiddenB), false, false);
      }
    }
    return new LayerSimilarityResult(layersA, layersB, false, cka, best, res.n());
  }

  /**
   * The same layer of two models on the same rows: per layer, linear CKA and each neuron's
   * Pearson correlation with itself across the two models (0 where a side has no variance).
   *
   * @return per layer l: {@code [0][l][0]} = CKA; {@code [1][l]} = the D self-correlations
   */
  public static double[][][] paired(ActivationMatrix a, ActivationMatrix b, int layers, int hidden) {
    checkLayout("activations A", a, layers, hidden);
    checkLayout("activations B", b, layers, hidden);
    if (a.rows() != b.rows()) {
      throw new NeuroLensException(
          "activations: both stores must cover the same tokens, found " + a.rows() + " and " + b.rows() + " rows");
    }
    List<CrossProducts.Block> blocks = new ArrayList<>(layerBlocks(0, layers, hidden));
    blocks.addAll(layerBlocks(1, layers, hidden));
    List<CrossProducts.Pair> pairs = new ArrayList<>();
    for (int l = 0; l < 2 * layers; l++) {
      pairs.add(new CrossProducts.Pair(l, l));
    }
    for (int l = 0; l < layers; l++) {
      pairs.add(new CrossProducts.Pair(l, layers + l));
    }
    CrossProducts.Result res = CrossProducts.accumulate(List.of(source(a, layers, hidden), source(b, layers, hidden)), blocks, pairs);
    double[][] p = res.products();
    double[][] cka = new double[layers][1];
    double[][] self = new double[layers][];
    for (int l = 0; l < layers; l++) {
      double[] c = p[2 * layers + l];
      cka[l][0] = cka(frobenius(c), frobenius(p[l]), frobenius(p[layers + l]));
      double[] va = diagonal(p[l], hidden);
      double[] vb = diagonal(p[layers + l], hidden);
      self[l] = new double[hidden];
      for (int j = 0; j < hidden; j++) {
        double den = Math.sqrt(va[j] * vb[j]);
        self[l][j] = den > 0 ? Math.max(-1, Math.min(1, c[j * hidden + j] / den)) : 0;
      }
    }
    return new double[][][] {cka, self};
  }

  /**
   * Linear CKA from Frobenius norms: ||C_ab||^2 / (||C_aa|| ||C_bb||) of the centred
   * (cross-)covariances, clipped to [0, 1]; 0 when a side has no variance.
   */
  static double cka(double cross, double normA, double normB) {
    double den = normA * normB;
    return den > 0 ? Math.min(1.0, cross * cross / den) : 0.0;
  }

  /**
   * Mean over the rows (or, transposed, the columns) of the cross-product {@code c} (Da x Db) of
   * each neuron's highest |r| on the other side.
   */
  private static double meanBest(double[] c, double[] varA, double[] varB, boolean transposed, boolean skipDiagonal) {
    int da = varA.length;
    int db = varB.length;
    int outer = transposed ? db : da;
    int inner = transposed ? da : db;
    double total = 0;
    for (int i = 0; i < outer; i++) {
      double max = 0;
      for (int j = 0; j < inner; j++) {
        if (skipDiagonal && i == j) {
          continue;
        }
        int ia = transposed ? j : i;
        int ib = transposed ? i : j;
        double den = Math.sqrt(varA[ia] * varB[ib]);
        if (den > 0) {
          max = Math.max(max, Math.min(1.0, Math.abs(c[ia * db + ib]) / den));
        }
      }
      total += max;
    }
    return outer == 0 ? 0 : total / outer;
  }

  private static double frobenius(double[] c) {
    double s = 0;
    for (double v : c) {
      s += v * v;
    }
    return Math.sqrt(s);
  }

  private static double[] diagonal(double[] c, int d) {
    double[] out = new double[d];
    for (int i = 0; i < d; i++) {
      out[i] = Math.max(0, c[i * d + i]);
    }
    return out;
  }

  static List<CrossProducts.Block> layerBlocks(int source, int layers, int hidden) {
    List<CrossProducts.Block> out = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      out.add(new CrossProducts.Block(source, l * hidden, (l + 1) * hidden));
    }
    return out;
  }

  private static CrossProducts.Source source(ActivationMatrix m, int layers, int hidden) {
    return new CrossProducts.Source(m, IntStream.range(0, layers * hidden).toArray());
  }

  private static void checkLayout(String what, ActivationMatrix m, int layers, int hidden) {
    if (layers <= 0 || hidden <= 0) {
      throw new NeuroLensException(
          what + ": the layer set is empty or the hidden size is not positive, found " + layers + " x " + hidden);
    }
    if (m.cols() != layers * hidden) {
      throw new NeuroLensException(
          what + ": " + m.cols() + " columns, expected " + layers + " layers x " + hidden);
    }
    if (m.rows() < 2) {
      throw new NeuroLensException(what + ": CKA needs at least 2 rows, found " + m.rows());
    }
  }
}
