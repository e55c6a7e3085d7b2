package dev.neurolens.probe;

/**
 * Adam (Kingma and Ba) with PyTorch's defaults (beta1 0.9, beta2 0.999, eps 1e-8, no weight
 * decay) over one flat parameter array, updated in place.
 */
final class Adam {
  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPS = 1e-8;

  private final double lr;
  private final float[] m;
  private final float[] v;
  private int t;

  Adam(int size, double lr) {
    this.lr = lr;
    this.m = new float[size];
    this.v = new float[size];
  }

  /** param -= lr * mhat / (sqrt(vhat) + eps). */
  void step(float[] param, float[] grad) {
    t++;
    float b1 = (float) BETA1;
    float b2 = (float) BETA2;
    float sqrtBc2 = (float) Math.sqrt(1 - Math.pow(BETA2, t));
    float step = (float) (lr / (1 - Math.pow(BETA1, t)));
    float eps = (float) EPS;
    for (int j = 0; j < param.length; j++) {
      float g = grad[j];
      m[j] = b1 * m[j] + (1 - b1) * g;
      v[j] = b2 * v[j] + (1 - b2) * g * g;
      param[j] -= step * m[j] / ((float) Math.sqrt(v[j]) / sqrtBc2 + eps);
    }
  }

  /**
   * One step on {@code grad} plus the elastic-net gradient of {@code param} (lambda1 * sign(W) +
   * l2Scale * W, sign(0) = 0: {@link ProbeObjective#addPenaltyGradient} with l2Scale = lambda2 /
   * ||W||), and the sum of |W| and of W^2 after the update in the same pass, summed in the four
   * lanes of {@link ProbeObjective#absAndSquareSums} (so the values are bit-identical to calling
   * the three separately). {@code grad} is left with the penalised gradient.
   *
   * @return {sum |W|, sum W^2} of the updated parameters
   */
  double[] stepPenalized(float[] param, float[] grad, float lambda1, float l2Scale) {
    t++;
    float sqrtBc2 = (float) Math.sqrt(1 - Math.pow(BETA2, t));
    float step = (float) (lr / (1 - Math.pow(BETA1, t)));
    double a0 = 0;
    double a1 = 0;
    double a2 = 0;
    double a3 = 0;
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int n = param.length;
    int j = 0;
    for (; j + 3 < n; j += 4) {
      float w0 = update(param, grad, j, lambda1, l2Scale, step, sqrtBc2);
      float w1 = update(param, grad, j + 1, lambda1, l2Scale, step, sqrtBc2);
      float w2 = update(param, grad, j + 2, lambda1, l2Scale, step, sqrtBc2);
      float w3 = update(param, grad, j + 3, lambda1, l2Scale, step, sqrtBc2);
      a0 += Math.abs(w0);
      a1 += Math.abs(w1);
      a2 += Math.abs(w2);
      a3 += Math.abs(w3);
      s0 += (double) w0 * w0;
      s1 += (double) w1 * w1;
      s2 += (double) w2 * w2;
      s3 += (double) w3 * w3;
    }
    for (; j < n; j++) {
      float w = update(param, grad, j, lambda1, l2Scale, step, sqrtBc2);
      a0 += Math.abs(w);
      s0 += (double) w * w;
    }
    return new double[] {(a0 + a1) + (a2 + a3), (s0 + s1) + (s2 + s3)};
  }

  /** The penalised gradient and Adam update of element j (as {@link #step} after the penalty); returns the new value. */
  private float update(float[] param, float[] grad, int j, float lambda1, float l2Scale, float step, float sqrtBc2) {
    float b1 = (float) BETA1;
    float b2 = (float) BETA2;
    float w = param[j];
    float g = grad[j] + ((w == 0f ? 0f : Math.copySign(lambda1, w)) + l2Scale * w);
    grad[j] = g;
    m[j] = b1 * m[j] + (1 - b1) * g;
    v[j] = b2 * v[j] + (1 - b2) * g * g;
    w -= step * m[j] / ((float) Math.sqrt(v[j]) / sqrtBc2 + (float) EPS);
    param[j] = w;
    return w;
  }
}
