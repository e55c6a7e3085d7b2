package dev.neurolens.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.neurolens.model.FuzzBytes;
import dev.neurolens.model.FuzzBytes.Mutation;
import dev.neurolens.model.bert.BertCheckpoint;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property-based fuzzing (jqwik) of the safetensors reader on mutated valid files: bit flips,
 * truncation, inserted bytes, a changed header-length field, and edits of the JSON header (offsets,
 * shapes, dtypes, structure, repeated keys, added entries, deep nesting). Whatever the bytes, the
 * reader returns tensors or throws {@link NeuroLensException} with one line naming the file: no
 * other exception, no error (OutOfMemoryError included), no hang (10 s per file).
 *
 * <p>Seeded, so every run tries the same files; the summary line printed at the end gives the
 * count of files, of rejections and of successful reads.
 */
class SafetensorsFuzzTest {
  static final int TRIES = 4000;
  static final String[] NAMES = {"bert.embeddings.word_embeddings.weight", "bert.encoder.layer.0.output.dense.bias",
    "bert.embeddings.LayerNorm.weight", "embeddings.position_ids", "bert.pooler.dense.bias", "empty"};
  static final ObjectMapper MAPPER = new ObjectMapper();
  /** Placeholder for a value nested deeper than Jackson's limit (which the test's own writer enforces too). */
  static final String DEEP = "@deep@";

  static Path dir;
  static Path file;
  static String header;
  static byte[] data;
  static byte[] base;
  static ExecutorService runner;
  static final Map<String, int[]> OUTCOMES = new TreeMap<>(); // kind -> {read, rejected}
  static final AtomicInteger FILES = new AtomicInteger();
  static long started;

