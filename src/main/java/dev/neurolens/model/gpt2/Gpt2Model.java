package dev.neurolens.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
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
 * A GPT-2 decoder (pre-layer-norm blocks, causal attention) on DJL NDArrays, with hook points.
 *
 * <p>{@code embed.out = wte[ids] + wpe[0..T-1]}. Per block i, with x the block input:
 * {@code resid_pre = x}, {@code attn.out = c_proj(attention(ln_1(x)))},
 * {@code resid_mid = x + attn.out}, {@code mlp.pre = gelu_new(c_fc(ln_2(resid_mid)))} (B, T, M),
 * {@code mlp.out = c_proj(mlp.pre)}, {@code resid_post = resid_mid + mlp.out}. The last hidden
 * state is {@code ln_f(resid_post)} of the last block. Attention is causal (and masks padding);
 * scores are scaled by 1/sqrt(dh), folded into the query rows of the fused projection.
 *
 * <p>Usage: {@code Gpt2Model m = Gpt2Model.create(config, "codegpt", tokenizer, Gpt2Checkpoint.canonicalize(raw, src), src)}
 */
public final class Gpt2Model extends HookedModel {
  /** One block's arrays, Linear layout (out, in); the query rows carry 1/sqrt(dh). */
  private record Block(NDArray ln1W, NDArray ln1B, NDArray qkvW, NDArray qkvB, NDArray projW, NDArray projB,
      NDArray ln2W, NDArray ln2B, NDArray fcW, NDArray fcB, NDArray outW, NDArray outB) {}

  private Gpt2Model(ModelConfig config, String id, ModelTokenizer tokenizer, Map<String, ? extends Weight> canonical) {
    super(config, id, tokenizer, canonical);
  }

  /** Block i's arrays in float32 under {@code m} (freed with the block's manager). */
  private Block blockWeights(int i, NDManager m) {
    int d = config().hiddenSize();
    float scale = (float) (1 / Math.sqrt(config().headDim()));
    NDArray w = w(Gpt2Checkpoint.block(i, "attn.c_attn.weight"), m);
    NDArray b = w(Gpt2Checkpoint.block(i, "attn.c_attn.bias"), m);
    NDArray qkvW = NDArrays.concat(new NDList(w.get("0:{}", d).mul(scale), w.get("{}:", d)), 0);
    NDArray qkvB = NDArrays.concat(new NDList(b.get("0:{}", d).mul(scale), b.get("{}:", d)), 0);
    return new Block(
        w(Gpt2Checkpoint.block(i, "ln_1.weight"), m), w(Gpt2Checkpoint.block(i, "ln_1.bias"), m), qkvW, qkvB,
        w(Gpt2Checkpoint.block(i, "attn.c_proj.weight"), m), w(Gpt2Checkpoint.block(i, "attn.c_proj.bias"), m),
        w(Gpt2Checkpoint.block(i, "ln_2.weight"), m), w(Gpt2Checkpoint.block(i, "ln_2.bias"), m),
        w(Gpt2Checkpoint.block(i, "mlp.c_fc.weight"), m), w(Gpt2Checkpoint.block(i, "mlp.c_fc.bias"), m),
        w(Gpt2Checkpoint.block(i, "mlp.c_proj.weight"), m), w(Gpt2Checkpoint.block(i, "mlp.c_proj.bias"), m));
  }

  /**
   * Builds a decoder from canonical weights (see {@link Gpt2Checkpoint}); checks names and shapes.
   *
   * @param source names the weights' origin in error messages
   */
  public static Gpt2Model create(ModelConfig config, String id, ModelTokenizer tokenizer,
      Map<String, ? extends Weight> canonical, String source) {
    Gpt2Checkpoint.validate(canonical, config, source);
    return new Gpt2Model(config, id, tokenizer, canonical);
  }

  @Override
  protected NDArray embed(NDManager manager, PaddedBatch in) {
    NDArray tok = rows(Gpt2Checkpoint.WTE, in.idArray(manager)); // (B, T, D)
    NDArray pos = w(Gpt2Checkpoint.WPE, manager).get(new NDIndex("0:{}", in.t())); // (T, D), over B
    return tok.addi(pos);
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
    long t = x.getShape().get(1);
    NDArray residPre = hooks.at(HookName.of(i, Site.RESID_PRE), x);
    NDArray h = Ops.layerNorm(residPre, l.ln1W(), l.ln1B(), c.layerNormEps());
    // (B, T, 3D) -> (B, T, 3, H, dh) -> (3, B, H, T, dh)
    NDArray heads = Ops.linear(h, l.qkvW(), l.qkvB()).reshape(b, t, 3, c.numHeads(), c.headDim())
        .transpose(2, 0, 3, 1, 4);
    NDArray ctx = Ops.attention(heads.get(0), heads.get(1), heads.get(2), bias); // (B, T, D)
    NDArray attnOut = hooks.at(HookName.of(i, Site.ATTN_OUT), Ops.linear(ctx, l.projW(), l.projB()));
    NDArray mid = hooks.at(HookName.of(i, Site.RESID_MID), attnOut.add(residPre));
    NDArray fc = Ops.linear(Ops.layerNorm(mid, l.ln2W(), l.ln2B(), c.layerNormEps()), l.fcW(), l.fcB());
    NDArray pre = hooks.at(HookName.of(i, Site.MLP_PRE), Ops.activation(c.hiddenAct(), fc));
    NDArray mlpOut = hooks.at(HookName.of(i, Site.MLP_OUT), Ops.linear(pre, l.outW(), l.outB()));
    return hooks.at(HookName.of(i, Site.RESID_POST), mlpOut.add(mid));
  }

  @Override
  protected String blockPrefix() {
    return Gpt2Checkpoint.LAYER_PREFIX;
  }

  @Override
  protected NDArray finalNorm(NDArray x) {
    return Ops.layerNorm(x, p(Gpt2Checkpoint.LN_F + "weight"), p(Gpt2Checkpoint.LN_F + "bias"), config().layerNormEps());
  }
}
