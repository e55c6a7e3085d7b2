package dev.neurolens.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A checkpoint tensor whose shape is known before its values are read: a {@link FloatTensor} in
 * the Java heap, or a tensor still in its safetensors file (read only when the model that owns it
 * is built, straight into native memory, so that a checker can refuse a file before anything large
 * is allocated).
 *
 * <p>Usage: {@code Weight.Resident r = weight.toNative(manager); NDArray values = r.array().toType(FLOAT32, false).mul(r.scale())}
 */
public interface Weight {
  /** Dimensions, each >= 0. */
  long[] shape();

  /** The dtype as stored in the checkpoint: {@code F32}, {@code F16} or {@code BF16}. */
  String storedDtype();

  /** The transpose of a matrix: (R, C) -> (C, R). */
  Weight transpose2d();

  /**
   * Copies the values into native memory under {@code manager}: a float32 array, or a float16 array
   * whose values times {@link Resident#scale()} (a power of two) are exactly the stored values.
   */
  Resident toNative(NDManager manager);

  default int rank() {
    return shape().length;
  }

  default long dim(int i) {
    return shape()[i];
  }

  /**
   * A weight in native memory: {@code array * scale} are its float32 values.
   *
   * @param array float32, or float16 (F16 checkpoints, and BF16 checkpoints held as float16 with an
   *     exponent offset: the engine has no bfloat16)
   * @param scale a power of two; 1 for float32 arrays and F16 checkpoints
   */
  record Resident(NDArray array, float scale) {}
}
