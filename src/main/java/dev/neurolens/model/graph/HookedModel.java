package dev.neurolens.model.graph;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.FloatTensor;
import dev.neurolens.model.HookName;
import dev.neurolens.model.HookName.Site;
import dev.neurolens.model.Intervention;
import dev.neurolens.model.ModelConfig;
import dev.neurolens.model.ModelTokenizer;
import dev.neurolens.model.TokenBatch;
import dev.neurolens.model.Weight;
import dev.neurolens.model.WeightMemory;
import dev.neurolens.util.NeuroLensException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

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
  private static final long CHECKSUM_CHUNK = 1 << 20;
  private static final List<Site> BLOCK_SITES =
      List.of(Site.RESID_PRE, Site.ATTN_OUT, Site.RESID_MID, Site.MLP_PRE, Site.MLP_OUT, Site.RESID_POST);

  private final ModelConfig config;
  private final String id;
  private final ModelTokenizer tokenizer;
  private final NDManager weights;
  private final Map<String, NDArray> params = new LinkedHashMap<>(); // canonical name -> resident array
  private final Map<String, Float> scales = new HashMap<>(); // float16 arrays whose values need a factor
  private final List<HookName> hookNames;
  private final long parameterCount;
  private final long residentBytes;
  private final String storedDtypes;
  private String checksum;

  /**
   * Copies {@code canonical} into native memory (sorted by name); the caller has validated it.
   * Matrices stay as {@link Weight#toNative} holds them (16-bit checkpoints in float16), vectors
   * (norms, biases) are converted to float32.
   */
  protected HookedModel(ModelConfig config, String id, ModelTokenizer tokenizer, Map<String, ? extends Weight> canonical) {
    this.config = config;
    this.id = id;
    this.tokenizer = tokenizer;
    this.weights = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    long count = 0;
    long bytes = 0;
    Set<String> dtypes = new TreeSet<>();
    try {
      for (Map.Entry<String, ? extends Weight> e : new TreeMap<>(canonical).entrySet()) {
        Weight.Resident r = e.getValue().toNative(weights);
        NDArray a = r.array();
        float scale = r.scale();
        if (a.getShape().dimension() < 2 && a.getDataType() != DataType.FLOAT32) {
          NDArray f = a.toType(DataType.FLOAT32, false);
          a.close();
          a = scale == 1f ? f : f.muli(scale);
          scale = 1f;
        }
        params.put(e.getKey(), a);
        if (scale != 1f) {
          scales.put(e.getKey(), scale);
        }
        count += a.size();
        bytes += a.size() * a.getDataType().getNumOfBytes();
        dtypes.add(e.getValue().storedDtype());
      }
    } catch (RuntimeException ex) {
      weights.close();
      throw ex;
    }
    this.parameterCount = count;
    this.residentBytes = bytes;
    this.storedDtypes = String.join("+", dtypes);
    List<HookName> hooks = new ArrayList<>();
    hooks.add(HookName.embedOut());
    for (int i = 0; i < config.numLayers(); i++) {
      for (Site s : BLOCK_SITES) {
        hooks.add(HookName.of(i, s));
      }
    }
    this.hookNames = List.copyOf(hooks);
  }

  /**
   * The canonical weight {@code name} as held: float32 for vectors, float32 or float16 for
   * matrices (use {@link #w} or {@link #rows} for their float32 values).
   */
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

  /**
   * The float32 values of weight {@code name}, attached to {@code manager}: a view of the held
   * array when it is float32, else a converted copy (freed with {@code manager}; a block's weights
   * are converted inside the block's own manager, so one block at a time is in float32).
   */
  protected final NDArray w(String name, NDManager manager) {
    return float32(name, p(name).get(manager, new NDIndex(":")));
  }

  /** Rows of the table {@code name} picked by {@code ids} (B, T), in float32: (B, T, D), attached to ids' manager. */
  protected final NDArray rows(String name, NDArray ids) {
    return float32(name, Ops.gather(ids, p(name)));
  }

  /** Part of weight {@code name} (held dtype) -> float32, in the part's manager. */
  private NDArray float32(String name, NDArray part) {
    if (part.getDataType() == DataType.FLOAT32) {
      return part;
    }
    NDArray f = part.toType(DataType.FLOAT32, false);
    Float s = scales.get(name);
    return s == null ? f : f.muli(s);
  }

  /** The canonical weight names, sorted. */
  protected final Set<String> paramNames() {
    return Collections.unmodifiableSet(params.keySet());
  }

  /** The names of block i's weights start with {@code blockPrefix() + i + "."}, e.g. {@code "h."}. */
  protected abstract String blockPrefix();

  /**
   * The native memory of the weights: as held, in float32, and the most one block adds while it
   * runs (its 16-bit weights converted to float32 plus fused copies: at most twice its float32 size).
   */
  @Override
  public final WeightMemory weightMemory() {
    long block = 0;
    for (int i = 0; i < config.numLayers(); i++) {
      String prefix = blockPrefix() + i + ".";
      long bytes = 0;
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        if (e.getKey().startsWith(prefix)) {
          NDArray a = e.getValue();
          bytes += 4 * a.size() * (a.getDataType() == DataType.FLOAT32 ? 1 : 2);
        }
      }
      block = Math.max(block, bytes);
    }
    return new WeightMemory(storedDtypes, residentBytes, 4 * parameterCount, block);
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
      checksum = streamChecksum();
    }
    return checksum;
  }

  /**
   * {@link #checksumOf} computed from native memory a chunk at a time (the float32 values of
   * 16-bit weights are exact, so the checksum does not depend on the held dtype).
   */
  private String streamChecksum() {
    MessageDigest md = sha256();
    for (String name : new TreeSet<>(params.keySet())) {
      NDArray a = params.get(name);
      md.update((name + java.util.Arrays.toString(a.getShape().getShape()) + "\n").getBytes(StandardCharsets.UTF_8));
      long n = a.size();
      try (NDManager m = weights.newSubManager()) {
        NDArray flat = a.get(m, new NDIndex(":")).reshape(n);
        for (long at = 0; at < n; at += CHECKSUM_CHUNK) {
          try (NDManager c = m.newSubManager()) {
            // float32 in native byte order, which is little-endian on every platform the natives ship for
            md.update(float32(name, flat.get(c, new NDIndex("{}:{}", at, Math.min(n, at + CHECKSUM_CHUNK)))).toByteArray());
          }
        }
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SHA-256 over names (sorted), shapes and little-endian float32 values. */
  public static String checksumOf(Map<String, FloatTensor> tensors) {
    MessageDigest md = sha256();
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
  }

  /** The canonical weights in float32, copied back from native memory (for export). */
  public Map<String, FloatTensor> weights() {
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      try (NDManager m = weights.newSubManager()) {
        out.put(e.getKey(), new FloatTensor(e.getValue().getShape().getShape(), w(e.getKey(), m).toFloatArray()));
      }
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
    if (batch.packed() && !supportsPacking()) {
      throw new IllegalArgumentException(id() + " does not accept packed batches (" + config.family() + ")");
    }
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
