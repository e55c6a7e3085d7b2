package dev.neurolens.model.bert;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.FloatTensor;
import dev.neurolens.model.ModelConfig;
import dev.neurolens.model.TokenBatch;
import dev.neurolens.model.graph.HookRun;
import dev.neurolens.model.graph.Ops;
import dev.neurolens.model.graph.PaddedBatch;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A trainable copy of a BERT-family encoder with the embeddings and the bottom K blocks frozen
 * (Telly-K): {@code freeze = FREEZE_NONE} trains everything, {@code freeze = 0} freezes the
 * embeddings only, {@code freeze = K} also blocks 0..K-1. Frozen weights are plain arrays (no
 * gradient, no optimizer state) and the frozen bottom runs with autograd off, so freezing saves
 * backward time and activation memory; the trainable weights are leaves that require gradients.
 * The query, key and value projections of a block are one fused leaf ({@code
 * encoder.layer.{i}.attention.self.qkv.weight}, (3D, D)); {@link #weights()} splits them back
 * into the canonical names. A masked-LM head, if the checkpoint has one, is kept as is for export.
 *
 * <p>Usage: {@code try (TrainableBert t = TrainableBert.of(model, 8, 0.1f, Map.of())) { NDArray h = t.forward(manager, batch, true); }}
 */
public final class TrainableBert implements AutoCloseable {
  /** Train every weight, embeddings included. */
  public static final int FREEZE_NONE = -1;

  private final ModelConfig config;
  private final NDManager manager;
  private final Map<String, NDArray> params = new LinkedHashMap<>(); // encoder weights, q/k/v fused
  private final Map<String, NDArray> trainable = new LinkedHashMap<>();
  private final Map<String, FloatTensor> untouched = new LinkedHashMap<>(); // masked-LM head
  private final List<LayerParams> layers = new ArrayList<>();
  private final int freeze;
  private final float dropout;
  private final boolean hasHead;

  private TrainableBert(BertEncoder source, int freeze, float dropout, Map<String, FloatTensor> replace) {
    this.config = source.config();
    int n = config.numLayers();
    if (freeze < FREEZE_NONE || freeze > n) {
      throw new NeuroLensException("--freeze: must be 'none' or 0.." + n + " for a " + n + "-layer model, found " + freeze);
    }
    if (!(dropout >= 0f && dropout < 1f)) {
      throw new NeuroLensException("--dropout: must be in [0, 1), found " + dropout);
    }
    this.freeze = freeze;
    this.dropout = dropout;
    this.hasHead = source.hasMaskedLmHead();
    this.manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    boolean grad = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try (NDManager tmp = manager.newSubManager()) {
      // float32 values of the source (a model with 16-bit weights converts them here)
      Map<String, NDArray> src = new LinkedHashMap<>();
      for (String name : source.names()) {
        src.put(name, source.float32(name, tmp));
      }
      for (String name : List.of(BertCheckpoint.WORD, BertCheckpoint.POSITION, BertCheckpoint.TOKEN_TYPE,
          BertCheckpoint.EMB_LN + "weight", BertCheckpoint.EMB_LN + "bias")) {
        put(name, src.get(name), freeze == FREEZE_NONE, replace);
      }
      for (int i = 0; i < n; i++) {
        boolean train = freeze == FREEZE_NONE || i >= freeze;
        for (String kind : List.of("weight", "bias")) {
          NDArray fused = NDArrays.concat(new NDList(
              src.get(BertCheckpoint.block(i, "attention.self.query." + kind)),
              src.get(BertCheckpoint.block(i, "attention.self.key." + kind)),
              src.get(BertCheckpoint.block(i, "attention.self.value." + kind))), 0);
          put(qkv(i, kind), fused, train, replace);
          fused.close();
        }
        for (String rest : List.of("attention.output.dense", "attention.output.LayerNorm", "intermediate.dense",
            "output.dense", "output.LayerNorm")) {
          for (String kind : List.of("weight", "bias")) {
            String name = BertCheckpoint.block(i, rest + "." + kind);
            put(name, src.get(name), train, replace);
          }
        }
        layers.add(new LayerParams(
            p(qkv(i, "weight")), p(qkv(i, "bias")),
            p(BertCheckpoint.block(i, "attention.output.dense.weight")),
            p(BertCheckpoint.block(i, "attention.output.dense.bias")),
            p(BertCheckpoint.block(i, "attention.output.LayerNorm.weight")),
            p(BertCheckpoint.block(i, "attention.output.LayerNorm.bias")),
            p(BertCheckpoint.block(i, "intermediate.dense.weight")),
            p(BertCheckpoint.block(i, "intermediate.dense.bias")),
            p(BertCheckpoint.block(i, "output.dense.weight")),
            p(BertCheckpoint.block(i, "output.dense.bias")),
            p(BertCheckpoint.block(i, "output.LayerNorm.weight")),
            p(BertCheckpoint.block(i, "output.LayerNorm.bias"))));
      }
      for (Map.Entry<String, NDArray> e : src.entrySet()) {
        if (e.getKey().startsWith("cls.")) {
          untouched.put(e.getKey(), new FloatTensor(e.getValue().getShape().getShape(), e.getValue().toFloatArray()));
        }
      }
    } finally {
      JniUtils.setGradMode(grad);
    }
    for (String name : replace.keySet()) {
      if (!trainable.containsKey(name)) {
        manager.close();
        throw new NeuroLensException("checkpoint weight " + name + " is not a trainable weight of this model at freeze "
            + describeFreeze(freeze));
      }
    }
  }

  /**
   * A trainable copy of {@code model}'s weights.
   *
   * @param freeze {@link #FREEZE_NONE} or K in 0..layers (embeddings plus blocks 0..K-1 frozen)
   * @param dropout dropout rate of the training forward (Hugging Face's places); 0 = none
   * @param replace trainable weights to take instead of the model's (a checkpoint), by the names
   *     of {@link #trainableNames()}
   */
  public static TrainableBert of(EncoderModel model, int freeze, float dropout, Map<String, FloatTensor> replace) {
    if (!(model instanceof BertEncoder bert)) {
      throw new NeuroLensException("fine-tuning: only BERT-family models can be trained, found " + model.getClass().getSimpleName());
    }
    return new TrainableBert(bert, freeze, dropout, replace);
  }

  /** "none" or the number K. */
  public static String describeFreeze(int freeze) {
    return freeze == FREEZE_NONE ? "none" : String.valueOf(freeze);
  }

  private static String qkv(int i, String kind) {
    return BertCheckpoint.block(i, "attention.self.qkv." + kind);
  }

  private void put(String name, NDArray from, boolean train, Map<String, FloatTensor> replace) {
    NDArray a;
    FloatTensor r = replace.get(name);
    if (r != null) {
      if (!new Shape(r.shape()).equals(from.getShape())) {
        throw new NeuroLensException("checkpoint weight " + name + ": shape " + new Shape(r.shape())
            + " does not match the model's " + from.getShape());
      }
      a = manager.create(r.data(), new Shape(r.shape()));
    } else {
      a = from.duplicate();
      a.attach(manager);
    }
    if (train) {
      a.setRequiresGradient(true);
      trainable.put(name, a);
    }
    params.put(name, a);
  }

  private NDArray p(String name) {
    return params.get(name);
  }

  public ModelConfig config() {
    return config;
  }

  /** {@link #FREEZE_NONE} or K. */
  public int freeze() {
    return freeze;
  }

  /** The trainable leaves, by name, in a fixed order (the optimizer's order). */
  public Map<String, NDArray> trainable() {
    return java.util.Collections.unmodifiableMap(trainable);
  }

  /** Names of the trainable leaves. */
  public List<String> trainableNames() {
    return List.copyOf(trainable.keySet());
  }

  /** Number of trainable encoder parameters. */
  public long trainableCount() {
    return trainable.values().stream().mapToLong(NDArray::size).sum();
  }

  /** Number of encoder parameters (embeddings and blocks; a masked-LM head is not counted). */
  public long totalCount() {
    return params.values().stream().mapToLong(NDArray::size).sum();
  }

  /**
   * The last hidden state (B, T, D) attached to {@code m}. With {@code train}, dropout is on and
   * the trainable top runs under autograd (call backward on a loss built from the result); the
   * frozen bottom always runs without autograd. Without {@code train}: plain inference.
   */
  public NDArray forward(NDManager m, TokenBatch batch, boolean train) {
    PaddedBatch in = PaddedBatch.of(config, batch);
    float rate = train ? dropout : 0f;
    float scale = (float) (1 / Math.sqrt(config.headDim()));
    boolean grad = JniUtils.isGradMode();
    try (NDManager sub = m.newSubManager()) {
      JniUtils.setGradMode(train && freeze == FREEZE_NONE);
      NDArray typeRow0 = p(BertCheckpoint.TOKEN_TYPE).get(sub, new NDIndex("0"));
      NDArray x = BertGraph.embed(config, sub, in, ids -> Ops.gather(ids, p(BertCheckpoint.WORD)),
          ids -> Ops.gather(ids, p(BertCheckpoint.POSITION)), typeRow0,
          p(BertCheckpoint.EMB_LN + "weight"), p(BertCheckpoint.EMB_LN + "bias"), rate);
      NDArray mask = in.keyMask(sub);
      for (int i = 0; i < layers.size(); i++) {
        if (train && i == Math.max(freeze, 0)) {
          JniUtils.setGradMode(true);
        }
        try (NDManager lm = sub.newSubManager()) {
          x.tempAttach(lm);
          NDArray out = BertGraph.block(config, i, layers.get(i), x, mask, HookRun.NONE, scale, rate);
          out.attach(sub);
          x = out;
        }
      }
      x.attach(m);
      return x;
    } finally {
      JniUtils.setGradMode(grad);
    }
  }

  /** The trainable leaves' current values, by name (for checkpoints). */
  public Map<String, FloatTensor> trainableValues() {
    Map<String, FloatTensor> out = new TreeMap<>();
    for (Map.Entry<String, NDArray> e : trainable.entrySet()) {
      out.put(e.getKey(), new FloatTensor(e.getValue().getShape().getShape(), e.getValue().toFloatArray()));
    }
    return out;
  }

  /** All weights under their canonical names (q/k/v split again; a masked-LM head as loaded). */
  public Map<String, FloatTensor> weights() {
    Map<String, FloatTensor> out = new TreeMap<>();
    int d = config.hiddenSize();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      String name = e.getKey();
      long[] shape = e.getValue().getShape().getShape();
      float[] data = e.getValue().toFloatArray();
      if (name.contains("attention.self.qkv.")) {
        String kind = name.endsWith("weight") ? "weight" : "bias";
        String prefix = name.substring(0, name.indexOf("attention.self.qkv."));
        int per = data.length / 3;
        String[] parts = {"query", "key", "value"};
        for (int k = 0; k < 3; k++) {
          float[] part = java.util.Arrays.copyOfRange(data, k * per, (k + 1) * per);
          long[] ps = kind.equals("weight") ? new long[] {d, shape[1]} : new long[] {d};
          out.put(prefix + "attention.self." + parts[k] + "." + kind, new FloatTensor(ps, part));
        }
      } else {
        out.put(name, new FloatTensor(shape, data));
      }
    }
    out.putAll(untouched);
    return out;
  }

  /** Whether the source checkpoint had a masked-LM head (kept, untrained, for export). */
  public boolean hasMaskedLmHead() {
    return hasHead;
  }

  @Override
  public void close() {
    manager.close();
  }
}
