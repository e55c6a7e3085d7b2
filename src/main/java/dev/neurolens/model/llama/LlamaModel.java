package dev.neurolens.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
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
 * A Llama decoder (CodeLlama, DeepSeek-Coder) on DJL NDArrays, with hook points: RMSNorm,
 * rotary position embeddings ({@link Rotary}), grouped-query causal attention, SwiGLU MLP.
 *
 * <p>{@code embed.out = embed_tokens[ids]}. Per block i, with x the block input:
 * {@code resid_pre = x}, {@code attn.out = o_proj(attention(rope(q), rope(k), v))} on
 * {@code input_layernorm(x)}, {@code resid_mid = x + attn.out},
 * {@code mlp.pre = silu(gate_proj(h)) * up_proj(h)} with {@code h = post_attention_layernorm(resid_mid)}
 * (B, T, M: the neurons the papers mean), {@code mlp.out = down_proj(mlp.pre)},
 * {@code resid_post = resid_mid + mlp.out}. The last hidden state is {@code norm(resid_post)}.
 * 1/sqrt(dh) is folded into the query weights (rotation commutes with scaling).
 *
 * <p>Usage: {@code LlamaModel m = LlamaModel.create(config, "codellama", tokenizer, LlamaCheckpoint.canonicalize(raw, src), src)}
 */
public final class LlamaModel extends HookedModel {
  /** One block's arrays: q (scaled), k, v fused ((H + 2 Hkv) dh, D); gate and up fused (2M, D). */
  private record Block(NDArray inNorm, NDArray qkvW, NDArray oW, NDArray postNorm, NDArray gateUpW, NDArray downW) {}

  private final FamilySettings.Llama settings;

  private LlamaModel(ModelConfig config, String id, ModelTokenizer tokenizer, Map<String, ? extends Weight> canonical) {
    super(config, id, tokenizer, canonical);
    this.settings = (FamilySettings.Llama) config.settings();
  }

  /** Block i's arrays in float32 under {@code m} (freed with the block's manager). */
  private Block blockWeights(int i, NDManager m) {
    float scale = (float) (1 / Math.sqrt(config().headDim()));
    NDArray qkv = NDArrays.concat(new NDList(w(LlamaCheckpoint.block(i, "self_attn.q_proj.weight"), m).mul(scale),
        w(LlamaCheckpoint.block(i, "self_attn.k_proj.weight"), m), w(LlamaCheckpoint.block(i, "self_attn.v_proj.weight"), m)), 0);
    NDArray gateUp = NDArrays.concat(new NDList(w(LlamaCheckpoint.block(i, "mlp.gate_proj.weight"), m),
        w(LlamaCheckpoint.block(i, "mlp.up_proj.weight"), m)), 0);
    return new Block(w(LlamaCheckpoint.block(i, "input_layernorm.weight"), m), qkv,
        w(LlamaCheckpoint.block(i, "self_attn.o_proj.weight"), m),
        w(LlamaCheckpoint.block(i, "post_attention_layernorm.weight"), m), gateUp,
        w(LlamaCheckpoint.block(i, "mlp.down_proj.weight"), m));
  }

  /**
   * Builds a decoder from canonical weights (see {@link LlamaCheckpoint}); checks names and shapes.
   *
   * @param source names the weights' origin in error messages
   */
  public static LlamaModel create(ModelConfig config, String id, ModelTokenizer tokenizer,
      Map<String, ? extends Weight> canonical, String source) {
    LlamaCheckpoint.validate(canonical, config, source);
    return new LlamaModel(config, id, tokenizer, canonical);
  }

  @Override
  protected NDArray embed(NDManager manager, PaddedBatch in) {
    return rows(LlamaCheckpoint.EMBED, in.idArray(manager));
  }

  @Override
  protected NDArray attentionBias(NDManager manager, PaddedBatch in) {
    return in.causalMask(manager);
  }

  @Override
  protected NDArray block(int i, NDArray x, NDArray bias, HookRun hooks) {
    Block l = blockWeights(i, x.getManager());
    ModelConfig c = config();
    long b = x.getShape().get(0);
    int t = (int) x.getShape().get(1);
    int h = c.numHeads();
    int kv = settings.numKvHeads();
    int dh = c.headDim();
    NDArray residPre = hooks.at(HookName.of(i, Site.RESID_PRE), x);
    NDArray qkv = Ops.linear(Ops.rmsNorm(residPre, l.inNorm(), c.layerNormEps()), l.qkvW(), null);
    NDList parts = qkv.split(new long[] {(long) h * dh, (long) (h + kv) * dh}, 2);
    // (B, T, H dh) -> (B, T, H, dh) -> (B, H, T, dh); keys and values likewise with Hkv heads
    NDArray q = parts.get(0).reshape(b, t, h, dh).transpose(0, 2, 1, 3);
    NDArray k = parts.get(1).reshape(b, t, kv, dh).transpose(0, 2, 1, 3);
    NDArray v = parts.get(2).reshape(b, t, kv, dh).transpose(0, 2, 1, 3);
    NDArray[] cs = Rotary.tables(x.getManager(), t, dh, settings.ropeTheta(), settings.ropeScaling());
    NDArray ctx = Ops.attention(Rotary.apply(q, cs[0], cs[1]), Rotary.apply(k, cs[0], cs[1]), v, bias);
    NDArray attnOut = hooks.at(HookName.of(i, Site.ATTN_OUT), Ops.linear(ctx, l.oW(), null));
    NDArray mid = hooks.at(HookName.of(i, Site.RESID_MID), attnOut.add(residPre));
    NDList gu = Ops.linear(Ops.rmsNorm(mid, l.postNorm(), c.layerNormEps()), l.gateUpW(), null).split(2, 2);
    NDArray pre = hooks.at(HookName.of(i, Site.MLP_PRE), Ops.activation(c.hiddenAct(), gu.get(0)).muli(gu.get(1)));
    NDArray mlpOut = hooks.at(HookName.of(i, Site.MLP_OUT), Ops.linear(pre, l.downW(), null));
    return hooks.at(HookName.of(i, Site.RESID_POST), mlpOut.add(mid));
  }

  @Override
  protected String blockPrefix() {
    return LlamaCheckpoint.LAYER_PREFIX;
  }

  @Override
  protected NDArray finalNorm(NDArray x) {
    return Ops.rmsNorm(x, p(LlamaCheckpoint.NORM), config().layerNormEps());
  }
}
