package dev.neurolens.probe;

import ai.djl.ndarray.NDArray;

/**
 * The probe objective of ALGORITHMS.md section 2 and its gradient, on one minibatch:
 *
 * <pre>
 *   loss = data(X W^T + b, Y) + lambda1 * sum|W| + lambda2 * ||W||_2
 * </pre>
 *
 * where data is the mean cross-entropy of the softmax (classification) or the mean squared error
 * (regression), ||W||_2 is the Frobenius norm (not squared, as in NeuroX) and the bias is not
 * penalised. The gradient is analytic: (softmax - Y) / B for the logits, sign(W) for the L1 term
 * (0 at 0, as autograd does) and W / ||W|| for the norm (0 when W = 0).
 */
final class ProbeObjective {

  private ProbeObjective() {}

  /**
   * Loss (scalar) and gradients; every result is attached to the manager of {@code x}.
   *
   * @param x (B, F) features
   * @param target (B, C) one-hot classes, or (B, 1) regression targets
   * @param w (C, F) weights
   * @param b (C) bias
   */
  record Result(NDArray loss, NDArray gradW, NDArray gradB) {}

  static Result compute(
      NDArray x, NDArray target, NDArray w, NDArray b, double lambda1, double lambda2,
      boolean regression) {
    long batch = x.getShape().get(0);
    NDArray scores = x.matMul(w.transpose()).add(b); // (B, F) x (F, C) -> (B, C)
    NDArray data;
    NDArray gradScores;
    if (regression) {
      NDArray diff = scores.sub(target); // (B, 1)
      data = diff.square().mean();
      gradScores = diff.mul((float) (2.0 / batch));
    } else {
      NDArray logP = scores.logSoftmax(1); // (B, C)
      data = logP.mul(target).sum().neg().div((float) batch);
      gradScores = logP.exp().sub(target).div((float) batch);
    }
    NDArray gradW = gradScores.transpose().matMul(x); // (C, B) x (B, F) -> (C, F)
    NDArray gradB = gradScores.sum(new int[] {0}); // (C)
    NDArray loss = data;
    if (lambda1 > 0) {
      loss = loss.add(w.abs().sum().mul((float) lambda1));
      gradW = gradW.add(w.sign().mul((float) lambda1));
    }
    if (lambda2 > 0) {
      NDArray norm = w.square().sum().sqrt();
      loss = loss.add(norm.mul((float) lambda2));
      gradW = gradW.add(w.div(norm.maximum(1e-30f)).mul((float) lambda2));
    }
    return new Result(loss, gradW, gradB);
  }
}
