package dev.neurolens.model;

import java.util.function.DoubleUnaryOperator;

/**
 * Naive double-precision building blocks of the reference models (scalar loops, one unpadded
 * sequence of T positions), written from the published equations; independent of the DJL code.
 */
final class RefOps {
  private RefOps() {}

  /** x W^T (+ b) with a Linear weight (out, in). */
  static double[][] linear(double[][] x, FloatTensor w, FloatTensor b) {
    int out = (int) w.dim(0);
    int in = (int) w.dim(1);
    double[][] y = new double[x.length][out];
    for (int a = 0; a < x.length; a++) {
      for (int o = 0; o < out; o++) {
        double s = b == null ? 0 : b.data()[o];
        for (int e = 0; e < in; e++) {
          s += x[a][e] * w.data()[o * in + e];
        }
        y[a][o] = s;
      }
    }
    return y;
  }

  /** x W + b with a GPT-2 Conv1D weight (in, out). */
  static double[][] conv1d(double[][] x, FloatTensor w, FloatTensor b) {
    int in = (int) w.dim(0);
    int out = (int) w.dim(1);
    double[][] y = new double[x.length][out];
    for (int a = 0; a < x.length; a++) {
      for (int o = 0; o < out; o++) {
        double s = b.data()[o];
        for (int e = 0; e < in; e++) {
          s += x[a][e] * w.data()[e * out + o];
        }
        y[a][o] = s;
      }
    }
    return y;
  }

  /** (x - mean) / sqrt(var + eps) * g + b per row. */
  static double[][] layerNorm(double[][] x, FloatTensor g, FloatTensor b, double eps) {
    double[][] y = new double[x.length][];
    for (int a = 0; a < x.length; a++) {
      double mean = 0;
      for (double v : x[a]) {
        mean += v;
      }
      mean /= x[a].length;
      double var = 0;
      for (double v : x[a]) {
        var += (v - mean) * (v - mean);
      }
      var /= x[a].length;
      y[a] = new double[x[a].length];
      for (int e = 0; e < x[a].length; e++) {
        y[a][e] = (x[a][e] - mean) / Math.sqrt(var + eps) * g.data()[e] + b.data()[e];
      }
    }
    return y;
  }

  /** x / sqrt(mean(x^2) + eps) * g per row (Llama RMSNorm, T5 LayerNorm). */
  static double[][] rmsNorm(double[][] x, FloatTensor g, double eps) {
    double[][] y = new double[x.length][];
    for (int a = 0; a < x.length; a++) {
      double ms = 0;
      for (double v : x[a]) {
        ms += v * v;
      }
      ms /= x[a].length;
      y[a] = new double[x[a].length];
      for (int e = 0; e < x[a].length; e++) {
        y[a][e] = x[a][e] / Math.sqrt(ms + eps) * g.data()[e];
      }
    }
    return y;
  }

  /**
   * Softmax attention per head: query head h uses key/value head h / (H / Hkv); scores scaled by
   * {@code scale}, plus {@code bias[h][i][j]} when given; key j > i skipped when causal.
   */
  static double[][] attention(double[][] q, double[][] k, double[][] v, int heads, int kvHeads, double scale,
      boolean causal, double[][][] bias) {
    int t = q.length;
    int dh = q[0].length / heads;
    double[][] ctx = new double[t][heads * dh];
    for (int h = 0; h < heads; h++) {
      int g = h / (heads / kvHeads);
      for (int i = 0; i < t; i++) {
        int keys = causal ? i + 1 : t;
        double[] s = new double[keys];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < keys; j++) {
          double dot = 0;
          for (int e = 0; e < dh; e++) {
            dot += q[i][h * dh + e] * k[j][g * dh + e];
          }
          s[j] = dot * scale + (bias == null ? 0 : bias[h][i][j]);
          max = Math.max(max, s[j]);
        }
        double z = 0;
        for (int j = 0; j < keys; j++) {
          s[j] = Math.exp(s[j] - max);
          z += s[j];
        }
        for (int j = 0; j < keys; j++) {
          for (int e = 0; e < dh; e++) {
            ctx[i][h * dh + e] += s[j] / z * v[j][g * dh + e];
          }
        }
      }
    }
    return ctx;
  }

  static double[][] add(double[][] a, double[][] b) {
    double[][] y = new double[a.length][a[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[0].length; j++) {
        y[i][j] = a[i][j] + b[i][j];
      }
    }
    return y;
  }

  static double[][] map(double[][] x, DoubleUnaryOperator f) {
    double[][] y = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      y[i] = java.util.Arrays.stream(x[i]).map(f).toArray();
    }
    return y;
  }

  static double[][] mul(double[][] a, double[][] b) {
    double[][] y = new double[a.length][a[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[0].length; j++) {
        y[i][j] = a[i][j] * b[i][j];
      }
    }
    return y;
  }

  /** GELU, tanh form (GPT-2's gelu_new). */
  static double geluTanh(double x) {
    return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
  }

  static double silu(double x) {
    return x / (1 + Math.exp(-x));
  }

  static double relu(double x) {
    return Math.max(0, x);
  }

  /** Rows [from, to) of a (V, D) table picked by ids. */
  static double[][] rows(FloatTensor table, int[] ids) {
    int d = (int) table.dim(1);
    double[][] y = new double[ids.length][d];
    for (int j = 0; j < ids.length; j++) {
      for (int e = 0; e < d; e++) {
        y[j][e] = table.data()[ids[j] * d + e];
      }
    }
    return y;
  }
}
