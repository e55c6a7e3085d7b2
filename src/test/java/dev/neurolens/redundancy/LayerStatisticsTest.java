package dev.neurolens.redundancy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.neurolens.activation.DenseActivations;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LayerStatisticsTest {
  /** Rows with a shared factor per row, offsets far from zero (stress for the merge's mean update). */
  private static float[][] rows(int n, int layers, int hidden, long seed) {
    Random r = new Random(seed);
    float[][] x = new float[n][layers * hidden];
    for (int i = 0; i < n; i++) {
      double z = r.nextGaussian();
      for (int j = 0; j < layers * hidden; j++) {
        x[i][j] = (float) (5 + j % 3 + (j % 2 == 0 ? z : 0) + 0.5 * r.nextGaussian());
      }
    }
    return x;
  }

  private static float[][] slice(float[][] x, int from, int to) {
    return java.util.Arrays.copyOfRange(x, from, to);
  }

  @Test
  void merge_unevenParts_equalsOnePass() {
    int layers = 3;
    int hidden = 6;
    float[][] x = rows(301, layers, hidden, 7);
    LayerStatistics parts = LayerStatistics.empty(layers, hidden);
    int[] cuts = {0, 1, 90, 91, 250, 301};
    for (int k = 0; k + 1 < cuts.length; k++) {
      parts = LayerStatistics.of(DenseActivations.of(slice(x, cuts[k], cuts[k + 1])), layers, hidden).merge(parts);
    }
    DenseActivations all = DenseActivations.of(x);
    LayerSimilarityResult whole = LayerSimilarity.within(all, layers, hidden);
    LayerSimilarityResult merged = parts.similarity();
    assertEquals(301, parts.rows());
    for (int a = 0; a < layers; a++) {
      for (int b = 0; b < layers; b++) {
        assertEquals(whole.cka()[a][b], merged.cka()[a][b], 1e-6);
        assertEquals(whole.meanBestAbsR()[a][b], merged.meanBestAbsR()[a][b], 1e-6);
      }
    }
    for (int l = 0; l < layers; l++) {
      int[] cols = java.util.stream.IntStream.range(l * hidden, (l + 1) * hidden).toArray();
      CorrelationMatrix ref = NeuronCorrelation.compute(all, cols);
      CorrelationMatrix got = parts.correlation(l, l * hidden);
      assertEquals(ref.size(), got.size());
      for (int i = 0; i < hidden; i++) {
        assertEquals(ref.feature(i), got.feature(i));
        for (int j = 0; j < hidden; j++) {
          assertEquals(ref.get(i, j), got.get(i, j), 1e-5);
        }
      }
    }
  }
}
