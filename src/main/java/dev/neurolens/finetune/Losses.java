package dev.neurolens.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Training losses on NDArrays (differentiable): InfoNCE over in-batch negatives and softmax
 * cross-entropy, both averaged over the batch; and L2 normalisation of rows.
 *
 * <p>Usage: {@code NDArray loss = Losses.infoNce(Losses.l2Normalize(q), Losses.l2Normalize(c), 0.05f)}
 */
public final class Losses {
  private Losses() {}

  /** Rows scaled to unit length: (B, D) -> (B, D). */
  public static NDArray l2Normalize(NDArray x) {
    return x.div(x.square().sum(new int[] {1}, true).add(1e-12f).sqrt());
  }

  /**
   * InfoNCE with in-batch negatives: {@code sim = q c^T / tau} (B, B); the loss is the mean over
   * rows i of {@code -log softmax(sim_i)[i]} (query i's own code is the positive, the other
   * codes of the batch its negatives). Pass normalised rows for cosine similarity.
   */
  public static NDArray infoNce(NDArray q, NDArray c, float tau) {
    long b = q.getShape().get(0);
    NDArray sim = q.matMul(c.transpose()).div(tau);
    NDArray eye = q.getManager().eye((int) b);
    return sim.logSoftmax(1).mul(eye).sum().neg().div(b);
  }

  /** Mean softmax cross-entropy of logits (B, C) against class ids. */
  public static NDArray crossEntropy(NDArray logits, int[] labels) {
    long b = logits.getShape().get(0);
    int c = (int) logits.getShape().get(1);
    float[] oneHot = new float[labels.length * c];
    for (int i = 0; i < labels.length; i++) {
      oneHot[i * c + labels[i]] = 1f;
    }
    NDManager m = logits.getManager();
    NDArray target = m.create(oneHot, new Shape(b, c));
    return logits.logSoftmax(1).mul(target).sum().neg().div(b);
  }
}