  @BeforeContainer
  static void setUp() throws IOException {
    dir = Files.createTempDirectory("safetensors-fuzz");
    file = dir.resolve("fuzz.safetensors");
    ObjectNode h = MAPPER.createObjectNode();
    h.putObject("__metadata__").put("format", "pt");
    long at = 0;
    at = entry(h, NAMES[0], "F32", new long[] {5, 4}, at, 4);
    at = entry(h, NAMES[1], "F16", new long[] {4}, at, 2);
    at = entry(h, NAMES[2], "BF16", new long[] {4}, at, 2);
    at = entry(h, NAMES[3], "I64", new long[] {1, 3}, at, 8);
    at = entry(h, NAMES[4], "F32", new long[] {}, at, 4);
    at = entry(h, NAMES[5], "F32", new long[] {0, 4}, at, 4);
    data = new byte[(int) at];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (31 * i + 7);
    }
    header = h.toString();
    base = assemble(header, 0, data);
    runner = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "safetensors-fuzz");
      t.setDaemon(true);
      return t;
    });
    started = System.nanoTime();
  }

  @AfterContainer
  static void tearDown() throws IOException {
    runner.shutdownNow();
    Files.deleteIfExists(file);
    Files.deleteIfExists(dir);
    StringBuilder kinds = new StringBuilder();
    int read = 0;
    for (Map.Entry<String, int[]> e : OUTCOMES.entrySet()) {
      kinds.append(String.format(" %s %d/%d", e.getKey(), e.getValue()[0], e.getValue()[1]));
      read += e.getValue()[0];
    }
    System.out.printf("safetensors fuzz: %d files in %.1f s, %d read, %d rejected with NeuroLensException; "
        + "read/rejected by mutation:%s%n", FILES.get(), (System.nanoTime() - started) / 1e9, read,
        FILES.get() - read, kinds);
  }

  static long entry(ObjectNode h, String name, String dtype, long[] shape, long at, int width) {
    ObjectNode e = h.putObject(name).put("dtype", dtype);
    long n = 1;
    ArrayNode s = e.putArray("shape");
    for (long d : shape) {
      s.add(d);
      n *= d;
    }
    e.putArray("data_offsets").add(at).add(at + n * width);
    return at + n * width;
  }

  /** 8-byte little-endian header length (+ delta), the header text, the data section. */
  static byte[] assemble(String headerText, long lengthDelta, byte[] dataSection) {
    byte[] h = headerText.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataSection.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length + lengthDelta).put(h).put(dataSection);
    return b.array();
  }

  @Example
  void base_isReadWhole() {
    assertEquals(3, check(base, true, "base").size()); // reading all: the I64 tensor is rejected
  }

  @Property(tries = TRIES, seed = "17017", shrinking = net.jqwik.api.ShrinkingMode.BOUNDED)
  void read_mutatedFile_returnsOrThrowsOnlyNeuroLensException(
      @ForAll("mutations") Mutation m, @ForAll boolean onlyCheckpointNames) {
    check(m.apply(base), onlyCheckpointNames, m.kind());
  }

  /** Reads {@code bytes} as a file; asserts the outcome; returns the tensors (empty when rejected). */
  static Map<String, ?> check(byte[] bytes, boolean onlyCheckpointNames, String kind) {
    FILES.incrementAndGet();
    try {
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    Map<String, ?> tensors = FuzzBytes.outcome(runner, () -> onlyCheckpointNames
        ? Safetensors.read(file, n -> BertCheckpoint.canonicalName(n) != null) : Safetensors.read(file),
        file + ": ", OUTCOMES.computeIfAbsent(kind, k -> new int[2]));
    return tensors == null ? Map.of() : tensors;
  }

  @Provide
  Arbitrary<Mutation> mutations() {
    int headerEnd = 8 + header.getBytes(StandardCharsets.UTF_8).length;
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, FuzzBytes.bitFlips("flip-header", 0, headerEnd)),
        net.jqwik.api.Tuple.of(1, FuzzBytes.bitFlips("flip-any", 0, base.length)),
        net.jqwik.api.Tuple.of(2, FuzzBytes.truncation(base.length)),
        net.jqwik.api.Tuple.of(2, FuzzBytes.insertion(0, base.length)),
        net.jqwik.api.Tuple.of(2, FuzzBytes.littleEndianLong("length-field", 0, headerEnd - 8)),
        net.jqwik.api.Tuple.of(8, headerEdits()));
  }

  /** An edit of the JSON header, re-assembled with a (usually) matching length field. */
  Arbitrary<Mutation> headerEdits() {
    Arbitrary<Integer> tensor = Arbitraries.integers().between(0, NAMES.length - 1);
    Arbitrary<Integer> slot = Arbitraries.integers().between(0, 3);
    Arbitrary<Long> value = FuzzBytes.lengths(data.length);
    Arbitrary<String> dtype = Arbitraries.of("F32", "F16", "BF16", "I64", "U8", "BOOL", "F64", "F8_E4M3", "Q4", "",
        "f32");
    Arbitrary<Edit> edit = Arbitraries.oneOf(
        Combinators.combine(tensor, slot, value).as((t, k, v) -> new Edit("offset " + NAMES[t] + "[" + (k % 2) + "]=" + v,
            h -> {
              ArrayNode o = array(h, NAMES[t], "data_offsets");
              if (k % 2 < o.size()) {
                o.set(k % 2, MAPPER.getNodeFactory().numberNode((long) v));
              } else {
                o.add((long) v);
              }
            })),
        Combinators.combine(tensor, slot, value).as((t, k, v) -> new Edit("shape " + NAMES[t] + " dim " + k + "=" + v,
            h -> {
              ArrayNode s = array(h, NAMES[t], "shape");
              if (k < s.size()) {
                s.set((int) k, MAPPER.getNodeFactory().numberNode((long) v));
              } else if (k == 3 && s.size() > 0) {
                s.remove(s.size() - 1);
              } else {
                s.add((long) v);
              }
            })),
        Combinators.combine(tensor, dtype).as((t, d) -> new Edit("dtype " + NAMES[t] + "=" + d,
            h -> object(h, NAMES[t]).put("dtype", d))),
        Combinators.combine(tensor, Arbitraries.integers().between(0, 11)).as((t, k) -> new Edit(
            "structure " + NAMES[t] + " #" + k, h -> structure(h, NAMES[t], k))),
        Combinators.combine(tensor, tensor).as((a, b) -> new Edit("offsets of " + NAMES[b] + " onto " + NAMES[a],
            h -> object(h, NAMES[a]).set("data_offsets", array(h, NAMES[b], "data_offsets").deepCopy()))),
        Combinators.combine(dtype, value, value).as((d, b, e) -> new Edit("extra " + d + " [" + b + ", " + e + "]",
            h -> h.putObject("extra").put("dtype", d).set("data_offsets", MAPPER.createArrayNode().add(b).add(e)))));
    Arbitrary<Integer> duplicate = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, Arbitraries.just(-1)),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, NAMES.length - 1)));
    Arbitrary<Long> lengthDelta = Arbitraries.of(0L, 0L, 0L, 0L, 0L, 0L, -1L, 1L, -8L, 8L);
    Arbitrary<Integer> dataDelta = Arbitraries.of(0, 0, 0, 0, 0, -1, 1, -4, 4);
    return Combinators.combine(edit.list().ofMinSize(0).ofMaxSize(3), duplicate, lengthDelta, dataDelta)
        .as((edits, dup, dl, dd) -> new Mutation("json-edit",
            "edits " + edits + (dup >= 0 ? ", key " + NAMES[dup] + " twice" : "") + ", length delta " + dl
                + ", data delta " + dd,
            ignored -> {
              ObjectNode h;
              try {
                h = (ObjectNode) MAPPER.readTree(header);
              } catch (IOException e) {
                throw new AssertionError(e);
              }
              for (Edit e : edits) {
                e.change().accept(h);
              }
              String text = h.toString().replace("\"" + DEEP + "\"", "[".repeat(1500) + "]".repeat(1500));
              if (dup >= 0 && h.has(NAMES[dup])) {
                text = "{\"" + NAMES[dup] + "\":" + h.get(NAMES[dup]) + "," + text.substring(1);
              }
              byte[] d = java.util.Arrays.copyOf(data, Math.max(0, data.length + dd));
              return assemble(text, dl, d);
            }));
  }

  /** A named change of the header object. */
  record Edit(String description, Consumer<ObjectNode> change) {
    @Override
    public String toString() {
      return description;
    }
  }

  /** The entry {@code name}, made an object again if an earlier edit replaced it. */
  static ObjectNode object(ObjectNode h, String name) {
    return h.get(name) instanceof ObjectNode o ? o : h.putObject(name);
  }

  /** The array field {@code field} of entry {@code name}, made an array again if needed. */
  static ArrayNode array(ObjectNode h, String name, String field) {
    ObjectNode e = object(h, name);
    return e.get(field) instanceof ArrayNode a ? a : e.putArray(field);
  }

  static void structure(ObjectNode h, String name, int kind) {
    ObjectNode e = object(h, name);
    switch (kind) {
      case 0 -> e.remove("dtype");
      case 1 -> e.remove("shape");
      case 2 -> e.remove("data_offsets");
      case 3 -> h.put(name, 3);
      case 4 -> h.putNull(name);
      case 5 -> h.putArray(name).add(1);
      case 6 -> e.putArray("data_offsets").add(0);
      case 7 -> e.putArray("data_offsets").add("0").add("4");
      case 8 -> e.putArray("data_offsets").add(0.5).add(4);
      case 9 -> e.put("shape", "4");
      case 10 -> e.putArray("shape").add(4.5).addNull();
      default -> h.put("__metadata__", DEEP); // replaced by 1500 nested arrays once serialized
    }
  }
}
