package dev.neurolens.redundancy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.activation.DenseActivations;
import dev.neurolens.util.Progress;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Layer drift measures on planted activations, and the rank correlations on hand-computed cases. */
class ModelDriftTest {
  private static final int LAYERS = 3;
  private static final int D = 6;
  private static final int ROWS = 400;

  /** Rows of 40 snippets (10 tokens each); each snippet has its own direction plus noise. */
  private static float[] planted(long seed) {
    Random r = new Random(seed);
    float[] x = new float[ROWS * LAYERS * D];
    double[][] snippetDir = new double[40][LAYERS * D];
    for (double[] s : snippetDir) {
      for (int j = 0; j < s.length; j++) {
        s[j] = r.nextGaussian();
      }
    }
    for (int row = 0; row < ROWS; row++) {
      for (int j = 0; j < LAYERS * D; j++) {
        x[row * LAYERS * D + j] = (float) (snippetDir[row / 10][j] + 0.5 * r.nextGaussian());
      }
    }
    return x;
  }

  private static int[] snippets() {
    int[] s = new int[ROWS];
    for (int i = 0; i < ROWS; i++) {
      s[i] = i / 10;
    }
    return s;
  }

  @Test
  void aModelAgainstItself_isOneEverywhere() {
    float[] x = planted(1);
    ModelDrift.Result r = ModelDrift.compute(new DenseActivations(x, ROWS, LAYERS * D), new DenseActivations(x.clone(), ROWS, LAYERS * D),
        LAYERS, D, snippets(), 1000, 1, Progress.silent());
    assertEquals(40, r.snippets());
    for (ModelDrift.LayerDrift l : r.layers()) {
      assertEquals(1.0, l.rsaSpearman(), 1e-12);
      assertEquals(1.0, l.rsaPearson(), 1e-12);
      assertEquals(1.0, l.cka(), 1e-9);
      assertEquals(1.0, l.tokenCosine(), 1e-9);
      assertEquals(1.0, l.neuronSelfCorrelationMedian(), 1e-9);
      assertEquals(0.0, l.neuronSelfCorrelationBelowHalf(), 0.0);
    }
  }

  @Test
  void rotationAndScaling_keepCkaAndRsa_butMoveTokensAndNeurons() {
    float[] x = planted(2);
    // per layer: y = 3 * x Q with Q a rotation by 90 degrees in each coordinate pair (orthogonal)
    float[] y = new float[x.length];
    for (int row = 0; row < ROWS; row++) {
      for (int l = 0; l < LAYERS; l++) {
        int o = row * LAYERS * D + l * D;
        for (int j = 0; j < D; j += 2) {
          y[o + j] = 3 * -x[o + j + 1];
          y[o + j + 1] = 3 * x[o + j];
        }
      }
    }
    ModelDrift.Result r = ModelDrift.compute(new DenseActivations(x, ROWS, LAYERS * D), new DenseActivations(y, ROWS, LAYERS * D),
        LAYERS, D, snippets(), 1000, 1, Progress.silent());
    for (ModelDrift.LayerDrift l : r.layers()) {
      assertEquals(1.0, l.cka(), 1e-6, "CKA is invariant to orthogonal maps and isotropic scaling");
      assertEquals(1.0, l.rsaSpearman(), 1e-9, "cosine RSA is invariant to them too");
      assertTrue(Math.abs(l.tokenCosine()) < 0.2, "a 90-degree rotation leaves little same-token cosine: " + l.tokenCosine());
      assertTrue(l.neuronSelfCorrelationBelowHalf() == 1.0, "every neuron moved: " + l.neuronSelfCorrelationBelowHalf());
    }
  }

  @Test
  void independentRandomActivations_haveRsaNearZero() {
    Random r = new Random(3);
    float[] a = new float[ROWS * LAYERS * D];
    float[] b = new float[ROWS * LAYERS * D];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextGaussian();
      b[i] = (float) r.nextGaussian();
    }
    ModelDrift.Result res = ModelDrift.compute(new DenseActivations(a, ROWS, LAYERS * D), new DenseActivations(b, ROWS, LAYERS * D),
        LAYERS, D, snippets(), 1000, 1, Progress.silent());
    for (ModelDrift.LayerDrift l : res.layers()) {
      assertTrue(Math.abs(l.rsaSpearman()) < 0.1 && Math.abs(l.rsaPearson()) < 0.1, "RSA " + l);
      assertTrue(l.cka() < 0.1, "CKA " + l.cka());
    }
  }

  @Test
  void spearman_withTies_handComputed() {
    double[] x = {1, 2, 2, 3};
    double[] y = {1, 3, 2, 4};
    assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, Correlations.ranks(x), 0.0);
    // ranks of x: [1, 2.5, 2.5, 4]; of y: [1, 3, 2, 4]; Pearson of the ranks = 4.5 / sqrt(4.5 * 5)
    assertEquals(4.5 / Math.sqrt(4.5 * 5), Correlations.spearman(x, y), 1e-12);
    assertEquals(1.0, Correlations.spearman(new double[] {1, 5, 9}, new double[] {2, 3, 100}), 1e-12);
    assertEquals(-1.0, Correlations.pearson(new double[] {1, 2, 3}, new double[] {6, 4, 2}), 1e-12);
  }
}
