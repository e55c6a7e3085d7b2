package dev.neurolens.activation;

import dev.neurolens.util.NeuroLensException;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * The element type of the binary matrices of an {@link ActivationStore} (little-endian).
 *
 * <p>Usage: {@code ExtractOptions.builder().optDtype(StoreDtype.parse("float32")).build()}
 */
public enum StoreDtype {
  /** IEEE binary16, 2 bytes: the default; about 3 significant decimal digits. */
  FLOAT16(2, "f16", "<f2"),
  /** IEEE binary32, 4 bytes: exact copy of the captured values. */
  FLOAT32(4, "f32", "<f4");

  private final int bytes;
  private final String extension;
  private final String numpyDescr;

  StoreDtype(int bytes, String extension, String numpyDescr) {
    this.bytes = bytes;
    this.extension = extension;
    this.numpyDescr = numpyDescr;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** File extension of matrices of this type ({@code f16}, {@code f32}). */
  String extension() {
    return extension;
  }

  /** The NumPy {@code descr} of this type ({@code <f2}, {@code <f4}). */
  String numpyDescr() {
    return numpyDescr;
  }

  /** The lower-case name used in manifests and on the command line. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code float16} / {@code float32} (as written by {@link #label()}). */
  public static StoreDtype parse(String text) {
    for (StoreDtype d : values()) {
      if (d.label().equals(text)) {
        return d;
      }
    }
    throw new NeuroLensException("dtype must be float16 or float32, found '" + text + "'");
  }

  /** Reads element {@code index} (in elements, not bytes) of a little-endian buffer. */
  float get(ByteBuffer buf, long index) {
    int at = Math.toIntExact(index * bytes);
    return this == FLOAT16 ? Half.toFloat(buf.getShort(at)) : buf.getFloat(at);
  }
}
