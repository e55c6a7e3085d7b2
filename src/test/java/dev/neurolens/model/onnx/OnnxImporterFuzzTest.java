package dev.neurolens.model.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.neurolens.model.FuzzBytes;
import dev.neurolens.model.FuzzBytes.Mutation;
import dev.neurolens.model.ModelConfig;
import dev.neurolens.model.onnx.proto.OnnxProto.AttributeProto;
import dev.neurolens.model.onnx.proto.OnnxProto.GraphProto;
import dev.neurolens.model.onnx.proto.OnnxProto.ModelProto;
import dev.neurolens.model.onnx.proto.OnnxProto.NodeProto;
import dev.neurolens.model.onnx.proto.OnnxProto.TensorProto;
import dev.neurolens.util.NeuroLensException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
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
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property-based fuzzing (jqwik) of the ONNX importer on mutations of a valid tiny BERT export
 * ({@link TinyOnnx}): bit flips, truncation, inserted bytes, changed protobuf length fields (found
 * by walking the wire format), and edits of the parsed model (dims, data types, raw data, names,
 * block indices, node types, the heads constant, epsilon). Whatever the bytes, the importer returns
 * a model or throws {@link NeuroLensException} with one line naming the source: no other
 * exception, no error (OutOfMemoryError included), no hang (10 s per file).
 *
 * <p>Seeded; the summary line printed at the end gives the count of files, rejections and imports.
 */
class OnnxImporterFuzzTest {
  static final int TRIES = 3000;
  static final String SOURCE = "fuzz.onnx";
  static ModelProto model;
  static byte[] base;
  /** Where the length prefixes of the base file's length-delimited fields are: {position, varint size, value}. */
  static List<long[]> lengthFields;
  static ExecutorService runner;
  static final Map<String, int[]> OUTCOMES = new TreeMap<>();
  static final AtomicInteger FILES = new AtomicInteger();
  static long started;

