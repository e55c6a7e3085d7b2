package dev.neurolens.model.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.model.Weight;
import dev.neurolens.model.WeightsDtype;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A tensor of a validated safetensors header whose values stay in the file until
 * {@link #toNative} copies them, chunk by chunk, into native memory (no whole-tensor Java array).
 *
 * <p>With {@link WeightsDtype#STORED}: F32 -> float32, F16 -> float16 (bytes as stored), BF16 ->
 * float16 times a power of two: the engine (DJL 0.32's PyTorch JNI) has no bfloat16, and a BF16
 * value has 8 significant bits, so it is exact in float16 after one exponent offset per tensor
 * when the tensor's nonzero values span at most 33 binades (checked value by value; a tensor that
 * does not fit, or holds an infinity or NaN, is held in float32 instead). With
 * {@link WeightsDtype#FLOAT32}: everything in float32.
 */
final class FileTensor implements Weight {
  /** Elements per copied chunk (4 MiB of float32). */
  private static final int CHUNK = 1 << 20;
  private static final int NO_OFFSET = Integer.MIN_VALUE;
  private static final ThreadLocal<ByteBuffer[]> SCRATCH = ThreadLocal.withInitial(() -> new ByteBuffer[] {
    ByteBuffer.allocate(4 * CHUNK).order(ByteOrder.LITTLE_ENDIAN),
    ByteBuffer.allocateDirect(4 * CHUNK).order(ByteOrder.nativeOrder())
  });

  private final Path file;
  private final Safetensors.Entry entry;
  private final DType dtype;
  private final WeightsDtype mode;
  private final boolean transposed;

  FileTensor(Path file, Safetensors.Entry entry, DType dtype, WeightsDtype mode, boolean transposed) {
    this.file = file;
    this.entry = entry;
    this.dtype = dtype;
    this.mode = mode;
    this.transposed = transposed;
  }

  @Override
  public long[] shape() {
    long[] s = entry.shape().clone();
    return transposed ? new long[] {s[1], s[0]} : s;
  }

  @Override
  public String storedDtype() {
    return dtype.name();
  }

  @Override
  public FileTensor transpose2d() {
    if (entry.shape().length != 2) {
      throw new IllegalStateException("transpose2d needs a matrix, found shape " + Arrays.toString(entry.shape()));
    }
    return new FileTensor(file, entry, dtype, mode, !transposed);
  }

  @Override
  public Resident toNative(NDManager manager) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      Resident r = read(ch, manager);
      if (!transposed) {
        return r;
      }
      // (R, C) -> (C, R), copied contiguous
      try (NDArray view = r.array().transpose(); NDArray flat = view.flatten()) {
        NDArray t = flat.reshape(new Shape(shape()));
        r.array().close();
        return new Resident(t, r.scale());
      }
    } catch (IOException ex) {
      throw new NeuroLensException(file + ": cannot read tensor '" + entry.name() + "' (" + ex.getMessage() + ")", ex);
    }
  }

  private Resident read(FileChannel ch, NDManager m) throws IOException {
    if (mode == WeightsDtype.STORED && dtype == DType.F16) {
      return new Resident(copy(ch, m, DataType.FLOAT16, FileTensor::copyShorts), 1f);
    }
    if (mode == WeightsDtype.STORED && dtype == DType.BF16) {
      int k = exponentOffset(ch);
      if (k != NO_OFFSET) {
        NDArray a = copy(ch, m, DataType.FLOAT16, (in, out, n) -> bf16ToScaledHalf(in, out, n, k));
        if (a != null) {
          return new Resident(a, Math.scalb(1f, -k));
        }
      }
    }
    return new Resident(copy(ch, m, DataType.FLOAT32, this::toFloat32), 1f);
  }

  /** Converts {@code n} elements of {@code in} into {@code out}; false when they cannot be held exactly. */
  private interface Converter {
    boolean convert(ByteBuffer in, ByteBuffer out, int n);
  }

  /** Copies the tensor into a new {@code type} array through {@code conv}; null when {@code conv} refuses a chunk. */
  private NDArray copy(FileChannel ch, NDManager m, DataType type, Converter conv) throws IOException {
    long n = (entry.end() - entry.start()) / dtype.width;
    ByteBuffer[] scratch = SCRATCH.get();
    NDArray flat = m.create(new Shape(n), type);
    for (long at = 0; at < n; at += CHUNK) {
      int c = (int) Math.min(CHUNK, n - at);
      ByteBuffer in = chunk(ch, scratch[0], at, c);
      ByteBuffer out = scratch[1].clear();
      if (!conv.convert(in, out, c)) {
        flat.close();
        return null;
      }
      out.position(c * type.getNumOfBytes()).flip();
      try (NDArray part = m.create(out, new Shape(c), type)) { // shares out's memory: copied by set
        flat.set(new NDIndex("{}:{}", at, at + c), part);
      }
    }
    Shape shape = new Shape(entry.shape());
    if (flat.getShape().equals(shape)) {
      return flat;
    }
    NDArray shaped = flat.reshape(shape);
    flat.close();
    return shaped;
  }

  private ByteBuffer chunk(FileChannel ch, ByteBuffer buf, long at, int count) throws IOException {
    buf.clear().limit(count * dtype.width);
    long pos = entry.start() + at * dtype.width;
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos + buf.position());
      if (r < 0) {
        throw new IOException("unexpected end of file at byte " + (pos + buf.position()));
      }
    }
    return buf.flip();
  }

  private static boolean copyShorts(ByteBuffer in, ByteBuffer out, int n) {
    out.asShortBuffer().put(in.asShortBuffer().limit(n));
    return true;
  }

  private boolean toFloat32(ByteBuffer in, ByteBuffer out, int n) {
    switch (dtype) {
      case F32 -> out.asFloatBuffer().put(in.asFloatBuffer().limit(n));
      case F16 -> {
        for (int i = 0; i < n; i++) {
          out.putFloat(4 * i, DType.halfToFloat(in.getShort(2 * i)));
        }
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          out.putFloat(4 * i, DType.bf16ToFloat(in.getShort(2 * i)));
        }
      }
    }
    return true;
  }

  private static boolean bf16ToScaledHalf(ByteBuffer in, ByteBuffer out, int n, int k) {
    for (int i = 0; i < n; i++) {
      int h = DType.floatToHalfExact(Math.scalb(DType.bf16ToFloat(in.getShort(2 * i)), k));
      if (h < 0) {
        return false;
      }
      out.putShort(2 * i, (short) h);
    }
    return true;
  }

  /**
   * The power of two k that brings the largest nonzero BF16 value of the tensor into float16's top
   * binade [2^15, 2^16); 0 for an all-zero tensor; {@link #NO_OFFSET} when a value is infinite or NaN.
   */
  private int exponentOffset(FileChannel ch) throws IOException {
    long n = (entry.end() - entry.start()) / dtype.width;
    ByteBuffer buf = SCRATCH.get()[0];
    int maxExp = Integer.MIN_VALUE; // no nonzero value yet
    for (long at = 0; at < n; at += CHUNK) {
      int c = (int) Math.min(CHUNK, n - at);
      ByteBuffer in = chunk(ch, buf, at, c);
      for (int i = 0; i < c; i++) {
        int bits = in.getShort(2 * i) & 0x7fff;
        if (bits >= 0x7f80) {
          return NO_OFFSET;
        }
        if (bits != 0) {
          maxExp = Math.max(maxExp, Math.getExponent(DType.bf16ToFloat((short) bits)));
        }
      }
    }
    return maxExp == Integer.MIN_VALUE ? 0 : 15 - maxExp;
  }
}
