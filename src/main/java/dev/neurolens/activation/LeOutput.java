package dev.neurolens.activation;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** A buffered little-endian binary file writer; {@link #atomically} writes via temp file + rename. */
final class LeOutput implements AutoCloseable {
  private final FileChannel channel;
  private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
  private long written;

  /** Writes the body of a file. */
  interface Body {
    void write(LeOutput out) throws IOException;
  }

  private LeOutput(Path file) throws IOException {
    channel =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
  }

  /** Writes {@code file} so that readers see either the old file or the complete new one. */
  static void atomically(Path file, Body body) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (LeOutput out = new LeOutput(tmp)) {
      body.write(out);
      out.flush();
      out.channel.force(false);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private void room(int n) throws IOException {
    if (buf.remaining() < n) {
      flush();
    }
  }

  void putByte(int v) throws IOException {
    room(1);
    buf.put((byte) v);
  }

  void putShort(short v) throws IOException {
    room(2);
    buf.putShort(v);
  }

  void putInt(int v) throws IOException {
    room(4);
    buf.putInt(v);
  }

  void putFloat(float v) throws IOException {
    room(4);
    buf.putFloat(v);
  }

  void putBytes(byte[] b) throws IOException {
    for (int off = 0; off < b.length; ) {
      room(1);
      int n = Math.min(buf.remaining(), b.length - off);
      buf.put(b, off, n);
      off += n;
    }
  }

  /** Bytes handed to this writer so far. */
  long position() {
    return written + buf.position();
  }

  private void flush() throws IOException {
    buf.flip();
    written += buf.remaining();
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
    buf.clear();
  }

  @Override
  public void close() throws IOException {
    flush();
    channel.close();
  }
}
