package dev.neurolens.model.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.neurolens.model.FloatTensor;
import dev.neurolens.model.ModelConfig;
import dev.neurolens.model.bert.BertCheckpoint;
import dev.neurolens.model.onnx.proto.OnnxProto.AttributeProto;
import dev.neurolens.model.onnx.proto.OnnxProto.GraphProto;
import dev.neurolens.model.onnx.proto.OnnxProto.ModelProto;
import dev.neurolens.model.onnx.proto.OnnxProto.NodeProto;
import dev.neurolens.model.onnx.proto.OnnxProto.TensorProto;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Imports the weights and architecture of a BERT-family encoder exported to ONNX by PyTorch
 * (e.g. BGE-small-en-v1.5, all-MiniLM-L6-v2, e5-small-v2).
 *
 * <p>Biases, layer norms and embeddings are initializers with Hugging Face names. The MatMul
 * weights are anonymous ({@code onnx::MatMul_NNN}); each is named through the MatMul node that
 * consumes it ({@code /encoder/layer.0/attention/self/query/MatMul} ->
 * {@code encoder.layer.0.attention.self.query.weight}) and transposed, since ONNX multiplies
 * by the (in, out) matrix while an HF Linear stores (out, in). The architecture comes from the
 * weight shapes (layers, hidden, FFN width, vocab, positions), the attention Reshape constants
 * (heads), the layer-norm epsilon constant and the activation's ops (Erf: exact GELU).
 *
 * <p>Usage: {@code OnnxImporter.Imported imp = OnnxImporter.importBert(Models.bundledOnnx(), "bundled", 0)}
 */
public final class OnnxImporter {
  static final int FLOAT = 1;
  static final int INT32 = 6;
  static final int INT64 = 7;
  static final int FLOAT16 = 10;
  private static final Pattern MATMUL_NODE = Pattern.compile("^/?(.+)/MatMul$");

  private OnnxImporter() {}

  /** The imported architecture and canonical weights. */
  public record Imported(ModelConfig config, Map<String, FloatTensor> weights) {
    public Imported {
      weights = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    }
  }

