package dev.neurolens.model.onnx;

import com.google.protobuf.ByteString;
import dev.neurolens.model.onnx.proto.OnnxProto.AttributeProto;
import dev.neurolens.model.onnx.proto.OnnxProto.GraphProto;
import dev.neurolens.model.onnx.proto.OnnxProto.ModelProto;
import dev.neurolens.model.onnx.proto.OnnxProto.NodeProto;
import dev.neurolens.model.onnx.proto.OnnxProto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * A tiny BERT encoder as a PyTorch-style ONNX export, built in code: just the parts
 * {@link OnnxImporter} reads (named initializers, anonymous MatMul weights named through their
 * MatMul nodes, the attention Reshape constant, an Erf, a LayerNormalization epsilon).
 *
 * <p>Shapes: vocab 20, positions 16, 2 token types, hidden 8, 2 heads, FFN 16, {@link #LAYERS}
 * blocks; a few KiB. Weights mix the float_data, raw FLOAT and raw FLOAT16 encodings.
 */
final class TinyOnnx {
  static final int LAYERS = 2;
  static final int HIDDEN = 8;
  static final int HEADS = 2;
  static final int FFN = 16;
  static final int VOCAB = 20;
  static final int POSITIONS = 16;

  private TinyOnnx() {}

  /** The serialized model of seed {@code seed}. */
  static byte[] bytes(long seed) {
    return model(seed).toByteArray();
  }

  static ModelProto model(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    GraphProto.Builder g = GraphProto.newBuilder().setName("tiny-bert");
    g.addInitializer(floatData("embeddings.word_embeddings.weight", r, VOCAB, HIDDEN));
    g.addInitializer(rawFloat("embeddings.position_embeddings.weight", r, POSITIONS, HIDDEN));
    g.addInitializer(rawHalf("embeddings.token_type_embeddings.weight", r, 2, HIDDEN));
    g.addInitializer(floatData("embeddings.LayerNorm.weight", r, HIDDEN));
    g.addInitializer(floatData("embeddings.LayerNorm.bias", r, HIDDEN));
    g.addNode(node("/embeddings/LayerNorm/LayerNormalization", "LayerNormalization", "emb_ln", "emb",
        "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias")
        .addAttribute(AttributeProto.newBuilder().setName("epsilon").setF(1e-12f).setType(1)));
    int anonymous = 100;
    String x = "emb_ln";
    for (int i = 0; i < LAYERS; i++) {
      String p = "encoder.layer." + i + ".";
      String n = "/encoder/layer." + i + "/";
      for (String lin : new String[] {"attention/self/query", "attention/self/key", "attention/self/value",
          "attention/output/dense", "intermediate/dense", "output/dense"}) {
        int out = lin.equals("intermediate/dense") ? FFN : HIDDEN;
        int in = lin.equals("output/dense") ? FFN : HIDDEN;
        String w = "onnx::MatMul_" + anonymous++;
        g.addInitializer(rawFloat(w, r, in, out)); // ONNX multiplies by (in, out)
        g.addInitializer(floatData(p + lin.replace('/', '.') + ".bias", r, out));
        g.addNode(node(n + lin + "/MatMul", "MatMul", n + lin + "/out", x, w));
      }
      for (String ln : new String[] {"attention.output.LayerNorm", "output.LayerNorm"}) {
        g.addInitializer(floatData(p + ln + ".weight", r, HIDDEN));
        g.addInitializer(floatData(p + ln + ".bias", r, HIDDEN));
      }
      g.addNode(node(n + "intermediate/intermediate_act_fn/Erf", "Erf", n + "erf", n + "intermediate/dense/out"));
      x = n + "output/dense/out";
    }
    String shape = "onnx::Reshape_shape";
    g.addInitializer(TensorProto.newBuilder().setName(shape).setDataType(OnnxImporter.INT64).addDims(4)
        .addInt64Data(0).addInt64Data(0).addInt64Data(HEADS).addInt64Data(HIDDEN / HEADS));
    g.addNode(NodeProto.newBuilder().setName("/encoder/layer.0/attention/self/Reshape").setOpType("Reshape")
        .addInput("/encoder/layer.0/attention/self/key/out").addInput(shape).addOutput("k4"));
    return ModelProto.newBuilder().setIrVersion(8).setProducerName("neurolens-test").setGraph(g).build();
  }

  private static NodeProto.Builder node(String name, String op, String output, String... inputs) {
    NodeProto.Builder n = NodeProto.newBuilder().setName(name).setOpType(op).addOutput(output);
    for (String in : inputs) {
      n.addInput(in);
    }
    return n;
  }

  private static float[] values(SplittableRandom r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextDouble() - 0.5);
    }
    return v;
  }

  private static TensorProto.Builder tensor(String name, int type, int... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type);
    for (int d : dims) {
      t.addDims(d);
    }
    return t;
  }

  private static int count(int... dims) {
    int n = 1;
    for (int d : dims) {
      n *= d;
    }
    return n;
  }

  private static TensorProto floatData(String name, SplittableRandom r, int... dims) {
    TensorProto.Builder t = tensor(name, OnnxImporter.FLOAT, dims);
    for (float v : values(r, count(dims))) {
      t.addFloatData(v);
    }
    return t.build();
  }

  private static TensorProto rawFloat(String name, SplittableRandom r, int... dims) {
    float[] v = values(r, count(dims));
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return tensor(name, OnnxImporter.FLOAT, dims).setRawData(ByteString.copyFrom(b.array())).build();
  }

  private static TensorProto rawHalf(String name, SplittableRandom r, int... dims) {
    int n = count(dims);
    ByteBuffer b = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      b.putShort((short) (0x3800 + r.nextInt(0x400))); // halves in [0.5, 1)
    }
    return tensor(name, OnnxImporter.FLOAT16, dims).setRawData(ByteString.copyFrom(b.array())).build();
  }
}
