package dev.neurolens.probe;

import java.util.ArrayList;
import java.util.List;

/** Classification and regression metrics from gold values and predictions (pure Java). */
final class Metrics {

  private Metrics() {}

  /**
   * Accuracy, macro/micro F1, per-class precision/recall/F1, confusion matrix, and for two classes
   * binary F1 (class 1 positive) and Matthews correlation.
   *
   * @param gold gold class ids
   * @param predicted predicted class ids, same length
   */
  public static ProbeScores classification(int[] gold, int[] predicted, List<String> labelNames, int skipped) {
    int c = labelNames.size();
    int[][] confusion = new int[c][c];
    int correct = 0;
    for (int i = 0; i < gold.length; i++) {
      confusion[gold[i]][predicted[i]]++;
      if (gold[i] == predicted[i]) {
        correct++;
      }
    }
    List<ProbeScores.ClassScore> perClass = new ArrayList<>();
    double f1Sum = 0;
    int present = 0;
    for (int k = 0; k < c; k++) {
      int tp = confusion[k][k];
      int support = 0;
      int predictedK = 0;
      for (int j = 0; j < c; j++) {
        support += confusion[k][j];
        predictedK += confusion[j][k];
      }
      double precision = predictedK == 0 ? 0 : (double) tp / predictedK;
      double recall = support == 0 ? 0 : (double) tp / support;
      double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      perClass.add(new ProbeScores.ClassScore(labelNames.get(k), precision, recall, f1, support));
      if (support > 0 || predictedK > 0) {
        f1Sum += f1;
        present++;
      }
    }
    double accuracy = gold.length == 0 ? 0 : (double) correct / gold.length;
    Double binaryF1 = null;
    Double mcc = null;
    if (c == 2) {
      binaryF1 = perClass.get(1).f1();
      double tp = confusion[1][1];
      double tn = confusion[0][0];
      double fp = confusion[0][1];
      double fn = confusion[1][0];
      double den = Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
      mcc = den == 0 ? 0 : (tp * tn - fp * fn) / den;
    }
    return new ProbeScores(
        gold.length, skipped, accuracy, present == 0 ? 0 : f1Sum / present, accuracy, binaryF1, mcc,
        perClass, confusion, null, null, null);
  }

  /** Pearson r, Spearman rho (average ranks for ties) and mean squared error. */
  public static ProbeScores regression(float[] gold, float[] predicted) {
    double mse = 0;
    for (int i = 0; i < gold.length; i++) {
      double d = predicted[i] - gold[i];
      mse += d * d;
    }
    mse /= Math.max(1, gold.length);
    double pearson = pearson(toDouble(gold), toDouble(predicted));
    double spearman = pearson(ranks(gold), ranks(predicted));
    return new ProbeScores(gold.length, 0, null, null, null, null, null, null, null, pearson, spearman, mse);
  }

  /** Pearson correlation; 0 when either side is constant. */
  public static double pearson(double[] a, double[] b) {
    int n = a.length;
    double ma = 0;
    double mb = 0;
    for (int i = 0; i < n; i++) {
      ma += a[i];
      mb += b[i];
    }
    ma /= n;
    mb /= n;
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int i = 0; i < n; i++) {
      double da = a[i] - ma;
      double db = b[i] - mb;
      sab += da * db;
      saa += da * da;
      sbb += db * db;
    }
    return saa == 0 || sbb == 0 ? 0 : sab / Math.sqrt(saa * sbb);
  }

  /** 1-based ranks, ties get their average rank. */
  static double[] ranks(float[] v) {
    Integer[] order = new Integer[v.length];
    for (int i = 0; i < v.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (x, y) -> Float.compare(v[x], v[y]));
    double[] r = new double[v.length];
    int i = 0;
    while (i < v.length) {
      int j = i;
      while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) {
        j++;
      }
      double avg = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        r[order[k]] = avg;
      }
      i = j + 1;
    }
    return r;
  }

  private static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }
}
