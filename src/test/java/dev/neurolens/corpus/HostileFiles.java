package dev.neurolens.corpus;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Hostile corpus inputs, small on disk: zip bombs (zeros deflate about 1000:1), archives whose
 * central directory lies or repeats a name, nested archives, sparse multi-GB files.
 */
final class HostileFiles {
  static final String JAVA = "class A {\n  int one() { return 1; }\n}\n";

  private HostileFiles() {}

  /**
   * A zip of {@code (name, content)} pairs; a content is a String (written as UTF-8), a byte[], or
   * null for {@code zeros} zero bytes (streamed: never held in memory).
   */
  static Path zip(Path file, long zeros, Object... namesAndContents) throws IOException {
    try (OutputStream os = Files.newOutputStream(file)) {
      write(os, zeros, namesAndContents);
    }
    return file;
  }

  /** The bytes of a small zip of {@code (name, content)} pairs, as {@link #zip}. */
  static byte[] zipBytes(Object... namesAndContents) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    write(bytes, 0, namesAndContents);
    return bytes.toByteArray();
  }

  private static void write(OutputStream os, long zeros, Object... namesAndContents) throws IOException {
    try (ZipOutputStream z = new ZipOutputStream(os)) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        z.putNextEntry(new ZipEntry((String) namesAndContents[i]));
        Object content = namesAndContents[i + 1];
        if (content == null) {
          byte[] chunk = new byte[1 << 16];
          for (long left = zeros; left > 0; left -= chunk.length) {
            z.write(chunk, 0, (int) Math.min(chunk.length, left));
          }
        } else if (content instanceof byte[] b) {
          z.write(b);
        } else {
          z.write(((String) content).getBytes(StandardCharsets.UTF_8));
        }
        z.closeEntry();
      }
    }
  }

  /** Overwrites the uncompressed size that the central directory declares for {@code entry}. */
  static void declareSize(Path zip, String entry, int size) throws IOException {
    byte[] b = Files.readAllBytes(zip);
    int at = find(b, 0x02014b50, 46, 28, entry);
    putInt(b, at + 24, size);
    Files.write(zip, b);
  }

  /**
   * Makes the deflated data of {@code entry} invalid (first byte 0xFF: a reserved block type), so
   * that inflating any of it fails: a reader that never opens the entry does not notice.
   */
  static void corruptData(Path zip, String entry) throws IOException {
    byte[] b = Files.readAllBytes(zip);
    int at = find(b, 0x04034b50, 30, 26, entry);
    int data = at + 30 + u16(b, at + 26) + u16(b, at + 28);
    b[data] = (byte) 0xFF;
    Files.write(zip, b);
  }

  /** Renames {@code from} to {@code to} (same length) in the local headers and the central directory. */
  static void rename(Path zip, String from, String to) throws IOException {
    if (from.length() != to.length()) {
      throw new IllegalArgumentException("names must have the same length: " + from + ", " + to);
    }
    byte[] b = Files.readAllBytes(zip);
    byte[] f = from.getBytes(StandardCharsets.UTF_8);
    byte[] t = to.getBytes(StandardCharsets.UTF_8);
    int n = 0;
    for (int i = 0; i + f.length <= b.length; i++) {
      if (regionEquals(b, i, f)) {
        System.arraycopy(t, 0, b, i, t.length);
        n++;
      }
    }
    if (n != 2) {
      throw new IllegalStateException(from + " found " + n + " times in " + zip + ", expected 2 (local + central)");
    }
    Files.write(zip, b);
  }

  /** A sparse file of {@code bytes} bytes: no disk blocks, all zeros when read. */
  static Path sparse(Path file, long bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(bytes);
    }
    return file;
  }

  /** {@code class One { int f() { return 1+1+...; } }} on one line of about {@code chars} chars. */
  static String oneLineJava(int chars) {
    StringBuilder sb = new StringBuilder(chars + 32).append("class One { int f() { return 1");
    while (sb.length() < chars) {
      sb.append("+1");
    }
    return sb.append("; } }").toString();
  }

  /** Offset of the header with {@code signature} whose name ({@code nameAt}, length at {@code lengthAt}) is {@code entry}. */
  private static int find(byte[] b, int signature, int nameAt, int lengthAt, String entry) {
    byte[] name = entry.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i + nameAt + name.length <= b.length; i++) {
      if (int32(b, i) == signature && u16(b, i + lengthAt) == name.length && regionEquals(b, i + nameAt, name)) {
        return i;
      }
    }
    throw new IllegalStateException("no header for " + entry);
  }

  private static boolean regionEquals(byte[] b, int at, byte[] x) {
    for (int k = 0; k < x.length; k++) {
      if (b[at + k] != x[k]) {
        return false;
      }
    }
    return true;
  }

  private static int u16(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
  }

  private static int int32(byte[] b, int at) {
    return u16(b, at) | u16(b, at + 2) << 16;
  }

  private static void putInt(byte[] b, int at, int v) {
    for (int k = 0; k < 4; k++) {
      b[at + k] = (byte) (v >>> (8 * k));
    }
  }
}
