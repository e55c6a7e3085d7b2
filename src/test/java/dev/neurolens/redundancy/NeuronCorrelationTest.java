package dev.neurolens.redundancy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.neurolens.activation.DenseActivations;
import dev.neurolens.util.NeuroLensException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NeuronCorrelationTest {

  /** Rows of correlated neurons with a large common offset (stress for the centring). */
  static float[][] correlated(int n, int f, int factors, double offset, long seed) {
    Random rnd = new Random(seed);
    double[][] load = new double[f][factors];
    for (double[] row : load) {
      for (int k = 0; k < factors; k++) {
        row[k] = rnd.nextGaussian();
      }
    }
    float[][] x = new float[n][f];
    for (int i = 0; i < n; i++) {
      double[] z = new double[factors];
      for (int k = 0; k < factors; k++) {
        z[k] = rnd.nextGaussian();
      }
      for (int j = 0; j < f; j++) {
        double v = offset + (j % 7) + 0.5 * rnd.nextGaussian();
        for (int k = 0; k < factors; k++) {
          v += load[j][k] * z[k];
        }
        x[i][j] = (float) v;
      }
    }
    return x;
  }

  /** Straightforward two-pass Pearson r in double (means first, then centred sums). */
  static double twoPass(float[][] x, int a, int b) {
    int n = x.length;
    double ma = 0;
    double mb = 0;
    for (float[] row : x) {
      ma += row[a];
      mb += row[b];
    }
    ma /= n;
    mb /= n;
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (float[] row : x) {
      double da = row[a] - ma;
      double db = row[b] - mb;
      sab += da * db;
      saa += da * da;
      sbb += db * db;
    }
    return sab / Math.sqrt(saa * sbb);
  }

  @Test
  void compute_manyChunksAndBlocks_matchesTwoPassDouble() {
    // 1,100 neurons = two column blocks; 700 rows = six chunks of 128
    float[][] x = correlated(700, 1100, 8, 1000.0, 1);
    CorrelationMatrix r = NeuronCorrelation.compute(DenseActivations.of(x), range(1100), 128);
    double worst = 0;
    for (int a = 0; a < 1100; a += 7) {
      for (int b = 0; b < 1100; b++) {
        double ref = a == b ? 1 : twoPass(x, a, b);
        worst = Math.max(worst, Math.abs(ref - r.get(a, b)));
      }
    }
    assertEquals(0, worst, 1e-5);
    assertEquals(0, r.constantPositions().length);
    assertEquals(700, r.rows());
  }

  @Test
  void compute_columnSubset_keepsFeatureIdsAndValues() {
    float[][] x = correlated(300, 20, 3, 0.0, 2);
    int[] cols = {17, 3, 9};
    CorrelationMatrix r = NeuronCorrelation.compute(DenseActivations.of(x), cols);
    assertArrayEquals(cols, r.features());
    assertEquals(twoPass(x, 17, 9), r.get(0, 2), 1e-5);
    assertEquals(twoPass(x, 3, 17), r.get(1, 0), 1e-5);
  }

  @Test
  void compute_constantNeuron_reportedZeroCorrelationUnitDiagonal() {
    float[][] x = correlated(200, 5, 2, 0.0, 3);
    for (float[] row : x) {
      row[2] = 0.37f;
    }
    CorrelationMatrix r = NeuronCorrelation.compute(DenseActivations.of(x), range(5), 64);
    assertArrayEquals(new int[] {2}, r.constantFeatures());
    for (int j = 0; j < 5; j++) {
      assertEquals(j == 2 ? 1f : 0f, r.get(2, j));
      assertEquals(j == 2 ? 1f : 0f, r.get(j, 2));
    }
    assertEquals(twoPass(x, 0, 4), r.get(0, 4), 1e-5);
  }

  @Test
  void compute_perfectlyAntiCorrelated_minusOne() {
    float[][] x = new float[50][2];
    for (int i = 0; i < 50; i++) {
      x[i][0] = i * 0.1f;
      x[i][1] = 3 - i * 0.2f;
    }
    CorrelationMatrix r = NeuronCorrelation.compute(DenseActivations.of(x));
    assertEquals(-1.0, r.get(0, 1), 1e-6);
  }

  @Test
  void compute_emptySelectionOrOneRow_clearError() {
    DenseActivations m = DenseActivations.of(new float[][] {{1, 2}});
    assertThrows(NeuroLensException.class, () -> NeuronCorrelation.compute(m, new int[0]));
    assertThrows(NeuroLensException.class, () -> NeuronCorrelation.compute(m));
  }

  static int[] range(int n) {
    return java.util.stream.IntStream.range(0, n).toArray();
  }
}
