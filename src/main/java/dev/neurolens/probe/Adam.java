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
}
