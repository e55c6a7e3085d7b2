package dev.neurolens.probe;

import ai.djl.ndarray.NDArray;

/**
 * Adam (Kingma and Ba) with PyTorch's defaults (beta1 0.9, beta2 0.999, eps 1e-8, no weight
 * decay) for one parameter tensor, updated in place.
 */
final class Adam {
  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPS = 1e-8;

  private final double lr;
  private final NDArray m;
  private final NDArray v;
  private int t;

  /** {@code param} shapes the moment buffers, created under the parameter's manager. */
  Adam(NDArray param, double lr) {
    this.lr = lr;
    this.m = param.zerosLike();
    this.v = param.zerosLike();
  }

  /** The moment buffers, for {@code NDManager.tempAttachAll}. */
  NDArray[] state() {
    return new NDArray[] {m, v};
  }

  /** param -= lr * mhat / (sqrt(vhat) + eps); temporaries go to the current manager of param. */
  void step(NDArray param, NDArray grad) {
    t++;
    double bc1 = 1 - Math.pow(BETA1, t);
    double bc2 = 1 - Math.pow(BETA2, t);
    m.muli((float) BETA1).addi(grad.mul((float) (1 - BETA1)));
    v.muli((float) BETA2).addi(grad.square().muli((float) (1 - BETA2)));
    NDArray denom = v.sqrt().divi((float) Math.sqrt(bc2)).addi((float) EPS);
    param.subi(m.div(denom).muli((float) (lr / bc1)));
  }
}
