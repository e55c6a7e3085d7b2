package dev.neurolens.probe;

import ai.djl.ndarray.NDArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Direct access to the memory of CPU float tensors, so hot loops copy without staging buffers. */
final class Tensors {
  private Tensors() {}

  /**
   * A float view of the memory of {@code a}, a contiguous float32 CPU tensor: writes through it
   * change the tensor. Fails if the engine hands out a copy instead of a view.
   */
  static FloatBuffer floatView(NDArray a) {
    ByteBuffer b = a.toByteBuffer(true);
    if (!b.isDirect()) {
      throw new IllegalStateException("expected a direct view of tensor " + a.getShape() + ", got a heap copy");
    }
    return b.order(ByteOrder.nativeOrder()).asFloatBuffer();
  }
}
