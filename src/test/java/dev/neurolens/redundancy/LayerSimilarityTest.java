package dev.neurolens.redundancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.activation.DenseActivations;
import dev.neurolens.util.NeuroLensException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LayerSimilarityTest {

  /** A random d x d orthogonal matrix (Gram-Schmidt on Gaussian columns). */
  static double[][] orthogonal(int d, long seed) {
    Random rnd = new Random(seed);
    double[][] q = new double[d][d];
    for (int c = 0; c < d; c++) {
      double[] v = new double[d];
      for (int i = 0; i < d; i++) {
        v[i] = rnd.nextGaussian();
      }
      for (int p = 0; p < c; p++) {
        double dot = 0;
        for (int i = 0; i < d; i++) {
          dot += v[i] * q[i][p];
        }
        for (int i = 0; i < d; i++) {
          v[i] -= dot * q[i][p];
        }
      }
      double norm = 0;
      for (double x : v) {
        norm += x * x;
      }
      for (int i = 0; i < d; i++) {
        q[i][c] = v[i] / Math.sqrt(norm);
      }
    }
    return q;
  }

  static float[][] times(float[][] x, double[][] q, double scale, double shift) {
    float[][] y = new float[x.length][q[0].length];
    for (int n = 0; n < x.length; n++) {
      for (int j = 0; j < q[0].length; j++) {
        double s = 0;
        for (int i = 0; i < q.length; i++) {
          s += x[n][i] * q[i][j];
        }
        y[n][j] = (float) (scale * s + shift);
      }
    }
    return y;
  }

  static float[][] concat(float[][] a, float[][] b) {
    float[][] out = new float[a.length][];
    for (int n = 0; n < a.length; n++) {
      out[n] = new float[a[n].length + b[n].length];
      System.arraycopy(a[n], 0, out[n], 0, a[n].length);
      System.arraycopy(b[n], 0, out[n], a[n].length, b[n].length);
    }
    return out;
  }

  @Test
  void between_identicalInputs_ckaOne() {
    float[][] x = NeuronCorrelationTest.correlated(300, 12, 3, 0.0, 1);
    DenseActivations m = DenseActivations.of(x);
    LayerSimilarityResult s = LayerSimilarity.between(m, 3, 4, m, 3, 4);
    for (int l = 0; l < 3; l++) {
      assertEquals(1.0, s.cka()[l][l], 1e-5);
      assertEquals(1.0, s.meanBestAbsR()[l][l], 1e-5);
    }
    assertTrue(s.cka()[0][1] < 0.999);
  }

  @Test
  void between_orthogonalTransformAndScaling_ckaUnchanged() {
    float[][] x = NeuronCorrelationTest.correlated(400, 8, 3, 0.0, 2);
    float[][] z = NeuronCorrelationTest.correlated(400, 8, 3, 0.0, 3);
    for (int n = 0; n < 400; n++) {
      for (int j = 0; j < 8; j++) {
        z[n][j] += 0.8f * x[n][(j + 3) % 8];
      }
    }
    float[][] y = times(x, orthogonal(8, 4), 3.7, 5.0);
    DenseActivations mx = DenseActivations.of(x);
    DenseActivations my = DenseActivations.of(y);
    DenseActivations mz = DenseActivations.of(z);
    assertEquals(1.0, LayerSimilarity.between(mx, 1, 8, my, 1, 8).cka()[0][0], 1e-5);
    double xz = LayerSimilarity.between(mx, 1, 8, mz, 1, 8).cka()[0][0];
    double yz = LayerSimilarity.between(my, 1, 8, mz, 1, 8).cka()[0][0];
    assertTrue(xz > 0.1 && xz < 0.95, "non-trivial CKA expected, found " + xz);
    assertEquals(xz, yz, 1e-5);
  }

  @Test
  void between_handComputedCase_matches() {
    // centred x = (-1, 0, 1); y1 = (-1, 0, 1), y2 = (1, -2, 1); offsets must not matter.
    // XᵀX = 2, YᵀX = (2, 0), YᵀY = diag(2, 6): CKA = 4 / (2 * sqrt(40)) = 0.316228
    float[][] x = {{4}, {5}, {6}};
    float[][] y = {{1, 0}, {2, -3}, {3, 0}};
    LayerSimilarityResult s =
        LayerSimilarity.between(DenseActivations.of(x), 1, 1, DenseActivations.of(y), 1, 2);
    assertEquals(4 / (2 * Math.sqrt(40)), s.cka()[0][0], 1e-6);
    assertEquals(1.0, s.meanBestAbsR()[0][0], 1e-6);
  }

  @Test
  void within_rotatedLayer_ckaOneAndPermutedLayerBestMatchOne() {
    float[][] l0 = NeuronCorrelationTest.correlated(300, 6, 6, 0.0, 5);
    float[][] l1 = times(l0, orthogonal(6, 6), 0.5, 1.0);
    double[][] perm = new double[6][6];
    for (int i = 0; i < 6; i++) {
      perm[i][(i + 2) % 6] = i % 2 == 0 ? 1 : -1;
    }
    float[][] l2 = times(l0, perm, 2.0, 0.0);
    float[][] l3 = NeuronCorrelationTest.correlated(300, 6, 6, 0.0, 7);
    DenseActivations m = DenseActivations.of(concat(concat(l0, l1), concat(l2, l3)));
    LayerSimilarityResult s = LayerSimilarity.within(m, 4, 6);
    double[][] cka = s.cka();
    assertEquals(1.0, cka[0][1], 1e-5);
    assertEquals(1.0, cka[1][0], 1e-5);
    assertEquals(1.0, cka[0][2], 1e-5);
    assertEquals(1.0, cka[3][3], 1e-5);
    assertTrue(cka[0][3] < 0.5, "independent layers: " + cka[0][3]);
    assertEquals(1.0, s.meanBestAbsR()[0][2], 1e-5);
    assertEquals(1.0, s.meanBestAbsR()[2][0], 1e-5);
    assertTrue(s.meanBestAbsR()[0][1] < 0.999);
    assertEquals(s.meanBestAbsR()[1][2], s.adjacentBestAbsR()[1], 0);
    assertEquals(3, s.adjacentBestAbsR().length);
  }

  @Test
  void within_wrongLayoutOrEmptyLayers_clearError() {
    DenseActivations m = DenseActivations.of(NeuronCorrelationTest.correlated(10, 6, 1, 0, 1));
    assertThrows(NeuroLensException.class, () -> LayerSimilarity.within(m, 4, 2));
    assertThrows(NeuroLensException.class, () -> LayerSimilarity.within(m, 0, 6));
  }
}
