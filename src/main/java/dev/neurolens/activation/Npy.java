package dev.neurolens.activation;

import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The NumPy {@code .npy} format, version 1.0: the magic {@code \x93NUMPY}, version bytes 1 0, a
 * little-endian uint16 header length, an ASCII Python-dict header ({@code descr},
 * {@code fortran_order}, {@code shape}) padded with spaces and a newline to a multiple of 64
 * bytes, then the C-order data.
 */
final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  private Npy() {}

  /** The complete header (magic to newline) of an array of {@code descr} and {@code shape}. */
  static byte[] header(String descr, long... shape) {
    String dims =
        shape.length == 1
            ? shape[0] + ","
            : Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", "));
    StringBuilder dict =
        new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }");
    int preamble = MAGIC.length + 2 + 2;
    while ((preamble + dict.length() + 1) % 64 != 0) {
      dict.append(' ');
    }
    dict.append('\n');
    byte[] text = dict.toString().getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(preamble + text.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length).put(text);
    return b.array();
  }

  /**
   * A parsed {@code .npy} file (version 1 or 2, C order): its dtype, shape and data bytes.
   *
   * @param data little-endian data, positioned at the first element
   */
  record Array(String descr, long[] shape, ByteBuffer data) {
    long elements() {
      long n = 1;
      for (long s : shape) {
        n *= s;
      }
      return n;
    }

    /** The data as floats (descr {@code <f2} or {@code <f4}). */
    float[] floats() {
      int n = Math.toIntExact(elements());
      float[] out = new float[n];
      for (int i = 0; i < n; i++) {
        out[i] =
            switch (descr) {
              case "<f2" -> Half.toFloat(data.getShort(data.position() + 2 * i));
              case "<f4" -> data.getFloat(data.position() + 4 * i);
              default -> throw new NeuroLensException("npy: dtype " + descr + " is not a float type");
            };
      }
      return out;
    }

    int[] ints() {
      if (!descr.equals("<i4")) {
        throw new NeuroLensException("npy: dtype " + descr + " is not <i4");
      }
      int[] out = new int[Math.toIntExact(elements())];
      data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
      return out;
    }
  }

  /** Reads a whole (small) {@code .npy} file. */
  static Array read(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[MAGIC.length];
    b.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new NeuroLensException(file + ": not a .npy file (bad magic)");
    }
    int major = b.get();
    b.get();
    int len = major == 1 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
    byte[] text = new byte[len];
    b.get(text);
    String dict = new String(text, StandardCharsets.US_ASCII);
    Matcher d = DESCR.matcher(dict);
    Matcher f = FORTRAN.matcher(dict);
    Matcher s = SHAPE.matcher(dict);
    if (!d.find() || !f.find() || !s.find()) {
      throw new NeuroLensException(file + ": unreadable .npy header " + dict.trim());
    }
    if (f.group(1).equals("True")) {
      throw new NeuroLensException(file + ": Fortran-order arrays are not supported");
    }
    long[] shape =
        Arrays.stream(s.group(1).split(","))
            .map(String::trim)
            .filter(x -> !x.isEmpty())
            .mapToLong(Long::parseLong)
            .toArray();
    return new Array(d.group(1), shape, b.slice().order(ByteOrder.LITTLE_ENDIAN));
  }
}
