package dev.neurolens.redundancy;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.util.NeuroLensException;
import dev.neurolens.util.Progress;
import dev.neurolens.util.Shuffle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * What fine-tuning changed, layer by layer, between two models' activations of the same tokens
 * (rows) with the same layer layout:
 *
 * <ul>
 *   <li>RSA (Telly): per snippet, the mean of the layer's token vectors, L2-normalised; the snippet
 *       x snippet cosine matrix of each model; Spearman and Pearson correlation of the two upper
 *       triangles (at most {@code maxSnippets} snippets, a seeded sample when there are more);
 *   <li>linear CKA of the token representations ({@link LayerSimilarity#paired});
 *   <li>the mean cosine between the two vectors of the same token;
 *   <li>each neuron's correlation with itself across the models: median and share below 0.5.
 * </ul>
 *
 * <p>Usage: {@code ModelDrift.Result r = ModelDrift.compute(a.view(hooks), b.view(hooks), 13, 384, a.rowSnippets(), 2000, 42, Progress.silent())}
 */
public final class ModelDrift {
  private static final int CHUNK_ROWS = 512;

  private ModelDrift() {}

  /** One layer's drift (layer 0 = embeddings). */
  public record LayerDrift(int layer, double rsaSpearman, double rsaPearson, double cka, double tokenCosine,
      double neuronSelfCorrelationMedian, double neuronSelfCorrelationBelowHalf) {}

  /** Every layer, with the number of tokens and snippets compared. */
  public record Result(List<LayerDrift> layers, int tokens, int snippets) {}

  /**
   * @param rowSnippets the snippet of each row (same for both matrices)
   * @param maxSnippets most snippets in the RSA matrices
   */
  public static Result compute(ActivationMatrix a, ActivationMatrix b, int layers, int hidden, int[] rowSnippets,
      int maxSnippets, long seed, Progress bar) {
    if (a.rows() != b.rows() || a.cols() != b.cols() || a.cols() != layers * hidden) {
      throw new NeuroLensException("compare: the two activation sets differ in shape: " + a.rows() + " x " + a.cols()
          + " and " + b.rows() + " x " + b.cols() + " (expected " + layers + " layers x " + hidden + " on both)");
    }
    if (rowSnippets.length != a.rows()) {
      throw new IllegalArgumentException("rowSnippets: one per row, found " + rowSnippets.length + " for " + a.rows());
    }
    // snippets in the RSA: all, or a seeded sample
    int maxId = Arrays.stream(rowSnippets).max().orElse(-1);
    boolean[] present = new boolean[maxId + 1];
    for (int s : rowSnippets) {
      present[s] = true;
    }
    List<Integer> ids = new ArrayList<>();
    for (int s = 0; s <= maxId; s++) {
      if (present[s]) {
        ids.add(s);
      }
    }
    if (ids.size() > maxSnippets) {
      Shuffle.inPlace(ids, new Random(seed));
      ids = new ArrayList<>(ids.subList(0, maxSnippets));
      ids.sort(null);
    }
    int n = ids.size();
    if (n < 3) {
      throw new NeuroLensException("compare: RSA needs at least 3 snippets, found " + n);
    }
    int[] slot = new int[maxId + 1];
    Arrays.fill(slot, -1);
    for (int k = 0; k < n; k++) {
      slot[ids.get(k)] = k;
    }
    float[][] poolA = new float[layers][n * hidden];
    float[][] poolB = new float[layers][n * hidden];
    double[] cosSum = new double[layers];
    int f = a.cols();
    float[] bufA = new float[CHUNK_ROWS * f];
    float[] bufB = new float[CHUNK_ROWS * f];
    for (int r0 = 0; r0 < a.rows(); r0 += CHUNK_ROWS) {
      int rows = Math.min(CHUNK_ROWS, a.rows() - r0);
      a.read(r0, rows, bufA);
      b.read(r0, rows, bufB);
      for (int r = 0; r < rows; r++) {
        int k = slot[rowSnippets[r0 + r]];
        for (int l = 0; l < layers; l++) {
          int off = r * f + l * hidden;
          double dot = 0;
          double na = 0;
          double nb = 0;
          for (int j = 0; j < hidden; j++) {
            float x = bufA[off + j];
            float y = bufB[off + j];
            dot += (double) x * y;
            na += (double) x * x;
            nb += (double) y * y;
            if (k >= 0) {
              poolA[l][k * hidden + j] += x;
              poolB[l][k * hidden + j] += y;
            }
          }
          cosSum[l] += na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : (na == 0 && nb == 0 ? 1 : 0);
        }
      }
      bar.step(rows);
    }
    double[][][] paired = LayerSimilarity.paired(a, b, layers, hidden);
    List<LayerDrift> out = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      double[] ua = upperTriangle(poolA[l], n, hidden);
      double[] ub = upperTriangle(poolB[l], n, hidden);
      double[] self = paired[1][l].clone();
      Arrays.sort(self);
      double median = self.length % 2 == 1 ? self[self.length / 2] : (self[self.length / 2 - 1] + self[self.length / 2]) / 2;
      long below = Arrays.stream(self).filter(v -> v < 0.5).count();
      out.add(new LayerDrift(l, Correlations.spearman(ua, ub), Correlations.pearson(ua, ub), paired[0][l][0],
          cosSum[l] / a.rows(), median, below / (double) hidden));
    }
    return new Result(out, a.rows(), n);
  }

  /** The cosine similarities of every pair i < j of the n pooled rows (each normalised first). */
  static double[] upperTriangle(float[] pooled, int n, int d) {
    double[] unit = new double[n * d];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < d; j++) {
        s += (double) pooled[i * d + j] * pooled[i * d + j];
      }
      double inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (int j = 0; j < d; j++) {
        unit[i * d + j] = pooled[i * d + j] * inv;
      }
    }
    double[] out = new double[n * (n - 1) / 2];
    int k = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double dot = 0;
        int oi = i * d;
        int oj = j * d;
        for (int c = 0; c < d; c++) {
          dot += unit[oi + c] * unit[oj + c];
        }
        out[k++] = dot;
      }
    }
    return out;
  }
}
