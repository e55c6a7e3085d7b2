package dev.neurolens.activation;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A matrix file of a chunk being written through its own buffer, so that a snippet's small vectors
 * (a sentence vector is 768 bytes in float16) cost no system call each. Buffers come from and go
 * back to a {@link Pool}, so the chunks of one store reuse them. They are heap buffers: direct ones
 * are freed only when the collector gets to them, and native memory grew by about 3 MB per store
 * written in a loop; the JDK copies a heap buffer through its own per-thread direct buffer.
 */
final class ChunkFile {
  /** Little-endian buffers by size, shared by a writer's chunks (and its commit thread). */
  static final class Pool {
    private final Map<Integer, Queue<ByteBuffer>> free = new ConcurrentHashMap<>();

    ByteBuffer take(int bytes) {
      ByteBuffer b = free.computeIfAbsent(bytes, k -> new ConcurrentLinkedQueue<>()).poll();
      return b != null ? b : ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    void give(ByteBuffer b) {
      b.clear();
      free.computeIfAbsent(b.capacity(), k -> new ConcurrentLinkedQueue<>()).add(b);
    }
  }

  private final FileChannel ch;
  private final ByteBuffer buf;
  private final Pool pool;
  private final short[] halves = new short[1 << 12];

  /** Creates {@code file} (which must not exist) with a buffer of {@code bufferBytes}. */
  ChunkFile(Path file, int bufferBytes, Pool pool) throws IOException {
    this.ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    this.pool = pool;
    this.buf = pool.take(bufferBytes);
  }

  /** Appends float16 bit patterns as they are. */
  void putHalves(short[] values) throws IOException {
    for (int from = 0; from < values.length; ) {
      ByteBuffer b = room(2);
      int n = Math.min(values.length - from, b.remaining() / 2);
      b.asShortBuffer().put(values, from, n);
      b.position(b.position() + 2 * n);
      from += n;
    }
  }

  /** Appends {@code values} as {@code dtype} (float16: rounded by {@link Half#fromFloat}). */
  void putFloats(float[] values, StoreDtype dtype) throws IOException {
    int size = dtype.bytes();
    for (int from = 0; from < values.length; ) {
      ByteBuffer b = room(size);
      int n = Math.min(values.length - from, b.remaining() / size);
      if (dtype == StoreDtype.FLOAT16) {
        n = Math.min(n, halves.length);
        for (int i = 0; i < n; i++) {
          halves[i] = Half.fromFloat(values[from + i]);
        }
        b.asShortBuffer().put(halves, 0, n); // bulk little-endian copy
      } else {
        b.asFloatBuffer().put(values, from, n);
      }
      b.position(b.position() + n * size);
      from += n;
    }
  }

  /** The buffer, with room for at least {@code bytes} more bytes (flushed first if needed). */
  private ByteBuffer room(int bytes) throws IOException {
    if (buf.remaining() < bytes) {
      flush();
    }
    return buf;
  }

  private void flush() throws IOException {
    buf.flip();
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
    buf.clear();
  }

  /** Flushes, fsyncs and closes; the buffer goes back to the pool. */
  void finish() throws IOException {
    flush();
    ch.force(false);
    ch.close();
    pool.give(buf);
  }

  /** Closes without flushing (an abandoned chunk). */
  void abandon() throws IOException {
    ch.close();
  }
}
