package dev.neurolens.finetune;

import java.util.Arrays;

/**
 * Evaluation metrics in double precision: code-search ranks (MRR, recall@k) and classification
 * scores (accuracy, macro-F1, binary F1).
 *
 * <p>Usage: {@code int[] r = Metrics.ranks(queries, codes); double mrr = Metrics.mrr(r)}
 */
public final class Metrics {
  private Metrics() {}

  /**
   * For each query i, the 1-based rank of code i among all codes by dot product (rows should be
   * unit length for cosine): 1 + the number of codes scoring strictly higher.
   */
  public static int[] ranks(float[][] queries, float[][] codes) {
    int[] out = new int[queries.length];
    for (int i = 0; i < queries.length; i++) {
      double own = dot(queries[i], codes[i]);
      int rank = 1;
      for (int j = 0; j < codes.length; j++) {
        if (j != i && dot(queries[i], codes[j]) > own) {
          rank++;
        }
      }
      out[i] = rank;
    }
    return out;
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int k = 0; k < a.length; k++) {
      s += (double) a[k] * b[k];
    }
    return s;
  }

  /** Mean of 1/rank. */
  public static double mrr(int[] ranks) {
    return Arrays.stream(ranks).mapToDouble(r -> 1.0 / r).average().orElse(0);
  }

  /** Share of ranks <= k. */
  public static double recallAt(int[] ranks, int k) {
    return Arrays.stream(ranks).filter(r -> r <= k).count() / (double) Math.max(1, ranks.length);
  }

  /** Share of equal entries. */
  public static double accuracy(int[] gold, int[] pred) {
    int ok = 0;
    for (int i = 0; i < gold.length; i++) {
      ok += gold[i] == pred[i] ? 1 : 0;
    }
    return ok / (double) Math.max(1, gold.length);
  }

  /** F1 of class {@code c} (0 when it is never predicted nor present). */
  public static double f1(int[] gold, int[] pred, int c) {
    int tp = 0;
    int fp = 0;
    int fn = 0;
    for (int i = 0; i < gold.length; i++) {
      if (pred[i] == c && gold[i] == c) {
        tp++;
      } else if (pred[i] == c) {
        fp++;
      } else if (gold[i] == c) {
        fn++;
      }
    }
    return tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
  }

  /** Mean F1 over the classes that occur in {@code gold}. */
  public static double macroF1(int[] gold, int[] pred, int classes) {
    double sum = 0;
    int n = 0;
    for (int c = 0; c < classes; c++) {
      final int cc = c;
      if (Arrays.stream(gold).anyMatch(g -> g == cc)) {
        sum += f1(gold, pred, c);
        n++;
      }
    }
    return n == 0 ? 0 : sum / n;
  }
}
