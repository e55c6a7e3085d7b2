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
    int b = batch.size();
    int t = batch.maxLength();
    checkBatch(batch, t);
    long[] ids = new long[b * t];
    float[] mask = new float[b * t];
    java.util.Arrays.fill(ids, config.padTokenId());
    java.util.Arrays.fill(mask, -Float.MAX_VALUE);
    boolean padded = false;
    for (int r = 0; r < b; r++) {
      int[] row = batch.ids().get(r);
      padded |= row.length < t;
      for (int j = 0; j < row.length; j++) {
        ids[r * t + j] = row[j];
        mask[r * t + j] = 0f;
      }
    }
    boolean grad = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try (NDManager sub = manager.newSubManager()) {
      NDArray idArr = sub.create(ids, new Shape(b, t));
      NDArray x = embed(idArr, ids, b, t);
      x = hooks.at(HookName.embedOut(), x);
      // (B, 1, 1, T) additive key mask; a batch without padding needs none (saves a pass over the scores).
      NDArray maskArr = padded ? sub.create(mask, new Shape(b, 1, 1, t)) : null;
      for (int i = 0; i < layers.size(); i++) {
        try (NDManager lm = sub.newSubManager()) {
          x.tempAttach(lm);
          NDArray out = block(i, x, maskArr, hooks);
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

  private void checkBatch(TokenBatch batch, int t) {
    if (t > config.maxTokens()) {
      throw new NeuroLensException("sequence length " + t + " exceeds the model's max positions ("
          + config.maxTokens() + ", max_position_embeddings " + config.maxPositions()
          + "); split long inputs into windows");
    }
    for (int r = 0; r < batch.size(); r++) {
      for (int id : batch.ids().get(r)) {
        if (id < 0 || id >= config.vocabSize()) {
          throw new NeuroLensException("token id " + id + " (batch row " + r
              + ") is outside the embedding table [0, " + config.vocabSize() + ")");
        }
      }
    }
  }

  /** Word + position + type-0 embeddings, layer-normed: (B, T) -> (B, T, D). */
  private NDArray embed(NDArray idArr, long[] ids, int b, int t) {
    NDArray word = gather(idArr, p(BertCheckpoint.WORD));
    NDArray pos;
    if (config.positionOffset() == 0) {
      pos = p(BertCheckpoint.POSITION).get(new NDIndex("0:{}", t)); // (T, D), broadcast over B
    } else {
      // RoBERTa: real tokens count up from padding_idx + 1, padding tokens use padding_idx.
      long[] posIds = new long[b * t];
      int pad = config.padTokenId();
      for (int r = 0; r < b; r++) {
        int k = 0;
        for (int j = 0; j < t; j++) {
          long id = ids[r * t + j];
          posIds[r * t + j] = id == pad ? pad : pad + 1 + k++;
        }
      }
      pos = gather(idArr.getManager().create(posIds, new Shape(b, t)), p(BertCheckpoint.POSITION));
    }
    NDArray sum = word.addi(pos).addi(typeRow0);
    return layerNorm(sum, p(BertCheckpoint.EMB_LN + "weight"), p(BertCheckpoint.EMB_LN + "bias"));
  }

  private static NDArray gather(NDArray idx, NDArray table) {
    return idx.getNDArrayInternal().embedding(idx, table, SparseFormat.DENSE).singletonOrThrow();
  }

  private NDArray layerNorm(NDArray x, NDArray w, NDArray bias) {
    return LayerNorm.layerNorm(x, new Shape(config.hiddenSize()), w, bias, (float) config.layerNormEps())
        .singletonOrThrow();
  }

  /** One encoder block: (B, T, D) -> (B, T, D); {@code mask} is null when no row is padded. */
  private NDArray block(int i, NDArray x, NDArray mask, HookRun hooks) {
    LayerParams l = layers.get(i);
    Shape s = x.getShape();
    long b = s.get(0);
    long t = s.get(1);
    int h = config.numHeads();
    int dh = config.headDim();
    NDArray residPre = hooks.at(HookName.of(i, Site.RESID_PRE), x);
    NDArray qkv = Linear.linear(residPre, l.qkvWeight(), l.qkvBias()).singletonOrThrow();
    // (B, T, 3D) -> (B, T, 3, H, dh) -> (3, B, H, T, dh)
    NDArray heads = qkv.reshape(b, t, 3, h, dh).transpose(2, 0, 3, 1, 4);
    NDArray q = heads.get(0);
    NDArray k = heads.get(1);
    NDArray v = heads.get(2);
    // (B, H, T, dh) x (B, H, dh, T) -> (B, H, T, T)
    NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)); // q is pre-scaled by 1/sqrt(dh)
    if (mask != null) {
      scores.addi(mask);
    }
    NDArray probs = scores.softmax(-1);
    // (B, H, T, T) x (B, H, T, dh) -> (B, H, T, dh) -> (B, T, H, dh) -> (B, T, D)
    NDArray ctx = probs.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, config.hiddenSize());
    NDArray attnOut = hooks.at(HookName.of(i, Site.ATTN_OUT),
        Linear.linear(ctx, l.attnOutWeight(), l.attnOutBias()).singletonOrThrow());
    NDArray mid = hooks.at(HookName.of(i, Site.RESID_MID),
        layerNorm(attnOut.add(residPre), l.ln1Weight(), l.ln1Bias()));
    NDArray pre = Linear.linear(mid, l.ffnInWeight(), l.ffnInBias()).singletonOrThrow();
    pre = hooks.at(HookName.of(i, Site.MLP_PRE), activation(pre));
    NDArray mlpOut = hooks.at(HookName.of(i, Site.MLP_OUT),
        Linear.linear(pre, l.ffnOutWeight(), l.ffnOutBias()).singletonOrThrow());
    return hooks.at(HookName.of(i, Site.RESID_POST),
        layerNorm(mlpOut.add(mid), l.ln2Weight(), l.ln2Bias()));
  }

  private NDArray activation(NDArray x) {
    return config.hiddenAct().equals("gelu") ? Activation.gelu(x) : Activation.relu(x);
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
      h = layerNorm(activation(h), p(BertCheckpoint.HEAD_LN + "weight"), p(BertCheckpoint.HEAD_LN + "bias"));
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
