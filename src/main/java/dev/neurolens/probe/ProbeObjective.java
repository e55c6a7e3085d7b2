package dev.neurolens.probe;

/**
 * The probe objective of ALGORITHMS.md section 2 and its gradient:
 *
 * <pre>
 *   loss = data(X W^T + b, Y) + lambda1 * sum|W| + lambda2 * ||W||_2
 * </pre>
 *
 * where data is the mean cross-entropy of the softmax (classification) or the mean squared error
 * (regression) over the B rows of a minibatch, ||W||_2 is the Frobenius norm (not squared, as in
 * NeuroX) and the bias is not penalised. The gradient is analytic: (softmax - onehot) / B (or
 * 2 (s - y) / B) for the scores, sign(W) for the L1 term (0 at 0, as autograd) and W / ||W|| for
 * the norm (0 when W = 0).
 *
 * <p>The trainer computes the two matrix products (scores = X W^T, dW = dS^T X) on NDArrays and
 * the cheap (B, C) and (C, F) parts here, in plain Java; {@link #lossAndGradient} composes the
 * same pieces in Java for small inputs and tests.
 */
final class ProbeObjective {

  private ProbeObjective() {}

  /**
   * Mean cross-entropy of softmax(scores) against {@code gold}; writes (softmax - onehot) / B
   * into {@code gradScores}.
   *
   * @param scores (B, C) logits including the bias, row-major
   */
  static double crossEntropy(float[] scores, int batch, int classes, int[] gold, float[] gradScores) {
    double loss = 0;
    for (int i = 0; i < batch; i++) {
      int off = i * classes;
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < classes; k++) {
        max = Math.max(max, scores[off + k]);
      }
      double sum = 0;
      for (int k = 0; k < classes; k++) {
        sum += Math.exp(scores[off + k] - max);
      }
      double logSum = max + Math.log(sum);
      loss += logSum - scores[off + gold[i]];
      for (int k = 0; k < classes; k++) {
        double p = Math.exp(scores[off + k] - logSum);
        gradScores[off + k] = (float) ((p - (k == gold[i] ? 1 : 0)) / batch);
      }
    }
    return loss / batch;
  }

  /** Mean squared error of scores (B, 1) against targets; writes 2 (s - y) / B into gradScores. */
  static double squaredError(float[] scores, int batch, float[] target, float[] gradScores) {
    double loss = 0;
    for (int i = 0; i < batch; i++) {
      double d = scores[i] - target[i];
      loss += d * d;
      gradScores[i] = (float) (2 * d / batch);
    }
    return loss / batch;
  }

  /** lambda1 * sum|W| + lambda2 * ||W||_2. */
  static double penalty(float[] w, double lambda1, double lambda2) {
    double abs = 0;
    double sq = 0;
    for (float v : w) {
      abs += Math.abs(v);
      sq += (double) v * v;
    }
    return lambda1 * abs + lambda2 * Math.sqrt(sq);
  }

  /** Adds lambda1 * sign(W) + lambda2 * W / ||W|| to {@code grad}. */
  static void addPenaltyGradient(float[] w, double lambda1, double lambda2, float[] grad) {
    double sq = 0;
    for (float v : w) {
      sq += (double) v * v;
    }
    double norm = Math.sqrt(sq);
    float l1 = (float) lambda1;
    float l2 = norm > 0 ? (float) (lambda2 / norm) : 0f;
    for (int j = 0; j < w.length; j++) {
      grad[j] += l1 * Math.signum(w[j]) + l2 * w[j];
    }
  }

  /**
   * The whole objective in plain Java (small inputs, tests): returns the loss and writes dW (C, F)
   * and db (C).
   *
   * @param x (B, F) features, row-major
   * @param w (C, F) weights, row-major
   * @param gold class per row (classification) or null
   * @param target value per row (regression, C = 1) or null
   */
  static double lossAndGradient(
      float[] x, int batch, int features, float[] w, float[] b, int classes, int[] gold,
      float[] target, double lambda1, double lambda2, float[] gradW, float[] gradB) {
    float[] scores = new float[batch * classes];
    for (int i = 0; i < batch; i++) {
      for (int k = 0; k < classes; k++) {
        double s = b[k];
        for (int j = 0; j < features; j++) {
          s += x[i * features + j] * w[k * features + j];
        }
        scores[i * classes + k] = (float) s;
      }
    }
    float[] gs = new float[batch * classes];
    double loss =
        gold != null ? crossEntropy(scores, batch, classes, gold, gs) : squaredError(scores, batch, target, gs);
    java.util.Arrays.fill(gradW, 0f);
    java.util.Arrays.fill(gradB, 0f);
    for (int i = 0; i < batch; i++) {
      for (int k = 0; k < classes; k++) {
        float g = gs[i * classes + k];
        gradB[k] += g;
        for (int j = 0; j < features; j++) {
          gradW[k * features + j] += g * x[i * features + j];
        }
      }
    }
    addPenaltyGradient(w, lambda1, lambda2, gradW);
    return loss + penalty(w, lambda1, lambda2);
  }
}
