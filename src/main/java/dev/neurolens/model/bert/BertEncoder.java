package dev.neurolens.model.bert;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.pytorch.jni.JniUtils;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.FloatTensor;
import dev.neurolens.model.HookName;
import dev.neurolens.model.HookName.Site;
import dev.neurolens.model.Intervention;
import dev.neurolens.model.ModelConfig;
import dev.neurolens.model.ModelTokenizer;
import dev.neurolens.model.TokenBatch;
import dev.neurolens.util.NeuroLensException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A BERT or RoBERTa encoder (post-layer-norm blocks) on DJL NDArrays, with hook points.
 *
 * <p>Per block i, with x the block input: {@code resid_pre = x}, {@code attn.out} = the attention
 * output projection (before the residual add), {@code resid_mid = LN1(x + attn.out)},
 * {@code mlp.pre = act(W_in resid_mid + b_in)} (B, T, M), {@code mlp.out = W_out mlp.pre + b_out},
 * {@code resid_post = LN2(resid_mid + mlp.out)}; {@code embed.out} = LN(word + position + type
 * embeddings). Hence {@code embed.out} and each {@code resid_post} are Hugging Face's
 * {@code hidden_states}. GELU is the exact erf form (HF "gelu"). Padded key positions get
 * {@code -Float.MAX_VALUE} added to the attention scores, as in HF's extended attention mask.
 *
 * <p>Usage: {@code BertEncoder enc = BertEncoder.create(config, "my-bert", tokenizer, weights, "model.safetensors")}
 */
public final class BertEncoder implements EncoderModel {
  private final ModelConfig config;
  private final String id;
  private final ModelTokenizer tokenizer;
  private final NDManager weights;
  private final Map<String, NDArray> params; // canonical name -> array
  private final List<LayerParams> layers;
  private final NDArray typeRow0; // (D)
  private final List<HookName> hookNames;
  private final boolean hasHead;
  private final long parameterCount;
  private String checksum;

  private BertEncoder(ModelConfig config, String id, ModelTokenizer tokenizer, Map<String, FloatTensor> canonical) {
    this.config = config;
    this.id = id;
    this.tokenizer = tokenizer;
    this.weights = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    this.params = new LinkedHashMap<>();
    long count = 0;
    for (Map.Entry<String, FloatTensor> e : new TreeMap<>(canonical).entrySet()) {
      FloatTensor t = e.getValue();
      params.put(e.getKey(), weights.create(t.data(), new Shape(t.shape())));
      count += t.data().length;
    }
    this.parameterCount = count;
    this.hasHead = BertCheckpoint.hasHead(canonical);
    this.typeRow0 = params.get(BertCheckpoint.TOKEN_TYPE).get(0);
    List<LayerParams> ls = new ArrayList<>();
    for (int i = 0; i < config.numLayers(); i++) {
      ls.add(layer(i));
    }
    this.layers = List.copyOf(ls);
    List<HookName> hooks = new ArrayList<>();
    hooks.add(HookName.embedOut());
    for (int i = 0; i < config.numLayers(); i++) {
      for (Site s : List.of(Site.RESID_PRE, Site.ATTN_OUT, Site.RESID_MID, Site.MLP_PRE, Site.MLP_OUT, Site.RESID_POST)) {
        hooks.add(HookName.of(i, s));
      }
    }
    this.hookNames = List.copyOf(hooks);
  }

  /**
   * Builds an encoder from canonical weights (see {@link BertCheckpoint}); checks names and shapes.
   *
   * @param source names the weights' origin in error messages
   */
  public static BertEncoder create(
      ModelConfig config, String id, ModelTokenizer tokenizer, Map<String, FloatTensor> canonical, String source) {
    BertCheckpoint.validate(canonical, config, source);
    return new BertEncoder(config, id, tokenizer, canonical);
  }

  private LayerParams layer(int i) {
    // 1/sqrt(dh) is folded into the query rows of the fused projection (saves a pass over the
    // (B, H, T, T) scores); the canonical weights in params stay unscaled.
    float scale = (float) (1 / Math.sqrt(config.headDim()));
    NDArray qkvW = concatRows(
        p(BertCheckpoint.block(i, "attention.self.query.weight")).mul(scale),
        p(BertCheckpoint.block(i, "attention.self.key.weight")),
        p(BertCheckpoint.block(i, "attention.self.value.weight")));
    NDArray qkvB = concatRows(
        p(BertCheckpoint.block(i, "attention.self.query.bias")).mul(scale),
        p(BertCheckpoint.block(i, "attention.self.key.bias")),
        p(BertCheckpoint.block(i, "attention.self.value.bias")));
    return new LayerParams(
        qkvW, qkvB,
        p(BertCheckpoint.block(i, "attention.output.dense.weight")),
        p(BertCheckpoint.block(i, "attention.output.dense.bias")),
        p(BertCheckpoint.block(i, "attention.output.LayerNorm.weight")),
        p(BertCheckpoint.block(i, "attention.output.LayerNorm.bias")),
        p(BertCheckpoint.block(i, "intermediate.dense.weight")),
        p(BertCheckpoint.block(i, "intermediate.dense.bias")),
        p(BertCheckpoint.block(i, "output.dense.weight")),
        p(BertCheckpoint.block(i, "output.dense.bias")),
        p(BertCheckpoint.block(i, "output.LayerNorm.weight")),
        p(BertCheckpoint.block(i, "output.LayerNorm.bias")));
  }

