package dev.neurolens.model.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.neurolens.model.FloatTensor;
import dev.neurolens.model.Weight;
import dev.neurolens.model.WeightsDtype;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header,
 * then raw little-endian tensor data) without trusting the file.
 *
 * <p>Before any tensor is allocated the reader checks that the header length is bounded and lies
 * inside the file, that the header is a JSON object of well-formed entries without repeated
 * names, that every tensor's {@code data_offsets} lie inside the data section and match dtype x
 * shape, and (as the format's reference implementation does) that the tensors tile the data
 * section: sorted by offset, each begins where the previous one ends and the last ends at the end
 * of the file, so no two tensors share bytes. {@link #read} converts F32, F16 and BF16 tensors to
 * float32 Java arrays; {@link #open} leaves them in the file until a model copies them into native
 * memory, 16-bit ones kept in 16 bits ({@link FileTensor}). A wanted tensor of any other dtype is an error naming the file and the tensor. Every failure is
 * a {@link NeuroLensException} naming the file.
 *
 * <p>Usage: {@code Map<String, FloatTensor> w = Safetensors.read(Path.of("model.safetensors"))}
 */
public final class Safetensors {
  /** Largest header accepted (the format's own reference implementation uses 100 MB). */
  static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** Header parser: a tensor named twice is an error, not "the last one wins". */
  private static final ObjectMapper STRICT =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private Safetensors() {}

  /** One header entry, validated: dtype, shape, and absolute byte range in the file. */
  record Entry(String name, String dtype, long[] shape, long start, long end) {}

  /** Reads every tensor of {@code file}. */
  public static Map<String, FloatTensor> read(Path file) {
    return read(file, name -> true);
  }

  /**
   * Reads the tensors of {@code file} whose names pass {@code wanted}; the others are checked
   * for bounds but not converted.
   */
  public static Map<String, FloatTensor> read(Path file, Predicate<String> wanted) {
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      for (Entry e : header(file, ch).values()) {
        if (wanted.test(e.name())) {
          out.put(e.name(), readTensor(file, ch, e));
        }
      }
    } catch (IOException ex) {
      throw new NeuroLensException(file + ": cannot read safetensors file (" + ex.getMessage() + ")", ex);
    }
    return out;
  }

  /**
   * Validates the header of {@code file} and returns its wanted tensors without reading their
   * values: each is copied into native memory, in the precision {@code mode} asks for, when the
   * model that owns it is built ({@link Weight#toNative}). The checks are those of {@link #read}.
   */
  public static Map<String, Weight> open(Path file, Predicate<String> wanted, WeightsDtype mode) {
    Map<String, Weight> out = new LinkedHashMap<>();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      for (Entry e : header(file, ch).values()) {
        if (wanted.test(e.name())) {
          out.put(e.name(), new FileTensor(file, e, readable(file, e), mode, false));
        }
      }
    } catch (IOException ex) {
      throw new NeuroLensException(file + ": cannot read safetensors file (" + ex.getMessage() + ")", ex);
    }
    return out;
  }

  /** Reads and validates the header of {@code file}: tensor name -> entry, in file order. */
  static Map<String, Entry> header(Path file, FileChannel ch) throws IOException {
    long size = ch.size();
    if (size < 8) {
      throw new NeuroLensException(file + ": safetensors file must be at least 8 bytes, found " + size);
    }
    ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, lenBuf, 0);
    long headerLen = lenBuf.getLong(0);
    if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
      throw new NeuroLensException(
          file + ": safetensors header length must be in [2, min(" + MAX_HEADER_BYTES + ", file size - 8 = "
              + (size - 8) + ")], found " + headerLen + " (truncated or not a safetensors file?)");
    }
    ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
    readFully(ch, hb, 8);
    JsonNode root;
    try {
      root = STRICT.readTree(new String(hb.array(), StandardCharsets.UTF_8));
    } catch (IOException ex) {
      String reason = NeuroLensException.reason(ex);
      if (reason.startsWith("Duplicate field ")) {
        throw new NeuroLensException(file + ": safetensors header repeats the key "
            + reason.substring("Duplicate field ".length()) + " (a tensor or field may appear only once)");
      }
      throw new NeuroLensException(file + ": safetensors header is not valid JSON (" + reason + ")");
    }
    if (root == null || !root.isObject()) {
      throw new NeuroLensException(file + ": safetensors header must be a JSON object");
    }
    long dataStart = 8 + headerLen;
    long dataLen = size - dataStart;
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (f.getKey().equals("__metadata__")) {
        continue;
      }
      entries.put(f.getKey(), entry(file, f.getKey(), f.getValue(), dataStart, dataLen));
    }
    checkTiling(file, entries.values(), dataStart, dataLen);
    return entries;
  }

  /**
   * Checks that the tensors, sorted by offset, tile the data section {@code [0, dataLen)}: no
   * overlap, no gap, no trailing bytes (the rule of the format's reference implementation).
   */
  private static void checkTiling(Path file, Collection<Entry> entries, long dataStart, long dataLen) {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparingLong(Entry::start).thenComparingLong(Entry::end));
    long at = dataStart;
    Entry previous = null;
    for (Entry e : sorted) {
      if (e.start() < at) {
        throw new NeuroLensException(file + ": tensors '" + previous.name() + "' "
            + offsets(previous, dataStart) + " and '" + e.name() + "' " + offsets(e, dataStart)
            + " overlap (data_offsets must not share bytes)");
      }
      if (e.start() > at) {
        throw new NeuroLensException(file + ": tensor '" + e.name() + "' " + offsets(e, dataStart)
            + " leaves a gap after byte " + (at - dataStart)
            + " of the data section (tensors must follow each other without gaps)");
      }
      at = e.end();
      previous = e;
    }
    if (at != dataStart + dataLen) {
      throw new NeuroLensException(file + ": the tensors cover " + (at - dataStart) + " bytes of the "
          + dataLen + "-byte data section (trailing bytes: truncated header or appended data?)");
    }
  }

  private static String offsets(Entry e, long dataStart) {
    return "[" + (e.start() - dataStart) + ", " + (e.end() - dataStart) + "]";
  }

  private static Entry entry(Path file, String name, JsonNode node, long dataStart, long dataLen) {
    String where = file + ": tensor '" + name + "'";
    if (!node.isObject() || !node.path("dtype").isTextual() || !node.path("shape").isArray()
        || !node.path("data_offsets").isArray() || node.path("data_offsets").size() != 2) {
      throw new NeuroLensException(where + ": entry must have dtype, shape and data_offsets [begin, end]");
    }
    String dtype = node.get("dtype").asText();
    JsonNode shapeNode = node.get("shape");
    long[] shape = new long[shapeNode.size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
        throw new NeuroLensException(where + ": shape must hold integers >= 0, found " + shapeNode);
      }
      shape[i] = d.asLong();
      try {
        count = Math.multiplyExact(count, shape[i]);
      } catch (ArithmeticException ex) {
        throw new NeuroLensException(where + ": shape " + shapeNode + " overflows");
      }
    }
    JsonNode b = node.get("data_offsets").get(0);
    JsonNode e = node.get("data_offsets").get(1);
    if (!b.isIntegralNumber() || !e.isIntegralNumber() || !b.canConvertToLong() || !e.canConvertToLong()) {
      throw new NeuroLensException(where + ": data_offsets must be integers, found " + node.get("data_offsets"));
    }
    long begin = b.asLong();
    long end = e.asLong();
    if (begin < 0 || end < begin || end > dataLen) {
      throw new NeuroLensException(
          where + ": data_offsets [" + begin + ", " + end + "] must lie inside the data section [0, "
              + dataLen + "] (truncated file?)");
    }
    int width = DType.width(dtype);
    if (width > 0) {
      long expected;
      try {
        expected = Math.multiplyExact(count, width);
      } catch (ArithmeticException ex) {
        throw new NeuroLensException(where + ": byte size of shape " + shapeNode + " overflows");
      }
      if (end - begin != expected) {
        throw new NeuroLensException(
            where + ": data_offsets span " + (end - begin) + " bytes but " + dtype + " x "
                + shapeNode + " needs " + expected);
      }
    }
    return new Entry(name, dtype, shape, dataStart + begin, dataStart + end);
  }

  private static FloatTensor readTensor(Path file, FileChannel ch, Entry e) throws IOException {
    DType dt = readable(file, e);
    long bytes = e.end() - e.start();
    ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, e.start(), bytes).order(ByteOrder.LITTLE_ENDIAN);
    return new FloatTensor(e.shape(), dt.decode(buf, (int) (bytes / dt.width)));
  }

  /** The dtype of a wanted tensor, which NeuroLens must be able to convert and hold. */
  private static DType readable(Path file, Entry e) {
    DType dt = DType.parse(e.dtype());
    if (dt == null) {
      throw new NeuroLensException(
          file + ": tensor '" + e.name() + "' has dtype " + e.dtype() + "; supported: F32, F16, BF16");
    }
    long bytes = e.end() - e.start();
    if (bytes > Integer.MAX_VALUE - 8) { // one mapping and one float[] each stay below 2^31
      throw new NeuroLensException(file + ": tensor '" + e.name() + "' is too large (" + bytes + " bytes)");
    }
    return dt;
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new IOException("unexpected end of file at byte " + pos);
      }
      pos += n;
    }
  }

  /**
   * Reads a sharded checkpoint: {@code model.safetensors.index.json}'s {@code weight_map} names
   * the shard of each tensor; shards lie next to the index.
   */
  public static Map<String, FloatTensor> readSharded(Path index, Predicate<String> wanted) {
    return sharded(index, wanted, Safetensors::read);
  }

  /** {@link #open} for a sharded checkpoint (see {@link #readSharded}). */
  public static Map<String, Weight> openSharded(Path index, Predicate<String> wanted, WeightsDtype mode) {
    return sharded(index, wanted, (p, w) -> open(p, w, mode));
  }

  private static <T> Map<String, T> sharded(Path index, Predicate<String> wanted,
      BiFunction<Path, Predicate<String>, Map<String, T>> reader) {
    JsonNode root;
    try {
      root = MAPPER.readTree(index.toFile());
    } catch (IOException ex) {
      throw new NeuroLensException(index + ": cannot read index JSON (" + ex.getMessage().lines().findFirst().orElse("") + ")");
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject()) {
      throw new NeuroLensException(index + ": must contain a weight_map object");
    }
    Map<String, String> shards = new TreeMap<>();
    map.fields().forEachRemaining(f -> shards.put(f.getKey(), f.getValue().asText()));
    Map<String, T> out = new LinkedHashMap<>();
    for (String shard : shards.values().stream().distinct().sorted().toList()) {
      if (shard.contains("/") || shard.contains("\\") || shard.startsWith(".")) {
        throw new NeuroLensException(index + ": shard '" + shard + "' must be a file name next to the index");
      }
      Path p = index.resolveSibling(shard);
      if (!Files.isRegularFile(p)) {
        throw new NeuroLensException(index + ": shard file '" + shard + "' is missing");
      }
      out.putAll(reader.apply(p, name -> wanted.test(name) && shard.equals(shards.get(name))));
    }
    return out;
  }

  /**
   * Writes {@code tensors} as F32 to {@code file} atomically (temp file + rename), tensors in the
   * map's order, header padded to a multiple of 8 bytes.
   */
  public static void write(Path file, Map<String, FloatTensor> tensors) {
    ObjectNode header = MAPPER.createObjectNode();
    header.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (Map.Entry<String, FloatTensor> t : tensors.entrySet()) {
      ObjectNode e = header.putObject(t.getKey());
      e.put("dtype", "F32");
      var shape = e.putArray("shape");
      for (long d : t.getValue().shape()) {
        shape.add(d);
      }
      long bytes = 4L * t.getValue().data().length;
      e.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    head.flip();
    try {
      // written aside and renamed when complete, with the mode of a plainly written file (not a temp file's 0600)
      dev.neurolens.util.AtomicFiles.write(file, tmp -> {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
          writeFully(ch, head);
          ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
          for (FloatTensor t : tensors.values()) {
            for (float v : t.data()) {
              if (!buf.hasRemaining()) {
                buf.flip();
                writeFully(ch, buf);
                buf.clear();
              }
              buf.putFloat(v);
            }
          }
          buf.flip();
          writeFully(ch, buf);
        }
      });
    } catch (IOException ex) {
      throw new NeuroLensException(file + ": cannot write safetensors file (" + ex.getMessage() + ")", ex);
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }
}
