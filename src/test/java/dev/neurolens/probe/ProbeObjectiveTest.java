package dev.neurolens.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class ProbeObjectiveTest {
  private static final float[] X = {1f, 2f, 0f, -1f}; // 2 rows x 2 features
  private static final float[] W = {0.5f, -1f, 0.25f, 0f}; // 2 classes x 2 features
  private static final float[] B = {0.1f, -0.2f};
  private static final float[] ONE_HOT = {1f, 0f, 0f, 1f}; // gold classes 0, 1

  @Test
  void compute_tinyCase_matchesHandComputedLoss() {
    // row 0 logits: 0.5*1 - 1*2 + 0.1 = -1.4 ; 0.25*1 + 0*2 - 0.2 = 0.05 ; gold 0
    // row 1 logits: 0.5*0 - 1*-1 + 0.1 = 1.1 ; 0 - 0.2 = -0.2 ; gold 1
    double ce0 = Math.log(Math.exp(-1.4) + Math.exp(0.05)) + 1.4;
    double ce1 = Math.log(Math.exp(1.1) + Math.exp(-0.2)) + 0.2;
    double l1 = 0.1 * (0.5 + 1 + 0.25); // lambda1 * sum|W|, bias not penalised
    double l2 = 0.2 * Math.sqrt(0.25 + 1 + 0.0625); // lambda2 * L2 norm (not squared)
    double expected = (ce0 + ce1) / 2 + l1 + l2;
    try (NDManager m = NDManager.newBaseManager()) {
      ProbeObjective.Result r = compute(m, W, 0.1, 0.2);
      assertEquals(expected, r.loss().getFloat(), 1e-5);
    }
  }

  @Test
  void compute_tinyCase_gradientMatchesFiniteDifferences() {
    double eps = 1e-2;
    try (NDManager m = NDManager.newBaseManager()) {
      float[] grad = compute(m, W, 0.1, 0.2).gradW().toFloatArray();
      for (int i = 0; i < W.length; i++) {
        float[] plus = W.clone();
        float[] minus = W.clone();
        plus[i] += (float) eps;
        minus[i] -= (float) eps;
        double numeric =
            (compute(m, plus, 0.1, 0.2).loss().getFloat() - compute(m, minus, 0.1, 0.2).loss().getFloat())
                / (2 * eps);
        // W[3] = 0: the L1 subgradient there is 0 (like autograd), finite differences see |.| kinks
        if (W[i] != 0f) {
          assertEquals(numeric, grad[i], 2e-3, "dLoss/dW[" + i + "]");
        }
      }
    }
  }

  @Test
  void compute_regression_gradientOfMseIsTwiceMeanResidualTimesX() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(X, new Shape(2, 2));
      NDArray w = m.create(new float[] {1f, 1f}, new Shape(1, 2));
      NDArray b = m.create(new float[] {0f});
      NDArray y = m.create(new float[] {2f, 0f}, new Shape(2, 1));
      // predictions 3 and -1, residuals 1 and -1: MSE 1; dW = 2/2 * (1*[1,2] + -1*[0,-1]) = [1, 3]
      ProbeObjective.Result r = ProbeObjective.compute(x, y, w, b, 0, 0, true);
      assertEquals(1.0, r.loss().getFloat(), 1e-6);
      assertArrayEquals(new float[] {1f, 3f}, r.gradW().toFloatArray(), 1e-6f);
      assertArrayEquals(new float[] {0f}, r.gradB().toFloatArray(), 1e-6f);
    }
  }

  private static ProbeObjective.Result compute(NDManager m, float[] w, double l1, double l2) {
    return ProbeObjective.compute(
        m.create(X, new Shape(2, 2)), m.create(ONE_HOT, new Shape(2, 2)), m.create(w, new Shape(2, 2)),
        m.create(B), l1, l2, false);
  }
}