  private NDArray p(String name) {
    return params.get(name);
  }

  /** The canonical weight arrays, by name (read-only use: {@link TrainableBert} copies them). */
  Map<String, NDArray> paramArrays() {
    return java.util.Collections.unmodifiableMap(params);
  }

  @Override
  public ModelConfig config() {
    return config;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public ModelTokenizer tokenizer() {
    return tokenizer;
  }

  @Override
  public List<HookName> hookNames() {
    return hookNames;
  }

  @Override
  public long parameterCount() {
    return parameterCount;
  }

  @Override
  public boolean hasMaskedLmHead() {
    return hasHead;
  }

  @Override
  public synchronized String weightChecksum() {
    if (checksum == null) {
      checksum = checksumOf(weights());
    }
    return checksum;
  }

  /** SHA-256 over names (sorted), shapes and little-endian float32 values. */
  public static String checksumOf(Map<String, FloatTensor> tensors) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
      for (Map.Entry<String, FloatTensor> e : new TreeMap<>(tensors).entrySet()) {
        md.update((e.getKey() + java.util.Arrays.toString(e.getValue().shape()) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (float v : e.getValue().data()) {
          if (!buf.hasRemaining()) {
            md.update(buf.flip());
            buf.clear();
          }
          buf.putFloat(v);
        }
        md.update(buf.flip());
        buf.clear();
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The canonical weights, copied back from native memory (for export and checksums). */
  public Map<String, FloatTensor> weights() {
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      out.put(e.getKey(), new FloatTensor(e.getValue().getShape().getShape(), e.getValue().toFloatArray()));
    }
    return out;
  }

  @Override
  public NDArray forward(NDManager manager, TokenBatch batch) {
    return run(manager, batch, HookRun.NONE);
  }

  @Override
  public Map<HookName, NDArray> runWithCache(NDManager manager, TokenBatch batch, Set<HookName> hooks) {
    checkHooks(hooks);
    HookRun run = new HookRun(manager, Set.copyOf(hooks), Map.of());
    NDArray last = run(manager, batch, run);
    Map<HookName, NDArray> out = run.captured();
    if (out.values().stream().noneMatch(a -> a == last)) {
      last.close();
    }
    return Map.copyOf(out);
  }

  @Override
  public NDArray runWithHooks(NDManager manager, TokenBatch batch, Map<HookName, Intervention> interventions) {
    checkHooks(interventions.keySet());
    return run(manager, batch, new HookRun(manager, Set.of(), Map.copyOf(interventions)));
  }

  private void checkHooks(Set<HookName> hooks) {
    for (HookName h : hooks) {
      if (h.block() >= config.numLayers()) {
        throw new NeuroLensException("hook " + h + ": the model has blocks 0.." + (config.numLayers() - 1));
      }
    }
  }

  /** The forward pass: (B, T) ids -> last hidden state (B, T, D) attached to {@code manager}. */
  private NDArray run(NDManager manager, TokenBatch batch, HookRun hooks) {
    BertGraph.Inputs in = BertGraph.inputs(config, batch);
    boolean grad = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try (NDManager sub = manager.newSubManager()) {
      NDArray x = BertGraph.embed(config, sub, in, p(BertCheckpoint.WORD), p(BertCheckpoint.POSITION), typeRow0,
          p(BertCheckpoint.EMB_LN + "weight"), p(BertCheckpoint.EMB_LN + "bias"), 0f);
      x = hooks.at(HookName.embedOut(), x);
      NDArray maskArr = BertGraph.maskArray(sub, in);
      for (int i = 0; i < layers.size(); i++) {
        try (NDManager lm = sub.newSubManager()) {
          x.tempAttach(lm);
          NDArray out = BertGraph.block(config, i, layers.get(i), x, maskArr, hooks, 1f, 0f);
          if (out.getManager() == lm) {
            out.attach(sub);
          }
          x = out;
        }
      }
      if (x.getManager() == sub) {
        x.attach(manager);
      }
      return x;
    } finally {
      JniUtils.setGradMode(grad);
    }
  }

  @Override
  public NDArray maskedLmLogits(NDManager manager, NDArray lastHidden) {
    if (!hasHead) {
      throw new IllegalStateException(id + " has no masked-LM head");
    }
    boolean grad = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try (NDManager sub = manager.newSubManager()) {
      lastHidden.tempAttach(sub);
      NDArray h = Linear.linear(lastHidden, p(BertCheckpoint.HEAD_DENSE + "weight"), p(BertCheckpoint.HEAD_DENSE + "bias"))
          .singletonOrThrow();
      h = BertGraph.layerNorm(config, BertGraph.activation(config, h), p(BertCheckpoint.HEAD_LN + "weight"), p(BertCheckpoint.HEAD_LN + "bias"));
      NDArray decoder = params.getOrDefault(BertCheckpoint.HEAD_DECODER, p(BertCheckpoint.WORD));
      NDArray logits = Linear.linear(h, decoder, p(BertCheckpoint.HEAD_BIAS)).singletonOrThrow();
      logits.attach(manager);
      return logits;
    } finally {
      JniUtils.setGradMode(grad);
    }
  }

  @Override
  public void close() {
    weights.close();
    if (tokenizer instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing the tokenizer failed", e);
      }
    }
  }

  private static NDArray concatRows(NDArray a, NDArray b, NDArray c) {
    return NDArrays.concat(new NDList(a, b, c), 0);
  }
}
