package dev.neurolens.rank;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.probe.ColumnSubset;
import dev.neurolens.probe.ProbeTask;
import dev.neurolens.util.NeuroLensException;
import java.util.Map;

/**
 * Average-precision ranking for a binary concept (NeuroX's "IoU probe"): every neuron's activation
 * is used as a detector score for "row is of the positive class", and neurons are ranked by the
 * average precision of that detector (the step-wise area under the precision-recall curve over
 * distinct thresholds, as scikit-learn's {@code average_precision_score}). The activations are not
 * thresholded or modified.
 *
 * <p>Usage: {@code NeuronRanking r = ApRanker.rank(x, splits.train(), task, "KEYWORD"); int[] best = r.top(10)}
 */
public final class ApRanker {
  /** Floats held per column block: 64 M (256 MB). */
  private static final long BLOCK_FLOATS = 64L << 20;

  private ApRanker() {}

  /**
   * Ranks the features of {@code x} by the AP of detecting {@code positiveClass} on {@code rows}.
   */
  public static NeuronRanking rank(ActivationMatrix x, int[] rows, ProbeTask task, String positiveClass) {
    if (task.isRegression()) {
      throw new NeuroLensException("ap ranking: task " + task.name() + " is a regression task; needs classes");
    }
    int positive = task.labelNames().indexOf(positiveClass);
    if (positive < 0) {
      throw new NeuroLensException(
          "ap ranking: class '" + positiveClass + "' is not a class of task " + task.name() + " "
              + task.labelNames());
    }
    int[] labels = task.labels();
    boolean[] isPositive = new boolean[rows.length];
    int positives = 0;
    for (int i = 0; i < rows.length; i++) {
      isPositive[i] = labels[rows[i]] == positive;
      positives += isPositive[i] ? 1 : 0;
    }
    if (positives == 0) {
      throw new NeuroLensException("ap ranking: no row of class '" + positiveClass + "' in the selection");
    }
    int f = x.cols();
    double[] ap = new double[f];
    int block = (int) Math.max(1, Math.min(f, BLOCK_FLOATS / Math.max(1, rows.length)));
    for (int c0 = 0; c0 < f; c0 += block) {
      int width = Math.min(block, f - c0);
      int[] cols = new int[width];
      for (int k = 0; k < width; k++) {
        cols[k] = c0 + k;
      }
      ActivationMatrix view = width == f ? x : ColumnSubset.of(x, cols);
      float[][] values = new float[width][rows.length];
      int[] at = {0};
      Columns.forEachChunk(view, rows, (ids, data, n) -> {
        for (int i = 0; i < n; i++) {
          for (int k = 0; k < width; k++) {
            values[k][at[0] + i] = data[i * width + k];
          }
        }
        at[0] += n;
      });
      for (int k = 0; k < width; k++) {
        ap[c0 + k] = averagePrecision(values[k], isPositive, positives);
      }
    }
    int[] ids = ColumnSubset.featureIds(x);
    int[] order = Columns.descending(ap);
    int[] ordering = new int[f];
    double[] scores = new double[f];
    for (int i = 0; i < f; i++) {
      ordering[i] = ids[order[i]];
      scores[i] = ap[order[i]];
    }
    return new NeuronRanking(
        "ap", ordering, scores, null, null, Map.of("task", task.name(), "positive", positiveClass));
  }

  /**
   * Average precision of {@code score} as a detector of {@code positive}: sum over distinct
   * thresholds (descending) of (R_n - R_{n-1}) * P_n.
   */
  static double averagePrecision(float[] score, boolean[] positive, int positives) {
    int n = score.length;
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      int bits = Float.floatToIntBits(score[i] == 0f ? 0f : score[i]);
      int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
      keys[i] = ((long) sortable << 1) | (positive[i] ? 1 : 0);
    }
    java.util.Arrays.sort(keys);
    double ap = 0;
    long tp = 0;
    long seen = 0;
    double prevRecall = 0;
    int i = n - 1;
    while (i >= 0) {
      long value = keys[i] >> 1;
      while (i >= 0 && (keys[i] >> 1) == value) {
        tp += keys[i] & 1;
        seen++;
        i--;
      }
      double recall = (double) tp / positives;
      ap += (recall - prevRecall) * ((double) tp / seen);
      prevRecall = recall;
    }
    return ap;
  }
}
