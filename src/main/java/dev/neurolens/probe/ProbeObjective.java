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
    double[] e = new double[classes];
    for (int i = 0; i < batch; i++) {
      int off = i * classes;
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < classes; k++) {
        max = Math.max(max, scores[off + k]);
      }
      double sum = 0;
      for (int k = 0; k < classes; k++) {
        e[k] = Math.exp(scores[off + k] - max);
        sum += e[k];
      }
      loss += max + Math.log(sum) - scores[off + gold[i]];
      for (int k = 0; k < classes; k++) {
        gradScores[off + k] = (float) ((e[k] / sum - (k == gold[i] ? 1 : 0)) / batch);
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

  /**
   * {sum |W|, sum W^2} in one pass, accumulated in double. Four partial sums per quantity keep
   * the loop from being one long chain of dependent additions (about 1.5x faster on (73, 4992)
   * weights); the result differs from a sequential sum only by rounding.
   */
  static double[] absAndSquareSums(float[] w) {
    return absAndSquareSums(w, 0, w.length);
  }

  /** {@link #absAndSquareSums(float[])} of {@code w[from..from+len)}. */
  static double[] absAndSquareSums(float[] w, int from, int len) {
    double a0 = 0;
    double a1 = 0;
    double a2 = 0;
    double a3 = 0;
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int n = from + len;
    int j = from;
    for (; j + 3 < n; j += 4) {
      float v0 = w[j];
      float v1 = w[j + 1];
      float v2 = w[j + 2];
      float v3 = w[j + 3];
      a0 += Math.abs(v0);
      a1 += Math.abs(v1);
      a2 += Math.abs(v2);
      a3 += Math.abs(v3);
      s0 += (double) v0 * v0;
      s1 += (double) v1 * v1;
      s2 += (double) v2 * v2;
      s3 += (double) v3 * v3;
    }
    for (; j < n; j++) {
      a0 += Math.abs(w[j]);
      s0 += (double) w[j] * w[j];
    }
    return new double[] {(a0 + a1) + (a2 + a3), (s0 + s1) + (s2 + s3)};
  }

  /** lambda1 * sum|W| + lambda2 * ||W||_2. */
  static double penalty(float[] w, double lambda1, double lambda2) {
    double[] sums = absAndSquareSums(w);
    return lambda1 * sums[0] + lambda2 * Math.sqrt(sums[1]);
  }

  /** Adds lambda1 * sign(W) + lambda2 * W / ||W|| to {@code grad}. */
  static void addPenaltyGradient(float[] w, double lambda1, double lambda2, float[] grad) {
    addPenaltyGradient(w, lambda1, lambda2, Math.sqrt(absAndSquareSums(w)[1]), grad);
  }

  /**
   * Adds lambda1 * sign(W) + lambda2 * W / norm to {@code grad}, where {@code norm} = ||W||_2 has
   * been computed already (the trainer needs it for the loss too). sign(0) = 0, as autograd; the
   * sign is taken with {@link Math#copySign}, which unlike {@link Math#signum} compiles to
   * branch-free code (about 7x faster here).
   */
  static void addPenaltyGradient(float[] w, double lambda1, double lambda2, double norm, float[] grad) {
    float l1 = (float) lambda1;
    float l2 = norm > 0 ? (float) (lambda2 / norm) : 0f;
    for (int j = 0; j < w.length; j++) {
      float v = w[j];
      grad[j] += (v == 0f ? 0f : Math.copySign(l1, v)) + l2 * v;
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
