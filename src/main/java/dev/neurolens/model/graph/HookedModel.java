package dev.neurolens.model.graph;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What every model family shares: the weights in native memory under canonical names, the hook
 * names, the forward loop (embeddings, then each block in its own sub-manager, then the final
 * norm), capture ({@link #runWithCache}) and intervention ({@link #runWithHooks}) through one
 * {@link HookRun} per call, the weight checksum, and closing. A family supplies the embeddings,
 * the attention mask or bias, one block, and its final norm.
 *
 * <p>Every block has the hook sites {@code resid_pre, attn.out, resid_mid, mlp.pre, mlp.out,
 * resid_post} with the same meaning in every family; {@code resid_post} is the block's output
 * (the residual stream), before any final norm. {@link #forward} and {@link #runWithHooks} return
 * the last hidden state after the final norm (Hugging Face's {@code last_hidden_state}).
 */
public abstract class HookedModel implements EncoderModel {
  private static final List<Site> BLOCK_SITES =
      List.of(Site.RESID_PRE, Site.ATTN_OUT, Site.RESID_MID, Site.MLP_PRE, Site.MLP_OUT, Site.RESID_POST);

  private final ModelConfig config;
  private final String id;
  private final ModelTokenizer tokenizer;
  private final NDManager weights;
  private final Map<String, NDArray> params = new LinkedHashMap<>(); // canonical name -> array
  private final List<HookName> hookNames;
  private final long parameterCount;
  private String checksum;

  /** Copies {@code canonical} into native memory (sorted by name); the caller has validated it. */
  protected HookedModel(ModelConfig config, String id, ModelTokenizer tokenizer, Map<String, FloatTensor> canonical) {
    this.config = config;
    this.id = id;
    this.tokenizer = tokenizer;
    this.weights = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    long count = 0;
    for (Map.Entry<String, FloatTensor> e : new TreeMap<>(canonical).entrySet()) {
      FloatTensor t = e.getValue();
      params.put(e.getKey(), weights.create(t.data(), new Shape(t.shape())));
      count += t.data().length;
    }
    this.parameterCount = count;
    List<HookName> hooks = new ArrayList<>();
    hooks.add(HookName.embedOut());
    for (int i = 0; i < config.numLayers(); i++) {
      for (Site s : BLOCK_SITES) {
        hooks.add(HookName.of(i, s));
      }
    }
    this.hookNames = List.copyOf(hooks);
  }

  /** The canonical weight {@code name}. */
  protected final NDArray p(String name) {
    NDArray a = params.get(name);
    if (a == null) {
      throw new IllegalStateException(id + ": no weight " + name);
    }
    return a;
  }

  /** Whether the canonical weights hold {@code name}. */
  protected final boolean has(String name) {
    return params.containsKey(name);
  }

  /** The manager holding the weights, for derived arrays (fused projections) that live as long. */
  protected final NDManager weightManager() {
    return weights;
  }

  /** The canonical weight arrays, by name (read-only use). */
  protected final Map<String, NDArray> paramArrays() {
    return Collections.unmodifiableMap(params);
  }

  /** Word (and position) embeddings: (B, T) ids -> (B, T, D), before the {@code embed.out} hook. */
  protected abstract NDArray embed(NDManager manager, PaddedBatch in);

  /** The additive attention mask or bias shared by all blocks, broadcastable to (B, H, T, T); null = none. */
  protected abstract NDArray attentionBias(NDManager manager, PaddedBatch in);

  /** Block {@code i}: (B, T, D) -> (B, T, D), passing every site through {@code hooks}. */
  protected abstract NDArray block(int i, NDArray x, NDArray bias, HookRun hooks);

  /** The final norm after the last block (identity for post-layer-norm encoders). */
  protected NDArray finalNorm(NDArray x) {
    return x;
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
        md.update((e.getKey() + java.util.Arrays.toString(e.getValue().shape()) + "\n").getBytes(StandardCharsets.UTF_8));
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
    PaddedBatch in = PaddedBatch.of(config, batch);
    boolean grad = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try (NDManager sub = manager.newSubManager()) {
      NDArray x = hooks.at(HookName.embedOut(), embed(sub, in));
      NDArray bias = attentionBias(sub, in);
      for (int i = 0; i < config.numLayers(); i++) {
        try (NDManager lm = sub.newSubManager()) {
          x.tempAttach(lm);
          NDArray out = block(i, x, bias, hooks);
          if (out.getManager() == lm) {
            out.attach(sub);
          }
          x = out;
        }
      }
      try (NDManager fm = sub.newSubManager()) {
        x.tempAttach(fm);
        NDArray y = finalNorm(x);
        if (y != x) {
          y.attach(sub);
          x = y;
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
}
