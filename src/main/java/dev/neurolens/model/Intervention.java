package dev.neurolens.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.util.NeuroLensException;

/**
 * Replaces an activation at a hook point during a forward pass (model-level ablation, patching).
 *
 * <p>Implementations must return an array of the same shape (B, T, W) on the activation's
 * manager (or a sub-manager of it); W is D for residual sites and M for {@code mlp.pre}.
 *
 * <p>Usage: {@code model.runWithHooks(manager, batch,
 * Map.of(HookName.residPost(3), Intervention.zero(new int[] {17, 42})))}
 */
@FunctionalInterface
public interface Intervention {

  /** Returns the replacement for {@code activation} (B, T, W). */
  NDArray apply(HookName hook, NDArray activation);

  /** Sets the given neurons (columns of W) to zero. */
  static Intervention zero(int[] neurons) {
    return constant(neurons, 0f);
  }

  /** Sets the given neurons to {@code value}. */
  static Intervention constant(int[] neurons, float value) {
    int[] cols = neurons.clone();
    return (hook, a) -> {
      float[] fill = new float[cols.length];
      java.util.Arrays.fill(fill, value);
      return replaceColumns(hook, a, cols, fill);
    };
  }

  /** Sets each given neuron to its own value, {@code meanPerNeuron[i]} for {@code neurons[i]}. */
  static Intervention mean(int[] neurons, float[] meanPerNeuron) {
    if (neurons.length != meanPerNeuron.length) {
      throw new IllegalArgumentException(
          "mean intervention: " + neurons.length + " neurons but " + meanPerNeuron.length
              + " mean values");
    }
    int[] cols = neurons.clone();
    float[] values = meanPerNeuron.clone();
    return (hook, a) -> replaceColumns(hook, a, cols, values);
  }

  /**
   * {@code a * keep + fill}, where keep is 0 at the given columns and 1 elsewhere, and fill
   * holds the values at the given columns: (B, T, W) -> (B, T, W).
   */
  private static NDArray replaceColumns(HookName hook, NDArray a, int[] cols, float[] values) {
    int w = (int) a.getShape().get(a.getShape().dimension() - 1);
    float[] keep = new float[w];
    float[] fill = new float[w];
    java.util.Arrays.fill(keep, 1f);
    for (int i = 0; i < cols.length; i++) {
      int c = cols[i];
      if (c < 0 || c >= w) {
        throw new NeuroLensException(
            "intervention at " + hook + ": neuron index must be in [0, " + w + "), found " + c);
      }
      keep[c] = 0f;
      fill[c] = values[i];
    }
    NDManager m = a.getManager();
    NDArray keepArr = m.create(keep, new Shape(w));
    NDArray fillArr = m.create(fill, new Shape(w));
    return a.mul(keepArr).addi(fillArr);
  }
}
