package dev.neurolens.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import dev.neurolens.model.FloatTensor;
import dev.neurolens.model.ModelConfig;
import dev.neurolens.model.ModelTokenizer;
import dev.neurolens.model.Weight;
import dev.neurolens.model.graph.HookRun;
import dev.neurolens.model.graph.HookedModel;
import dev.neurolens.model.graph.PaddedBatch;
import java.util.Map;

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
public final class BertEncoder extends HookedModel {
  private final boolean hasHead;

  private BertEncoder(ModelConfig config, String id, ModelTokenizer tokenizer, Map<String, ? extends Weight> canonical) {
    super(config, id, tokenizer, canonical);
    this.hasHead = BertCheckpoint.hasHead(canonical);
  }

  /**
   * Builds an encoder from canonical weights (see {@link BertCheckpoint}); checks names and shapes.
   *
   * @param source names the weights' origin in error messages
   */
  public static BertEncoder create(
      ModelConfig config, String id, ModelTokenizer tokenizer, Map<String, ? extends Weight> canonical, String source) {
    BertCheckpoint.validate(canonical, config, source);
    return new BertEncoder(config, id, tokenizer, canonical);
  }

  /** Block i's arrays in float32 under {@code m} (freed with the block's manager). */
  private LayerParams layer(int i, NDManager m) {
    // 1/sqrt(dh) is folded into the query rows of the fused projection (saves a pass over the
    // (B, H, T, T) scores); the canonical weights stay unscaled.
    float scale = (float) (1 / Math.sqrt(config().headDim()));
    NDArray qkvW = concatRows(
        w(BertCheckpoint.block(i, "attention.self.query.weight"), m).mul(scale),
        w(BertCheckpoint.block(i, "attention.self.key.weight"), m),
        w(BertCheckpoint.block(i, "attention.self.value.weight"), m));
    NDArray qkvB = concatRows(
        w(BertCheckpoint.block(i, "attention.self.query.bias"), m).mul(scale),
        w(BertCheckpoint.block(i, "attention.self.key.bias"), m),
        w(BertCheckpoint.block(i, "attention.self.value.bias"), m));
    return new LayerParams(
        qkvW, qkvB,
        w(BertCheckpoint.block(i, "attention.output.dense.weight"), m),
        w(BertCheckpoint.block(i, "attention.output.dense.bias"), m),
        w(BertCheckpoint.block(i, "attention.output.LayerNorm.weight"), m),
        w(BertCheckpoint.block(i, "attention.output.LayerNorm.bias"), m),
        w(BertCheckpoint.block(i, "intermediate.dense.weight"), m),
        w(BertCheckpoint.block(i, "intermediate.dense.bias"), m),
        w(BertCheckpoint.block(i, "output.dense.weight"), m),
        w(BertCheckpoint.block(i, "output.dense.bias"), m),
        w(BertCheckpoint.block(i, "output.LayerNorm.weight"), m),
        w(BertCheckpoint.block(i, "output.LayerNorm.bias"), m));
  }

  /** The canonical weight names (for {@link TrainableBert}). */
  java.util.Set<String> names() {
    return paramNames();
  }

  /** The float32 values of weight {@code name} under {@code m} (for {@link TrainableBert}, which copies them). */
  NDArray float32(String name, NDManager m) {
    return w(name, m);
  }

  @Override
  protected String blockPrefix() {
    return BertCheckpoint.LAYER_PREFIX;
  }

  @Override
  public boolean hasMaskedLmHead() {
    return hasHead;
  }

  /** SHA-256 over names (sorted), shapes and little-endian float32 values. */
  public static String checksumOf(Map<String, FloatTensor> tensors) {
    return HookedModel.checksumOf(tensors);
  }

  /** Positions restart per input ({@code PaddedBatch#positions}); the key mask keeps inputs apart. */
  @Override
  public boolean supportsPacking() {
    return true;
  }

  @Override
  protected NDArray embed(NDManager manager, PaddedBatch in) {
    NDArray typeRow0 = w(BertCheckpoint.TOKEN_TYPE, manager).get(0); // (D)
    return BertGraph.embed(config(), manager, in, ids -> rows(BertCheckpoint.WORD, ids),
        ids -> rows(BertCheckpoint.POSITION, ids), typeRow0, p(BertCheckpoint.EMB_LN + "weight"),
        p(BertCheckpoint.EMB_LN + "bias"), 0f);
  }

  @Override
  protected NDArray attentionBias(NDManager manager, PaddedBatch in) {
    return in.keyMask(manager);
  }

  @Override
  protected NDArray block(int i, NDArray x, NDArray bias, HookRun hooks) {
    return BertGraph.block(config(), i, layer(i, x.getManager()), x, bias, hooks, 1f, 0f);
  }

  @Override
  public NDArray maskedLmLogits(NDManager manager, NDArray lastHidden) {
    if (!hasHead) {
      throw new IllegalStateException(id() + " has no masked-LM head");
    }
    boolean grad = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try (NDManager sub = manager.newSubManager()) {
      lastHidden.tempAttach(sub);
      ModelConfig config = config();
      NDArray h = Linear.linear(lastHidden, w(BertCheckpoint.HEAD_DENSE + "weight", sub),
          p(BertCheckpoint.HEAD_DENSE + "bias")).singletonOrThrow();
      h = BertGraph.layerNorm(config, BertGraph.activation(config, h), p(BertCheckpoint.HEAD_LN + "weight"), p(BertCheckpoint.HEAD_LN + "bias"));
      NDArray decoder = w(has(BertCheckpoint.HEAD_DECODER) ? BertCheckpoint.HEAD_DECODER : BertCheckpoint.WORD, sub);
      NDArray logits = Linear.linear(h, decoder, p(BertCheckpoint.HEAD_BIAS)).singletonOrThrow();
      logits.attach(manager);
      return logits;
    } finally {
      JniUtils.setGradMode(grad);
    }
  }

  private static NDArray concatRows(NDArray a, NDArray b, NDArray c) {
    return NDArrays.concat(new NDList(a, b, c), 0);
  }
}
