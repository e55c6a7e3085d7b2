package dev.neurolens.rank;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.probe.ColumnSubset;
import dev.neurolens.probe.ProbeTask;
import dev.neurolens.util.NeuroLensException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Probeless ranking (Antverg and Belinkov): from the class means mu_c of every neuron, the score of
 * a neuron is the sum over class pairs of |mu_a - mu_b|, and its score for class t is the sum over
 * c != t of |mu_t - mu_c|. No probe is trained. Classes absent from the rows are ignored.
 *
 * <p>Usage: {@code NeuronRanking r = ProbelessRanker.rank(x, splits.train(), task)}
 */
public final class ProbelessRanker {

  private ProbelessRanker() {}

  /**
   * Ranks the features of {@code x} using {@code rows} and the class labels of {@code task}.
   *
   * @param x N x F activations
   * @param rows the rows to compute class means on (typically the training split)
   */
  public static NeuronRanking rank(ActivationMatrix x, int[] rows, ProbeTask task) {
    if (task.isRegression()) {
      throw new NeuroLensException("probeless ranking: task " + task.name() + " is a regression task; needs classes");
    }
    int[] labels = task.labels();
    int c = task.numClasses();
    int f = x.cols();
    double[][] sums = new double[c][f];
    long[] counts = new long[c];
    Columns.forEachChunk(x, rows, (ids, data, n) -> {
      for (int i = 0; i < n; i++) {
        int k = labels[ids[i]];
        counts[k]++;
        double[] s = sums[k];
        for (int j = 0; j < f; j++) {
          s[j] += data[i * f + j];
        }
      }
    });
    int present = 0;
    for (long n : counts) {
      present += n > 0 ? 1 : 0;
    }
    if (present < 2) {
      throw new NeuroLensException(
          "probeless ranking: task " + task.name() + " needs >= 2 classes in the rows, found " + present);
    }
    for (int k = 0; k < c; k++) {
      for (int j = 0; j < f && counts[k] > 0; j++) {
        sums[k][j] /= counts[k];
      }
    }
    double[] overall = new double[f];
    double[][] perClass = new double[c][f];
    for (int a = 0; a < c; a++) {
      for (int b = a + 1; b < c; b++) {
        if (counts[a] == 0 || counts[b] == 0) {
          continue;
        }
        for (int j = 0; j < f; j++) {
          double d = Math.abs(sums[a][j] - sums[b][j]);
          overall[j] += d;
          perClass[a][j] += d;
          perClass[b][j] += d;
        }
      }
    }
    int[] ids = ColumnSubset.featureIds(x);
    int[] order = Columns.descending(overall);
    int[] ordering = new int[f];
    double[] scores = new double[f];
    for (int i = 0; i < f; i++) {
      ordering[i] = ids[order[i]];
      scores[i] = overall[order[i]];
    }
    Map<String, int[]> classes = new LinkedHashMap<>();
    for (int k = 0; k < c; k++) {
      if (counts[k] == 0) {
        continue;
      }
      int[] o = Columns.descending(perClass[k]);
      int[] cls = new int[f];
      for (int i = 0; i < f; i++) {
        cls[i] = ids[o[i]];
      }
      classes.put(task.labelNames().get(k), cls);
    }
    return new NeuronRanking("probeless", ordering, scores, null, classes, Map.of("task", task.name()));
  }
}