  /** Parses an ONNX model with protobuf-java; {@code source} names it in errors. */
  public static ModelProto parse(byte[] bytes, String source) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      in.enableAliasing(true);
      in.setSizeLimit(Integer.MAX_VALUE);
      ModelProto m = ModelProto.parseFrom(in);
      if (!m.hasGraph() || m.getGraph().getNodeCount() == 0) {
        throw new NeuroLensException(source + ": not an ONNX model (no graph nodes)");
      }
      return m;
    } catch (InvalidProtocolBufferException e) {
      throw new NeuroLensException(source + ": not a valid ONNX file (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw new NeuroLensException(source + ": cannot read ONNX file (" + e.getMessage() + ")", e);
    }
  }

  /** Imports a BERT encoder from ONNX bytes; {@code padTokenId} comes from the tokenizer. */
  public static Imported importBert(byte[] bytes, String source, int padTokenId) {
    GraphProto g = parse(bytes, source).getGraph();
    Map<String, TensorProto> inits = new HashMap<>();
    for (TensorProto t : g.getInitializerList()) {
      inits.put(t.getName(), t);
    }
    Map<String, FloatTensor> raw = new LinkedHashMap<>();
    for (TensorProto t : g.getInitializerList()) {
      if (BertCheckpoint.canonicalName(t.getName()) != null && isFloat(t)) {
        raw.put(t.getName(), floats(t, source));
      }
    }
    for (NodeProto n : g.getNodeList()) {
      if (!n.getOpType().equals("MatMul") || n.getInputCount() != 2) {
        continue;
      }
      TensorProto w = inits.get(n.getInput(1));
      Matcher m = MATMUL_NODE.matcher(n.getName());
      if (w == null || !isFloat(w) || !m.matches() || BertCheckpoint.canonicalName(w.getName()) != null) {
        continue;
      }
      String name = m.group(1).replace('/', '.') + ".weight";
      if (BertCheckpoint.canonicalName(name) != null && w.getDimsCount() == 2) {
        raw.put(name, floats(w, source).transpose2d());
      }
    }
    Map<String, FloatTensor> weights = BertCheckpoint.canonicalize(raw, source);
    ModelConfig config = inferConfig(g, weights, inits, source, padTokenId);
    BertCheckpoint.validate(weights, config, source);
    return new Imported(config, weights);
  }

  private static ModelConfig inferConfig(
      GraphProto g, Map<String, FloatTensor> w, Map<String, TensorProto> inits, String source, int pad) {
    FloatTensor word = require(w, BertCheckpoint.WORD, source);
    FloatTensor pos = require(w, BertCheckpoint.POSITION, source);
    FloatTensor type = require(w, BertCheckpoint.TOKEN_TYPE, source);
    int layers = BertCheckpoint.layerCount(w, source);
    if (layers == 0) {
      throw new NeuroLensException(source + ": no encoder.layer.* weights found; not a BERT-family export");
    }
    int hidden = dim(word, 2, 1, BertCheckpoint.WORD, source);
    int ffn = dim(require(w, BertCheckpoint.block(0, "intermediate.dense.bias"), source), 1, 0,
        BertCheckpoint.block(0, "intermediate.dense.bias"), source);
    int positions = dim(pos, 2, 0, BertCheckpoint.POSITION, source);
    int vocab = dim(word, 2, 0, BertCheckpoint.WORD, source);
    int types = dim(type, 2, 0, BertCheckpoint.TOKEN_TYPE, source);
    Map<String, NodeProto> producers = new HashMap<>();
    for (NodeProto n : g.getNodeList()) {
      for (String o : n.getOutputList()) {
        producers.put(o, n);
      }
    }
    int heads = inferHeads(g, producers, inits, hidden, source);
    double eps = inferEps(g, producers, inits, source);
    String act = inferActivation(g, source);
    try {
      return new ModelConfig("bert", layers, hidden, heads, ffn, positions, vocab, types, eps, pad, act);
    } catch (NeuroLensException e) {
      throw new NeuroLensException(source + ": " + e.getMessage());
    }
  }

  /** Dimension {@code i} of a tensor that must have rank {@code rank}, as an int. */
  private static int dim(FloatTensor t, int rank, int i, String name, String source) {
    if (t.rank() != rank) {
      throw new NeuroLensException(source + ": tensor '" + name + "' must have rank " + rank + ", found shape "
          + java.util.Arrays.toString(t.shape()));
    }
    if (t.dim(i) > Integer.MAX_VALUE) {
      throw new NeuroLensException(source + ": tensor '" + name + "' has dimension " + t.dim(i) + " > 2^31 - 1");
    }
    return (int) t.dim(i);
  }

  private static FloatTensor require(Map<String, FloatTensor> w, String name, String source) {
    FloatTensor t = w.get(name);
    if (t == null) {
      throw new NeuroLensException(source + ": tensor '" + name + "' is missing; not a BERT-family export");
    }
    return t;
  }

  /** Heads from block 0's attention Reshape target shape (B, T, H, dh), via Concat or a constant. */
  private static int inferHeads(
      GraphProto g, Map<String, NodeProto> producers, Map<String, TensorProto> inits, int hidden, String source) {
    for (NodeProto n : g.getNodeList()) {
      if (!n.getOpType().equals("Reshape") || !n.getName().contains("layer.0/attention/self/")
          || n.getInputCount() < 2) {
        continue;
      }
      List<Long> dims = new ArrayList<>();
      String shapeIn = n.getInput(1);
      NodeProto concat = producers.get(shapeIn);
      long[] direct = constantInts(shapeIn, producers, inits);
      if (direct != null) {
        for (long d : direct) {
          dims.add(d);
        }
      } else if (concat != null && concat.getOpType().equals("Concat")) {
        for (String in : concat.getInputList()) {
          long[] c = constantInts(in, producers, inits);
          dims.add(c != null && c.length == 1 ? c[0] : -1L);
        }
      }
      if (dims.size() == 4 && dims.get(2) > 0 && dims.get(3) > 0 && dims.get(2) * dims.get(3) == hidden) {
        return (int) (long) dims.get(2);
      }
    }
    for (NodeProto n : g.getNodeList()) {
      if (n.getOpType().equals("Div") && n.getName().contains("layer.0/attention/self/") && n.getInputCount() == 2) {
        double[] c = constantFloats(n.getInput(1), producers, inits, source);
        if (c != null && c.length == 1 && c[0] > 0) {
          long dh = Math.round(c[0] * c[0]);
          if (dh > 0 && hidden % dh == 0) {
            return (int) (hidden / dh);
          }
        }
      }
    }
    throw new NeuroLensException(source + ": cannot find the number of attention heads (no attention Reshape "
        + "constants in encoder layer 0)");
  }

  /** Epsilon from a LayerNormalization node, or the constant added to the variance. */
  private static double inferEps(
      GraphProto g, Map<String, NodeProto> producers, Map<String, TensorProto> inits, String source) {
    for (NodeProto n : g.getNodeList()) {
      if (n.getOpType().equals("LayerNormalization")) {
        for (AttributeProto a : n.getAttributeList()) {
          if (a.getName().equals("epsilon")) {
            return Double.parseDouble(Float.toString(a.getF()));
          }
        }
        return 1e-5;
      }
      if (n.getOpType().equals("Add") && n.getName().endsWith("LayerNorm/Add")) {
        for (String in : n.getInputList()) {
          double[] c = constantFloats(in, producers, inits, source);
          if (c != null && c.length == 1 && c[0] > 0 && c[0] < 1) {
            return Double.parseDouble(Float.toString((float) c[0])); // 1e-12, not 9.99999996e-13
          }
        }
      }
    }
    return 1e-12;
  }

  private static String inferActivation(GraphProto g, String source) {
    boolean relu = false;
    for (NodeProto n : g.getNodeList()) {
      if (n.getName().contains("intermediate")) {
        if (n.getOpType().equals("Erf") || n.getOpType().equals("Gelu")) {
          return "gelu";
        }
        relu |= n.getOpType().equals("Relu");
      }
    }
    if (relu) {
      return "relu";
    }
    throw new NeuroLensException(source + ": cannot tell the feed-forward activation (no Erf/Gelu/Relu node "
        + "in the intermediate layers)");
  }

  private static TensorProto constant(String name, Map<String, NodeProto> producers, Map<String, TensorProto> inits) {
    TensorProto t = inits.get(name);
    if (t != null) {
      return t;
    }
    NodeProto p = producers.get(name);
    if (p != null && p.getOpType().equals("Constant")) {
      for (AttributeProto a : p.getAttributeList()) {
        if (a.getName().equals("value") && a.hasT()) {
          return a.getT();
        }
      }
    }
    return null;
  }

  private static long[] constantInts(String name, Map<String, NodeProto> producers, Map<String, TensorProto> inits) {
    TensorProto t = constant(name, producers, inits);
    if (t == null || (t.getDataType() != INT64 && t.getDataType() != INT32)) {
      return null;
    }
    if (t.getDataType() == INT64) {
      if (t.getInt64DataCount() > 0) {
        return t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
      }
      ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      long[] out = new long[b.remaining() / 8];
      for (int i = 0; i < out.length; i++) {
        out[i] = b.getLong();
      }
      return out;
    }
    if (t.getInt32DataCount() > 0) {
      return t.getInt32DataList().stream().mapToLong(Integer::longValue).toArray();
    }
    ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    long[] out = new long[b.remaining() / 4];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getInt();
    }
    return out;
  }

  private static double[] constantFloats(
      String name, Map<String, NodeProto> producers, Map<String, TensorProto> inits, String source) {
    TensorProto t = constant(name, producers, inits);
    if (t == null || t.getDataType() != FLOAT) {
      return null;
    }
    float[] f = decode(t, source + ": constant '" + name + "'");
    double[] out = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = f[i];
    }
    return out;
  }

  private static boolean isFloat(TensorProto t) {
    return t.getDataType() == FLOAT || t.getDataType() == FLOAT16;
  }

  private static FloatTensor floats(TensorProto t, String source) {
    long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    return new FloatTensor(dims, decode(t, source + ": initializer '" + t.getName() + "'"));
  }

  /** The float32 values of a FLOAT or FLOAT16 tensor (raw little-endian bytes or float_data). */
  static float[] decode(TensorProto t, String where) {
    if (t.getDataLocation() == 1) {
      throw new NeuroLensException(where + ": weights stored as external data are not supported; "
          + "export the model with its weights inside the .onnx file");
    }
    long n = 1;
    for (long d : t.getDimsList()) {
      if (d < 0 || (d > 0 && n > Integer.MAX_VALUE / d)) {
        throw new NeuroLensException(where + ": dims " + t.getDimsList() + " must be >= 0 with fewer than 2^31 "
            + "elements in all");
      }
      n *= d;
    }
    if (t.getDataType() == FLOAT && t.getFloatDataCount() > 0) {
      if (t.getFloatDataCount() != n) {
        throw new NeuroLensException(where + ": has " + t.getFloatDataCount() + " values, shape needs " + n);
      }
      float[] out = new float[(int) n];
      for (int i = 0; i < n; i++) {
        out[i] = t.getFloatData(i);
      }
      return out;
    }
    ByteString raw = t.getRawData();
    int width = t.getDataType() == FLOAT ? 4 : 2;
    if (raw.size() != n * width) {
      throw new NeuroLensException(where + ": raw data has " + raw.size() + " bytes, shape x dtype needs " + (n * width));
    }
    ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[(int) n];
    if (width == 4) {
      b.asFloatBuffer().get(out);
    } else {
      for (int i = 0; i < n; i++) {
        out[i] = halfToFloat(b.getShort());
      }
    }
    return out;
  }

  private static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}
