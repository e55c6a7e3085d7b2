package dev.neurolens.finetune;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.neurolens.model.FloatTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (decoupled weight decay) over named leaves, with global gradient-norm clipping, using
 * PyTorch's fused native update. State (first and second moments, step count) exists only for
 * the leaves registered here, so frozen weights cost nothing. Biases and layer-norm weights get
 * no weight decay (the Hugging Face convention). The native update adds epsilon to sqrt(v) before
 * the bias correction is folded into the step size; the difference to torch.optim.AdamW is a
 * factor sqrt(1 - beta2^t) on epsilon.
 *
 * <p>Usage: {@code AdamW opt = new AdamW(0.01f); opt.add("w", w, 1f); ...backward...; opt.step(2e-5f, 1f)}
 */
public final class AdamW implements AutoCloseable {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPS = 1e-8f;

  private final NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
  private final float weightDecay;
  private final Map<String, Slot> slots = new LinkedHashMap<>();
  private long steps;

  private record Slot(NDArray leaf, NDArray m, NDArray v, float lrScale, boolean decay) {}

  /** @param weightDecay decoupled decay of matrices (not biases or norms), e.g. 0.01 */
  public AdamW(float weightDecay) {
    this.weightDecay = weightDecay;
  }

  /** Registers a leaf; its learning rate is {@code lr * lrScale}. */
  public void add(String name, NDArray leaf, float lrScale) {
    NDArray m = manager.zeros(leaf.getShape());
    NDArray v = manager.zeros(leaf.getShape());
    boolean decay = !(name.endsWith("bias") || name.contains("LayerNorm") || name.contains("embeddings."));
    slots.put(name, new Slot(leaf, m, v, lrScale, decay));
  }

  /** Number of steps taken. */
  public long steps() {
    return steps;
  }

  /**
   * Clips the gradients to global L2 norm {@code maxNorm}, applies one AdamW update at learning
   * rate {@code lr}, and zeroes the gradients.
   *
   * @return the gradient norm before clipping
   */
  public float step(float lr, float maxNorm) {
    List<NDArray> grads = new ArrayList<>(slots.size());
    try (NDManager tmp = manager.newSubManager()) {
      NDList norms = new NDList();
      for (Slot s : slots.values()) {
        NDArray g = s.leaf().getGradient();
        g.attach(tmp);
        grads.add(g);
        norms.add(g.norm()); // one pass, no temporary of the gradient's size
      }
      float norm = NDArrays.stack(norms).norm().getFloat();
      float rescale = maxNorm > 0 && norm > maxNorm ? maxNorm / (norm + 1e-6f) : 1f;
      steps++;
      double corr = Math.sqrt(1 - Math.pow(BETA2, steps)) / (1 - Math.pow(BETA1, steps));
      int k = 0;
      for (Slot s : slots.values()) {
        float slr = lr * s.lrScale();
        JniUtils.adamUpdate((PtNDArray) s.leaf(), (PtNDArray) grads.get(k++), (PtNDArray) s.m(), (PtNDArray) s.v(),
            slr, (float) (slr * corr), s.decay() ? weightDecay : 0f, rescale, -1f, BETA1, BETA2, EPS, true);
        JniUtils.zeroGrad((PtNDArray) s.leaf());
      }
      return norm;
    }
  }

  /** The moments, as {@code adam.m/NAME} and {@code adam.v/NAME} (for checkpoints). */
  public Map<String, FloatTensor> state() {
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Slot> e : slots.entrySet()) {
      out.put("adam.m/" + e.getKey(), tensor(e.getValue().m()));
      out.put("adam.v/" + e.getKey(), tensor(e.getValue().v()));
    }
    return out;
  }

  /** Restores moments written by {@link #state()} and the step count. */
  public void load(Map<String, FloatTensor> state, long stepCount) {
    for (Map.Entry<String, Slot> e : slots.entrySet()) {
      copy(state.get("adam.m/" + e.getKey()), e.getValue().m(), e.getKey());
      copy(state.get("adam.v/" + e.getKey()), e.getValue().v(), e.getKey());
    }
    this.steps = stepCount;
  }

  private void copy(FloatTensor from, NDArray to, String name) {
    if (from == null || !new Shape(from.shape()).equals(to.getShape())) {
      throw new IllegalStateException("checkpoint lacks optimizer state of " + name);
    }
    try (NDArray src = manager.create(from.data(), to.getShape())) {
      to.subi(to).addi(src);
    }
  }

  private static FloatTensor tensor(NDArray a) {
    return new FloatTensor(a.getShape().getShape(), a.toFloatArray());
  }

  @Override
  public void close() {
    manager.close();
  }
}
