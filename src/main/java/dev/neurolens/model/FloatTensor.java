package dev.neurolens.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * A named weight's shape and float32 values (row-major), as read from or written to a
 * checkpoint.
 *
 * <p>The data array is not copied (weights are large): whoever builds a FloatTensor hands the
 * array over and must not change it afterwards.
 *
 * <p>Usage: {@code FloatTensor w = new FloatTensor(new long[] {2, 3}, new float[6]); FloatTensor t = w.transpose2d()}
 *
 * @param shape dimensions, each >= 0
 * @param data row-major values, length = product of shape
 */
public record FloatTensor(long[] shape, float[] data) implements Weight {

  public FloatTensor {
    shape = shape.clone();
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("tensor dims must be >= 0, found " + Arrays.toString(shape));
      }
      n *= d;
    }
    if (n != data.length) {
      throw new IllegalArgumentException(
          "tensor of shape " + Arrays.toString(shape) + " needs " + n + " values, found "
              + data.length);
    }
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public int rank() {
    return shape.length;
  }

  @Override
  public long dim(int i) {
    return shape[i];
  }

  @Override
  public String storedDtype() {
    return "F32";
  }

  @Override
  public Resident toNative(NDManager manager) {
    return new Resident(manager.create(data, new Shape(shape)), 1f);
  }

  /** The transpose of a matrix: (R, C) -> (C, R). */
  @Override
  public FloatTensor transpose2d() {
    if (shape.length != 2) {
      throw new IllegalStateException("transpose2d needs a matrix, found shape " + Arrays.toString(shape));
    }
    int r = (int) shape[0];
    int c = (int) shape[1];
    float[] out = new float[data.length];
    for (int i = 0; i < r; i++) {
      int base = i * c;
      for (int j = 0; j < c; j++) {
        out[j * r + i] = data[base + j];
      }
    }
    return new FloatTensor(new long[] {c, r}, out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FloatTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return "FloatTensor" + Arrays.toString(shape);
  }
}
