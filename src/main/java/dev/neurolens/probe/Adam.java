package dev.neurolens.probe;

/**
 * Adam (Kingma and Ba) with PyTorch's defaults (beta1 0.9, beta2 0.999, eps 1e-8, no weight
 * decay) over one flat parameter array, updated in place; a step may update the array in several
 * ranges (the probes of a {@link BlockTrainer} pass), all with the bias corrections of the same
 * step count.
 */
final class Adam {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPS = 1e-8f;

  private final double lr;
  private final float[] m;
  private final float[] v;
  private int t;
  private float step;
  private float sqrtBc2;

  Adam(int size, double lr) {
    this.lr = lr;
    this.m = new float[size];
    this.v = new float[size];
  }

  /** Starts the next step: its bias corrections apply to every range updated until the next call. */
  void advance() {
    t++;
    sqrtBc2 = (float) Math.sqrt(1 - Math.pow(0.999, t));
    step = (float) (lr / (1 - Math.pow(0.9, t)));
  }

  /** param[from..to) -= lr * mhat / (sqrt(vhat) + eps). */
  void step(float[] param, float[] grad, int from, int to) {
    update(param, grad, from, to);
  }

  /**
   * The same on {@code grad} plus the elastic-net gradient of {@code param} (lambda1 * sign(W) +
   * l2Scale * W, sign(0) = 0: {@link ProbeObjective#addPenaltyGradient} with l2Scale = lambda2 /
   * ||W||); {@code grad} is left with the penalised gradient. The penalty and the update are two
   * simple loops, which the JIT compiles to vector instructions (about 3x faster than one loop
   * doing both with a branch on the sign).
   */
  void stepPenalized(float[] param, float[] grad, int from, int to, float lambda1, float l2Scale) {
    for (int j = from; j < to; j++) {
      float w = param[j];
      grad[j] = grad[j] + ((w == 0f ? 0f : Math.copySign(lambda1, w)) + l2Scale * w);
    }
    update(param, grad, from, to);
  }

  private void update(float[] param, float[] grad, int from, int to) {
    float b1 = BETA1;
    float b2 = BETA2;
    float c1 = 1 - b1;
    float c2 = 1 - b2;
    float s = step;
    float bc = sqrtBc2;
    for (int j = from; j < to; j++) {
      float g = grad[j];
      float mj = b1 * m[j] + c1 * g;
      float vj = b2 * v[j] + c2 * g * g;
      m[j] = mj;
      v[j] = vj;
      param[j] = param[j] - s * mj / ((float) Math.sqrt(vj) / bc + EPS);
    }
  }
}