  @BeforeContainer
  static void setUp() {
    model = TinyOnnx.model(3);
    base = model.toByteArray();
    lengthFields = new ArrayList<>();
    scan(base, 0, base.length, lengthFields, 0);
    runner = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "onnx-fuzz");
      t.setDaemon(true);
      return t;
    });
    started = System.nanoTime();
  }

  @AfterContainer
  static void tearDown() {
    runner.shutdownNow();
    StringBuilder kinds = new StringBuilder();
    int imported = 0;
    for (Map.Entry<String, int[]> e : OUTCOMES.entrySet()) {
      kinds.append(String.format(" %s %d/%d", e.getKey(), e.getValue()[0], e.getValue()[1]));
      imported += e.getValue()[0];
    }
    System.out.printf("onnx fuzz: %d files (%d-byte base, %d length fields) in %.1f s, %d imported, %d rejected "
        + "with NeuroLensException; imported/rejected by mutation:%s%n", FILES.get(), base.length,
        lengthFields.size(), (System.nanoTime() - started) / 1e9, imported, FILES.get() - imported, kinds);
  }

  @Example
  void base_importsTheTinyArchitecture() {
    OnnxImporter.Imported imp = check(base, "base");
    ModelConfig c = imp.config();
    assertEquals(TinyOnnx.LAYERS, c.numLayers());
    assertEquals(TinyOnnx.HIDDEN, c.hiddenSize());
    assertEquals(TinyOnnx.HEADS, c.numHeads());
    assertEquals(TinyOnnx.FFN, c.intermediateSize());
    assertEquals(TinyOnnx.VOCAB, c.vocabSize());
    assertEquals("gelu", c.hiddenAct());
    assertTrue(lengthFields.size() > 50, "length fields found: " + lengthFields.size());
  }

  @Property(tries = TRIES, seed = "4242", shrinking = ShrinkingMode.BOUNDED)
  void importBert_mutatedFile_returnsOrThrowsOnlyNeuroLensException(@ForAll("mutations") Mutation m) {
    check(m.apply(base), m.kind());
  }

  /** Imports {@code bytes}; asserts the outcome; returns the import, or null when rejected. */
  static OnnxImporter.Imported check(byte[] bytes, String kind) {
    FILES.incrementAndGet();
    return FuzzBytes.outcome(runner, () -> OnnxImporter.importBert(bytes, SOURCE, 0), SOURCE + ": ",
        OUTCOMES.computeIfAbsent(kind, k -> new int[2]));
  }

  @Provide
  Arbitrary<Mutation> mutations() {
    return Arbitraries.frequencyOf(
        Tuple.of(2, FuzzBytes.bitFlips("flip", 0, base.length)),
        Tuple.of(1, FuzzBytes.truncation(base.length)),
        Tuple.of(1, FuzzBytes.insertion(0, base.length)),
        Tuple.of(3, lengthFieldChanges()),
        Tuple.of(6, modelEdits()));
  }

  /** Replaces the varint of one length-delimited field with another value (2^63 and -1 included). */
  Arbitrary<Mutation> lengthFieldChanges() {
    return Arbitraries.integers().between(0, lengthFields.size() - 1).flatMap(i -> {
      long[] f = lengthFields.get(i);
      return FuzzBytes.lengths(f[2]).map(value -> new Mutation("length-field",
          "length field at byte " + f[0] + " (" + f[2] + ") -> " + value, b -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(b, 0, (int) f[0]);
            writeVarint(out, value);
            out.write(b, (int) (f[0] + f[1]), b.length - (int) (f[0] + f[1]));
            return out.toByteArray();
          }));
    });
  }

  /** Up to three edits of the parsed model, serialized again. */
  Arbitrary<Mutation> modelEdits() {
    int inits = model.getGraph().getInitializerCount();
    int nodes = model.getGraph().getNodeCount();
    Arbitrary<Integer> init = Arbitraries.integers().between(0, inits - 1);
    Arbitrary<Integer> node = Arbitraries.integers().between(0, nodes - 1);
    Arbitrary<Long> number = FuzzBytes.lengths(8);
    Arbitrary<String> name = Arbitraries.of("embeddings.word_embeddings.weight", "encoder.layer.99999999999.output.dense.bias",
        "encoder.layer.-1.output.dense.bias", "encoder.layer.2147483647.intermediate.dense.bias",
        "encoder.layer.1.output.dense.bias", "encoder.layer.01.output.dense.bias", "onnx::MatMul_100", "", "x");
    Arbitrary<String> nodeName = Arbitraries.of("/encoder/layer.0/attention/self/query/MatMul",
        "/encoder/layer.4000000000/output/dense/MatMul", "/encoder/layer.7/intermediate/dense/MatMul", "/MatMul",
        "MatMul", "/encoder/layer.0/attention/self/Reshape", "", "/embeddings/word_embeddings/MatMul");
    Arbitrary<Edit> edit = Arbitraries.oneOf(
        Combinators.combine(init, Arbitraries.integers().between(0, 2), number).as((i, k, v) -> new Edit(
            "init " + i + " dim " + k + " = " + v, g -> {
              TensorProto.Builder t = g.getInitializerBuilder(i);
              if (k < t.getDimsCount()) {
                t.setDims(k, v);
              } else {
                t.addDims(v);
              }
            })),
        Combinators.combine(init, Arbitraries.integers().between(0, 17)).as((i, type) -> new Edit(
            "init " + i + " data type " + type, g -> g.getInitializerBuilder(i).setDataType(type))),
        Combinators.combine(init, Arbitraries.integers().between(0, 64)).as((i, n) -> new Edit(
            "init " + i + " raw data cut to " + n, g -> {
              TensorProto.Builder t = g.getInitializerBuilder(i);
              t.setRawData(t.getRawData().substring(0, Math.min(n, t.getRawData().size())));
            })),
        Combinators.combine(init, Arbitraries.integers().between(0, 3)).as((i, k) -> new Edit(
            "init " + i + " storage #" + k, g -> {
              TensorProto.Builder t = g.getInitializerBuilder(i);
              switch (k) {
                case 0 -> t.setDataLocation(1);
                case 1 -> t.clearFloatData().clearRawData();
                case 2 -> t.addFloatData(Float.NaN);
                default -> t.setRawData(ByteString.copyFrom(new byte[] {1, 2, 3}));
              }
            })),
        Combinators.combine(init, name).as((i, n) -> new Edit("init " + i + " named '" + n + "'",
            g -> g.getInitializerBuilder(i).setName(n))),
        Combinators.combine(init, Arbitraries.integers().between(0, 1)).as((i, k) -> new Edit(
            (k == 0 ? "remove" : "duplicate") + " init " + i, g -> {
              if (k == 0) {
                g.removeInitializer(i);
              } else {
                g.addInitializer(g.getInitializer(i));
              }
            })),
        Combinators.combine(node, nodeName).as((i, n) -> new Edit("node " + i + " named '" + n + "'",
            g -> g.getNodeBuilder(i).setName(n))),
        Combinators.combine(node, Arbitraries.of("MatMul", "Relu", "Gelu", "Erf", "Add", "Constant", "Reshape", ""))
            .as((i, op) -> new Edit("node " + i + " op " + op, g -> g.getNodeBuilder(i).setOpType(op))),
        Combinators.combine(node, Arbitraries.integers().between(0, 2)).as((i, k) -> new Edit(
            "node " + i + " inputs #" + k, g -> {
              NodeProto.Builder n = g.getNodeBuilder(i);
              switch (k) {
                case 0 -> n.clearInput();
                case 1 -> n.addInput("onnx::MatMul_100");
                default -> g.removeNode(i);
              }
            })),
        Combinators.combine(number, number).as((h, d) -> new Edit("heads constant [0, 0, " + h + ", " + d + "]",
            g -> reshapeConstant(g).clearInt64Data().addInt64Data(0).addInt64Data(0).addInt64Data(h).addInt64Data(d))),
        Arbitraries.of(Float.NaN, -1f, 0f, 1f, 1e30f, Float.POSITIVE_INFINITY, 1e-45f).map(eps -> new Edit(
            "epsilon " + eps, g -> g.getNodeBuilder(0).clearAttribute()
                .addAttribute(AttributeProto.newBuilder().setName("epsilon").setF(eps)))));
    return edit.list().ofMinSize(1).ofMaxSize(3).map(edits -> new Mutation("model-edit", "edits " + edits, ignored -> {
      ModelProto.Builder m = model.toBuilder();
      for (Edit e : edits) {
        GraphProto.Builder g = m.getGraphBuilder();
        e.change().accept(g);
      }
      return m.build().toByteArray();
    }));
  }

  /** A named change of the graph; an index past the end (after a removal) is a no-op. */
  record Edit(String description, Consumer<GraphProto.Builder> change) {
    Edit {
      Consumer<GraphProto.Builder> c = change;
      change = g -> {
        try {
          c.accept(g);
        } catch (IndexOutOfBoundsException stale) {
          // an earlier edit removed the element
        }
      };
    }

    @Override
    public String toString() {
      return description;
    }
  }

  private static TensorProto.Builder reshapeConstant(GraphProto.Builder g) {
    for (int i = 0; i < g.getInitializerCount(); i++) {
      if (g.getInitializer(i).getName().equals("onnx::Reshape_shape")) {
        return g.getInitializerBuilder(i);
      }
    }
    return g.addInitializerBuilder().setName("onnx::Reshape_shape").setDataType(OnnxImporter.INT64).addDims(4);
  }

  /**
   * Records the length prefix of every length-delimited field in {@code b[from, to)}, descending
   * into payloads that parse completely as messages. Returns whether the range parsed completely.
   */
  static boolean scan(byte[] b, int from, int to, List<long[]> out, int depth) {
    List<long[]> found = new ArrayList<>();
    int[] pos = {from};
    while (pos[0] < to) {
      long key = readVarint(b, pos, to);
      if (key <= 0 || (key >>> 3) == 0) {
        return false;
      }
      switch ((int) (key & 7)) {
        case 0 -> {
          if (readVarint(b, pos, to) < 0 && pos[0] > to) {
            return false;
          }
        }
        case 1 -> pos[0] += 8;
        case 5 -> pos[0] += 4;
        case 2 -> {
          int at = pos[0];
          long len = readVarint(b, pos, to);
          if (len < 0 || pos[0] + len > to) {
            return false;
          }
          found.add(new long[] {at, pos[0] - at, len});
          if (depth < 8 && len > 0) {
            scan(b, pos[0], (int) (pos[0] + len), found, depth + 1);
          }
          pos[0] += (int) len;
        }
        default -> {
          return false;
        }
      }
    }
    if (pos[0] != to) {
      return false;
    }
    out.addAll(found);
    return true;
  }

  /** Reads a varint at pos[0] (advancing it); -1 when it runs past {@code to} or over 10 bytes. */
  private static long readVarint(byte[] b, int[] pos, int to) {
    long v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos[0] >= to) {
        return -1;
      }
      int x = b[pos[0]++];
      v |= (long) (x & 0x7f) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
    }
    return -1;
  }

  private static void writeVarint(ByteArrayOutputStream out, long v) {
    long x = v;
    while ((x & ~0x7fL) != 0) {
      out.write((int) ((x & 0x7f) | 0x80));
      x >>>= 7;
    }
    out.write((int) x);
  }
}
