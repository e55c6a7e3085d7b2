package dev.neurolens.rank;

/**
 * Direct (slow, double precision) evaluation of the Gaussian-probe mutual-information estimate for
 * one subset of dimensions: an independent reference for {@link GaussianRanker}.
 */
final class GaussianReference {
  private GaussianReference() {}

  /** H(class) + mean_i log p(y_i | x_iS) with NIW-MAP Gaussians, as documented in GaussianRanker. */
  static double mutualInformation(float[][] x, int[] y, int numClasses, int[] dims) {
    int n = x.length;
    int k = dims.length;
    double[] mu0 = new double[k];
    double[] var = new double[k];
    for (float[] row : x) {
      for (int a = 0; a < k; a++) {
        mu0[a] += row[dims[a]] / (double) n;
      }
    }
    for (float[] row : x) {
      for (int a = 0; a < k; a++) {
        var[a] += Math.pow(row[dims[a]] - mu0[a], 2) / n;
      }
    }
    double[][] mean = new double[numClasses][k];
    double[][][] inv = new double[numClasses][][];
    double[] logDet = new double[numClasses];
    double[] logPrior = new double[numClasses];
    double entropy = 0;
    for (int c = 0; c < numClasses; c++) {
      int nc = 0;
      double[] xbar = new double[k];
      for (int i = 0; i < n; i++) {
        if (y[i] == c) {
          nc++;
          for (int a = 0; a < k; a++) {
            xbar[a] += x[i][dims[a]];
          }
        }
      }
      for (int a = 0; a < k; a++) {
        xbar[a] /= nc;
      }
      double[][] lam = new double[k][k];
      for (int i = 0; i < n; i++) {
        if (y[i] == c) {
          for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
              lam[a][b] += (x[i][dims[a]] - xbar[a]) * (x[i][dims[b]] - xbar[b]);
            }
          }
        }
      }
      double shrink = 0.01 * nc / (0.01 + nc);
      for (int a = 0; a < k; a++) {
        lam[a][a] += var[a];
        for (int b = 0; b < k; b++) {
          lam[a][b] += shrink * (xbar[a] - mu0[a]) * (xbar[b] - mu0[b]);
        }
        mean[c][a] = (0.01 * mu0[a] + nc * xbar[a]) / (0.01 + nc);
      }
      double alpha = nc + 2.0 * k + 3;
      for (int a = 0; a < k; a++) {
        for (int b = 0; b < k; b++) {
          lam[a][b] /= alpha;
        }
      }
      double[][] l = cholesky(lam);
      for (int a = 0; a < k; a++) {
        logDet[c] += 2 * Math.log(l[a][a]);
      }
      inv[c] = l;
      logPrior[c] = Math.log((double) nc / n);
      entropy -= (double) nc / n * Math.log((double) nc / n);
    }
    double total = 0;
    for (int i = 0; i < n; i++) {
      double[] joint = new double[numClasses];
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < numClasses; c++) {
        double[] d = new double[k];
        for (int a = 0; a < k; a++) {
          d[a] = x[i][dims[a]] - mean[c][a];
        }
        double[] z = forward(inv[c], d);
        double maha = 0;
        for (double v : z) {
          maha += v * v;
        }
        joint[c] = logPrior[c] - 0.5 * logDet[c] - 0.5 * maha;
        max = Math.max(max, joint[c]);
      }
      double sum = 0;
      for (double j : joint) {
        sum += Math.exp(j - max);
      }
      total += joint[y[i]] - max - Math.log(sum);
    }
    return entropy + total / n;
  }

  private static double[][] cholesky(double[][] a) {
    int k = a.length;
    double[][] l = new double[k][k];
    for (int i = 0; i < k; i++) {
      for (int j = 0; j <= i; j++) {
        double s = a[i][j];
        for (int p = 0; p < j; p++) {
          s -= l[i][p] * l[j][p];
        }
        l[i][j] = i == j ? Math.sqrt(s) : s / l[j][j];
      }
    }
    return l;
  }

  private static double[] forward(double[][] l, double[] b) {
    double[] z = new double[b.length];
    for (int i = 0; i < b.length; i++) {
      double s = b[i];
      for (int p = 0; p < i; p++) {
        s -= l[i][p] * z[p];
      }
      z[i] = s / l[i][i];
    }
    return z;
  }
}
