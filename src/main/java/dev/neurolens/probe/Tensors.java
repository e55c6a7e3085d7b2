package dev.neurolens.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Copies between Java arrays and float32 tensors. On the CPU they go straight through a view of
 * the tensor's memory (no staging tensor, no direct buffer to be collected later); on a GPU, where
 * there is no such view, through a temporary tensor.
 */
final class Tensors {
  private Tensors() {}

  /** Writes {@code rows} rows of {@code data} into rows {@code firstRow..} of {@code dst} (N, F). */
  static void writeRows(NDArray dst, int firstRow, float[] data, int rows) {
    long f = dst.getShape().get(1);
    ByteBuffer view = cpuView(dst);
    if (view != null) {
      view.asFloatBuffer().put(Math.toIntExact(firstRow * f), data, 0, Math.toIntExact(rows * f));
      return;
    }
    try (NDManager sub = dst.getManager().newSubManager()) {
      float[] part = data.length == rows * f ? data : java.util.Arrays.copyOf(data, Math.toIntExact(rows * f));
      dst.set(new NDIndex(firstRow + ":" + (firstRow + rows)), sub.create(part, new Shape(rows, f)));
    }
  }

  /** Overwrites all of {@code dst} with {@code data} (same element count). */
  static void write(NDArray dst, float[] data) {
    write(dst, data, 0);
  }

  /** Reads all of {@code src} into {@code out} (same element count). */
  static void read(NDArray src, float[] out) {
    read(src, out, 0);
  }

  /** Reads all of {@code src} into {@code out} from position {@code offset} on. */
  static void read(NDArray src, float[] out, int offset) {
    int len = Math.toIntExact(src.size());
    ByteBuffer view = cpuView(src);
    if (view != null) {
      view.asFloatBuffer().get(0, out, offset, len);
    } else {
      System.arraycopy(src.toFloatArray(), 0, out, offset, len);
    }
  }

  /** Overwrites all of {@code dst} with {@code data[offset..offset + size)}. */
  static void write(NDArray dst, float[] data, int offset) {
    int len = Math.toIntExact(dst.size());
    ByteBuffer view = cpuView(dst);
    if (view != null) {
      view.asFloatBuffer().put(0, data, offset, len);
    } else {
      try (NDManager sub = dst.getManager().newSubManager()) {
        dst.set(new NDIndex(), sub.create(java.util.Arrays.copyOfRange(data, offset, offset + len), dst.getShape()));
      }
    }
  }

  /** A float view of a contiguous CPU tensor's memory, or null where there is none (a GPU). */
  static java.nio.FloatBuffer floatView(NDArray a) {
    ByteBuffer b = cpuView(a);
    return b == null ? null : b.asFloatBuffer();
  }

  /** A native-order view of a contiguous CPU tensor's memory, or null where there is none. */
  private static ByteBuffer cpuView(NDArray a) {
    if (a.getDevice().isGpu()) {
      return null;
    }
    ByteBuffer b = a.toByteBuffer(true);
    return b.isDirect() ? b.order(ByteOrder.nativeOrder()) : null;
  }
}
