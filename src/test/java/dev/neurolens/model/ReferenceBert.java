package dev.neurolens.model;

import dev.neurolens.model.bert.BertCheckpoint;
import java.util.Map;

/**
 * An independent, deliberately naive BERT/RoBERTa forward pass in plain Java (double
 * accumulation, scalar loops, one unpadded sequence), written from the Hugging Face
 * modeling_bert equations, used as the reference for the DJL implementation.
 */
final class ReferenceBert {
  final ModelConfig c;
  final Map<String, FloatTensor> w;
  /** After {@link #run}: hidden[0] = embeddings, hidden[i + 1] = output of block i; (T, D) each. */
  double[][][] hidden;
  /** After {@link #run}: feed-forward activations of each block (T, M). */
  double[][][] mlpPre;

  ReferenceBert(ModelConfig c, Map<String, FloatTensor> w) {
    this.c = c;
    this.w = w;
  }

  ReferenceBert run(int[] ids) {
    int t = ids.length;
    int d = c.hiddenSize();
    hidden = new double[c.numLayers() + 1][][];
    mlpPre = new double[c.numLayers()][][];
    double[][] x = new double[t][d];
    for (int j = 0; j < t; j++) {
      int pos = c.modelType().equals("roberta") ? c.padTokenId() + 1 + j : j;
      for (int k = 0; k < d; k++) {
        x[j][k] = at(BertCheckpoint.WORD, ids[j], k) + at(BertCheckpoint.POSITION, pos, k)
            + at(BertCheckpoint.TOKEN_TYPE, 0, k);
      }
    }
    x = layerNorm(x, BertCheckpoint.EMB_LN);
    hidden[0] = x;
    for (int i = 0; i < c.numLayers(); i++) {
      double[][] q = linear(x, BertCheckpoint.block(i, "attention.self.query"));
      double[][] k = linear(x, BertCheckpoint.block(i, "attention.self.key"));
      double[][] v = linear(x, BertCheckpoint.block(i, "attention.self.value"));
      int h = c.numHeads();
      int dh = d / h;
      double[][] ctx = new double[t][d];
      for (int head = 0; head < h; head++) {
        for (int a = 0; a < t; a++) {
          double[] s = new double[t];
          double max = Double.NEGATIVE_INFINITY;
          for (int b = 0; b < t; b++) {
            double dot = 0;
            for (int e = 0; e < dh; e++) {
              dot += q[a][head * dh + e] * k[b][head * dh + e];
            }
            s[b] = dot / Math.sqrt(dh);
            max = Math.max(max, s[b]);
          }
          double z = 0;
          for (int b = 0; b < t; b++) {
            s[b] = Math.exp(s[b] - max);
            z += s[b];
          }
          for (int b = 0; b < t; b++) {
            for (int e = 0; e < dh; e++) {
              ctx[a][head * dh + e] += s[b] / z * v[b][head * dh + e];
            }
          }
        }
      }
      double[][] attn = linear(ctx, BertCheckpoint.block(i, "attention.output.dense"));
      double[][] mid = layerNorm(add(attn, x), BertCheckpoint.block(i, "attention.output.LayerNorm."));
      double[][] pre = linear(mid, BertCheckpoint.block(i, "intermediate.dense"));
      for (double[] row : pre) {
        for (int e = 0; e < row.length; e++) {
          row[e] = gelu(row[e]);
        }
      }
      mlpPre[i] = pre;
      double[][] out = linear(pre, BertCheckpoint.block(i, "output.dense"));
      x = layerNorm(add(out, mid), BertCheckpoint.block(i, "output.LayerNorm."));
      hidden[i + 1] = x;
    }
    return this;
  }

  /** Masked-LM logits of the last hidden state (T, V), decoder tied to word embeddings if absent. */
  double[][] mlmLogits() {
    double[][] h = linear(hidden[c.numLayers()], BertCheckpoint.HEAD_DENSE.substring(0, BertCheckpoint.HEAD_DENSE.length() - 1));
    for (double[] row : h) {
      for (int e = 0; e < row.length; e++) {
        row[e] = gelu(row[e]);
      }
    }
    h = layerNorm(h, BertCheckpoint.HEAD_LN);
    String dec = w.containsKey(BertCheckpoint.HEAD_DECODER) ? BertCheckpoint.HEAD_DECODER : BertCheckpoint.WORD;
    double[][] out = new double[h.length][c.vocabSize()];
    for (int a = 0; a < h.length; a++) {
      for (int o = 0; o < c.vocabSize(); o++) {
        double s = w.get(BertCheckpoint.HEAD_BIAS).data()[o];
        for (int e = 0; e < c.hiddenSize(); e++) {
          s += h[a][e] * at(dec, o, e);
        }
        out[a][o] = s;
      }
    }
    return out;
  }

  private double at(String name, int row, int col) {
    FloatTensor t = w.get(name);
    return t.data()[(int) (row * t.dim(1) + col)];
  }

  /** x W^T + b with HF (out, in) weights. */
  private double[][] linear(double[][] x, String prefix) {
    FloatTensor wt = w.get(prefix + ".weight");
    float[] b = w.get(prefix + ".bias").data();
    int out = (int) wt.dim(0);
    int in = (int) wt.dim(1);
    double[][] y = new double[x.length][out];
    for (int a = 0; a < x.length; a++) {
      for (int o = 0; o < out; o++) {
        double s = b[o];
        for (int e = 0; e < in; e++) {
          s += x[a][e] * wt.data()[o * in + e];
        }
        y[a][o] = s;
      }
    }
    return y;
  }

  private double[][] layerNorm(double[][] x, String prefix) {
    float[] g = w.get(prefix + "weight").data();
    float[] b = w.get(prefix + "bias").data();
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
        y[a][e] = (x[a][e] - mean) / Math.sqrt(var + c.layerNormEps()) * g[e] + b[e];
      }
    }
    return y;
  }

  private static double[][] add(double[][] a, double[][] b) {
    double[][] y = new double[a.length][a[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[0].length; j++) {
        y[i][j] = a[i][j] + b[i][j];
      }
    }
    return y;
  }

  /** HF "gelu": x/2 (1 + erf(x / sqrt 2)). */
  static double gelu(double x) {
    return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
  }

  /** erf by its Maclaurin series for |x| < 3 (error < 1e-12), Abramowitz-Stegun 7.1.26 beyond. */
  static double erf(double x) {
    double ax = Math.abs(x);
    if (ax < 3) {
      double term = ax;
      double sum = ax;
      for (int n = 1; n < 80; n++) {
        term *= -ax * ax / n;
        sum += term / (2 * n + 1);
      }
      return Math.signum(x) * 2 / Math.sqrt(Math.PI) * sum;
    }
    double t = 1 / (1 + 0.3275911 * ax);
    double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592)
        * t * Math.exp(-ax * ax);
    return Math.signum(x) * y;
  }
}
