package dev.neurolens.model.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.model.FamilySettings;
import dev.neurolens.model.HookName;
import dev.neurolens.model.HookName.Site;
import dev.neurolens.model.ModelConfig;
import dev.neurolens.model.ModelTokenizer;
import dev.neurolens.model.Weight;
import dev.neurolens.model.graph.HookRun;
import dev.neurolens.model.graph.HookedModel;
import dev.neurolens.model.graph.Ops;
import dev.neurolens.model.graph.PaddedBatch;
import java.util.Map;

/**
 * The encoder stack of T5 (CodeT5) on DJL NDArrays, with hook points: RMS layer norm (no mean,
 * no bias), bidirectional attention without 1/sqrt(dh) scaling plus a relative position bias
 * (block 0's table, shared by every block; {@link RelativeBuckets}), plain ({@code relu}) or
 * gated ({@code gated-gelu}) feed-forward, final layer norm.
 *
 * <p>{@code embed.out = shared[ids]} (not scaled). Per block i: {@code resid_pre = x},
 * {@code attn.out = o(attention(ln0(x)))}, {@code resid_mid = x + attn.out},
 * {@code mlp.pre = act(wi h)} or {@code act(wi_0 h) * wi_1 h} with {@code h = ln1(resid_mid)},
 * {@code mlp.out = wo mlp.pre}, {@code resid_post = resid_mid + mlp.out}. The last hidden state
 * is {@code final_layer_norm(resid_post)}.
 *
 * <p>Usage: {@code T5Encoder m = T5Encoder.create(config, "codet5", tokenizer, T5Checkpoint.canonicalize(raw, src), src)}
 */
public final class T5Encoder extends HookedModel {
  /** One block's arrays; q, k, v fused (3D, D); gated: wi_0 and wi_1 fused (2M, D). */
  private record Block(NDArray ln0, NDArray qkvW, NDArray oW, NDArray ln1, NDArray wi, NDArray wo) {}

  private final FamilySettings.T5 settings;

  private T5Encoder(ModelConfig config, String id, ModelTokenizer tokenizer, Map<String, ? extends Weight> canonical) {
    super(config, id, tokenizer, canonical);
    this.settings = (FamilySettings.T5) config.settings();
  }

  /** Block i's arrays in float32 under {@code m} (freed with the block's manager). */
  private Block blockWeights(int i, NDManager m) {
    String a = "layer.0.SelfAttention.";
    NDArray qkv = NDArrays.concat(new NDList(w(T5Checkpoint.block(i, a + "q.weight"), m),
        w(T5Checkpoint.block(i, a + "k.weight"), m), w(T5Checkpoint.block(i, a + "v.weight"), m)), 0);
    String f = "layer.1.DenseReluDense.";
    NDArray wi = settings.gated()
        ? NDArrays.concat(new NDList(w(T5Checkpoint.block(i, f + "wi_0.weight"), m),
            w(T5Checkpoint.block(i, f + "wi_1.weight"), m)), 0)
        : w(T5Checkpoint.block(i, f + "wi.weight"), m);
    return new Block(w(T5Checkpoint.block(i, "layer.0.layer_norm.weight"), m), qkv,
        w(T5Checkpoint.block(i, a + "o.weight"), m), w(T5Checkpoint.block(i, "layer.1.layer_norm.weight"), m), wi,
        w(T5Checkpoint.block(i, f + "wo.weight"), m));
  }

  /**
   * Builds an encoder from canonical weights (see {@link T5Checkpoint}); checks names and shapes.
   *
   * @param source names the weights' origin in error messages
   */
  public static T5Encoder create(ModelConfig config, String id, ModelTokenizer tokenizer,
      Map<String, ? extends Weight> canonical, String source) {
    T5Checkpoint.validate(canonical, config, source);
    return new T5Encoder(config, id, tokenizer, canonical);
  }

  /** The relative position bias sees only distances, which packing keeps; the key mask keeps inputs apart. */
  @Override
  public boolean supportsPacking() {
    return true;
  }

  @Override
  protected NDArray embed(NDManager manager, PaddedBatch in) {
    return rows(T5Checkpoint.SHARED, in.idArray(manager));
  }

  /** Position bias (1, H, T, T) from block 0's bucket table, plus the padding mask: (B, H, T, T). */
  @Override
  protected NDArray attentionBias(NDManager manager, PaddedBatch in) {
    int t = in.t();
    NDArray buckets = manager.create(RelativeBuckets.table(t, settings.numBuckets(), settings.maxDistance()),
        new Shape(t, t));
    // (T, T) -> (T, T, H) -> (H, T, T) -> (1, H, T, T)
    NDArray bias = rows(T5Checkpoint.REL_BIAS, buckets).transpose(2, 0, 1).expandDims(0);
    NDArray mask = in.keyMask(manager);
    return mask == null ? bias : bias.add(mask);
  }

  @Override
  protected NDArray block(int i, NDArray x, NDArray bias, HookRun hooks) {
    Block l = blockWeights(i, x.getManager());
    ModelConfig c = config();
    long b = x.getShape().get(0);
    long t = x.getShape().get(1);
    NDArray residPre = hooks.at(HookName.of(i, Site.RESID_PRE), x);
    // (B, T, 3D) -> (B, T, 3, H, dh) -> (3, B, H, T, dh)
    NDArray heads = Ops.linear(Ops.rmsNorm(residPre, l.ln0(), c.layerNormEps()), l.qkvW(), null)
        .reshape(b, t, 3, c.numHeads(), c.headDim()).transpose(2, 0, 3, 1, 4);
    NDArray ctx = Ops.attention(heads.get(0), heads.get(1), heads.get(2), bias);
    NDArray attnOut = hooks.at(HookName.of(i, Site.ATTN_OUT), Ops.linear(ctx, l.oW(), null));
    NDArray mid = hooks.at(HookName.of(i, Site.RESID_MID), residPre.add(attnOut));
    NDArray hidden = Ops.linear(Ops.rmsNorm(mid, l.ln1(), c.layerNormEps()), l.wi(), null);
    NDArray act;
    if (settings.gated()) {
      NDList gu = hidden.split(2, 2);
      act = Ops.activation(c.hiddenAct(), gu.get(0)).muli(gu.get(1));
    } else {
      act = Ops.activation(c.hiddenAct(), hidden);
    }
    NDArray pre = hooks.at(HookName.of(i, Site.MLP_PRE), act);
    NDArray mlpOut = hooks.at(HookName.of(i, Site.MLP_OUT), Ops.linear(pre, l.wo(), null));
    return hooks.at(HookName.of(i, Site.RESID_POST), mid.add(mlpOut));
  }

  @Override
  protected String blockPrefix() {
    return T5Checkpoint.LAYER_PREFIX;
  }

  @Override
  protected NDArray finalNorm(NDArray x) {
    return Ops.rmsNorm(x, p(T5Checkpoint.FINAL_NORM), config().layerNormEps());
  }
}
