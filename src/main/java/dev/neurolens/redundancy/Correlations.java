package dev.neurolens.redundancy;

import java.util.Arrays;

/**
 * Pearson and Spearman correlation of two equally long samples in double precision; Spearman
 * ranks ties by their average rank (as scipy.stats.spearmanr does).
 *
 * <p>Usage: {@code double rho = Correlations.spearman(x, y)}
 */
public final class Correlations {
  private Correlations() {}

  /** Pearson's r; NaN when either side is constant. */
  public static double pearson(double[] x, double[] y) {
    check(x, y);
    int n = x.length;
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += x[i];
      my += y[i];
    }
    mx /= n;
    my /= n;
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < n; i++) {
      double dx = x[i] - mx;
      double dy = y[i] - my;
      sxy += dx * dy;
      sxx += dx * dx;
      syy += dy * dy;
    }
    return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Double.NaN;
  }

  /** Spearman's rho: Pearson's r of the average ranks. */
  public static double spearman(double[] x, double[] y) {
    check(x, y);
    return pearson(ranks(x), ranks(y));
  }

  /** 1-based ranks, ties sharing their average rank (a primitive sort and two binary searches per value). */
  public static double[] ranks(double[] x) {
    double[] sorted = x.clone();
    Arrays.sort(sorted);
    double[] r = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      int lo = bound(sorted, x[i], false);
      int hi = bound(sorted, x[i], true) - 1;
      r[i] = (lo + hi) / 2.0 + 1;
    }
    return r;
  }

  /** First index whose value is >= v (or > v when {@code upper}). */
  private static int bound(double[] sorted, double v, boolean upper) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < v || (upper && sorted[mid] == v)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static void check(double[] x, double[] y) {
    if (x.length != y.length || x.length < 2) {
      throw new IllegalArgumentException("correlation: two samples of the same length >= 2, found " + x.length + " and " + y.length);
    }
  }
}
