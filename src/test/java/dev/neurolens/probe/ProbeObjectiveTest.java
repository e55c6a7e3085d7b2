package dev.neurolens.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProbeObjectiveTest {
  private static final float[] X = {1f, 2f, 0f, -1f}; // 2 rows x 2 features
  private static final float[] W = {0.5f, -1f, 0.25f, 0f}; // 2 classes x 2 features
  private static final float[] B = {0.1f, -0.2f};
  private static final int[] GOLD = {0, 1};

  @Test
  void lossAndGradient_tinyCase_matchesHandComputedLoss() {
    // row 0 logits: 0.5*1 - 1*2 + 0.1 = -1.4 ; 0.25*1 + 0*2 - 0.2 = 0.05 ; gold 0
    // row 1 logits: 0.5*0 - 1*-1 + 0.1 = 1.1 ; 0 - 0.2 = -0.2 ; gold 1
    double ce0 = Math.log(Math.exp(-1.4) + Math.exp(0.05)) + 1.4;
    double ce1 = Math.log(Math.exp(1.1) + Math.exp(-0.2)) + 0.2;
    double l1 = 0.1 * (0.5 + 1 + 0.25); // lambda1 * sum|W|, bias not penalised
    double l2 = 0.2 * Math.sqrt(0.25 + 1 + 0.0625); // lambda2 * L2 norm (not squared)
    double expected = (ce0 + ce1) / 2 + l1 + l2;
    assertEquals(expected, loss(W, B, 0.1, 0.2), 1e-6);
    // softmax of row 0 = (e^-1.4, e^0.05) / sum: dLoss/db0 = (p00 - 1 + p10) / 2
    double p00 = Math.exp(-1.4) / (Math.exp(-1.4) + Math.exp(0.05));
    double p10 = Math.exp(1.1) / (Math.exp(1.1) + Math.exp(-0.2));
    float[] gw = new float[4];
    float[] gb = new float[2];
    ProbeObjective.lossAndGradient(X, 2, 2, W, B, 2, GOLD, null, 0.1, 0.2, gw, gb);
    assertEquals((p00 - 1 + p10) / 2, gb[0], 1e-6);
  }

  @Test
  void lossAndGradient_tinyCase_gradientMatchesFiniteDifferences() {
    double eps = 1e-3;
    float[] gw = new float[4];
    float[] gb = new float[2];
    ProbeObjective.lossAndGradient(X, 2, 2, W, B, 2, GOLD, null, 0.1, 0.2, gw, gb);
    for (int i = 0; i < W.length; i++) {
      if (W[i] == 0f) {
        continue; // |.| has a kink at 0: the subgradient used there is 0, like autograd
      }
      float[] plus = W.clone();
      float[] minus = W.clone();
      plus[i] += (float) eps;
      minus[i] -= (float) eps;
      double numeric = (loss(plus, B, 0.1, 0.2) - loss(minus, B, 0.1, 0.2)) / (2 * eps);
      assertEquals(numeric, gw[i], 2e-3, "dLoss/dW[" + i + "]");
    }
    for (int k = 0; k < 2; k++) {
      float[] plus = B.clone();
      float[] minus = B.clone();
      plus[k] += (float) eps;
      minus[k] -= (float) eps;
      double numeric = (loss(W, plus, 0.1, 0.2) - loss(W, minus, 0.1, 0.2)) / (2 * eps);
      assertEquals(numeric, gb[k], 2e-3, "dLoss/db[" + k + "]");
    }
  }

  @Test
  void lossAndGradient_regression_gradientOfMseIsTwiceMeanResidualTimesX() {
    // predictions 3 and -1 for targets 2 and 0: residuals 1, -1, MSE 1;
    // dW = 2/2 * (1*[1,2] + -1*[0,-1]) = [1, 3]; db = 2/2 * (1 - 1) = 0
    float[] gw = new float[2];
    float[] gb = new float[1];
    double loss =
        ProbeObjective.lossAndGradient(
            X, 2, 2, new float[] {1f, 1f}, new float[] {0f}, 1, null, new float[] {2f, 0f}, 0, 0, gw, gb);
    assertEquals(1.0, loss, 1e-9);
    assertArrayEquals(new float[] {1f, 3f}, gw, 1e-6f);
    assertArrayEquals(new float[] {0f}, gb, 1e-6f);
  }

  @Test
  void penaltyGradient_zeroWeights_noNaN() {
    float[] grad = new float[3];
    ProbeObjective.addPenaltyGradient(new float[3], 0.1, 0.2, grad);
    assertArrayEquals(new float[3], grad);
  }

  @Test
  void penaltyAndGradient_oddLengthWithZeros_matchSequentialFormula() {
    // 1,003 weights (not a multiple of the 4 partial sums), with +0, -0 and both signs
    java.util.Random r = new java.util.Random(7);
    float[] w = new float[1003];
    for (int j = 0; j < w.length; j++) {
      w[j] = j % 10 == 0 ? 0f : j % 10 == 5 ? -0f : (float) r.nextGaussian();
    }
    double abs = 0;
    double sq = 0;
    for (float v : w) {
      abs += Math.abs(v);
      sq += (double) v * v;
    }
    double[] sums = ProbeObjective.absAndSquareSums(w);
    assertEquals(abs, sums[0], abs * 1e-12);
    assertEquals(sq, sums[1], sq * 1e-12);
    assertEquals(0.1 * abs + 0.2 * Math.sqrt(sq), ProbeObjective.penalty(w, 0.1, 0.2), 1e-9);
    float[] grad = new float[w.length];
    grad[3] = 1f; // added to, not overwritten
    ProbeObjective.addPenaltyGradient(w, 0.1, 0.2, grad);
    float l2 = (float) (0.2 / Math.sqrt(sq));
    for (int j = 0; j < w.length; j++) {
      float sign = w[j] > 0 ? 1f : w[j] < 0 ? -1f : 0f; // sign(+-0) = 0, as autograd
      float expected = (j == 3 ? 1f : 0f) + 0.1f * sign + l2 * w[j];
      assertEquals(expected, grad[j], 1e-6f, "grad[" + j + "]");
    }
  }

  private static double loss(float[] w, float[] b, double l1, double l2) {
    return ProbeObjective.lossAndGradient(X, 2, 2, w, b, 2, GOLD, null, l1, l2, new float[4], new float[2]);
  }
}
