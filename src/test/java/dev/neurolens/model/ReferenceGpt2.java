package dev.neurolens.model;

import dev.neurolens.model.HookName.Site;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An independent GPT-2 forward pass in double precision on the checkpoint as stored (names with
 * the {@code transformer.} prefix, Conv1D weights (in, out) used as {@code x W + b}), from the
 * equations of Radford et al. 2019 / Hugging Face modeling_gpt2: pre-layer-norm blocks, causal
 * softmax attention scaled by 1/sqrt(dh), tanh GELU, final ln_f.
 */
final class ReferenceGpt2 {
  private final Map<String, FloatTensor> w;
  private final ModelConfig c;
  /** After {@link #run}: every hook (T, W). */
  final Map<HookName, double[][]> hooks = new LinkedHashMap<>();
  /** After {@link #run}: ln_f of the last block's output (T, D). */
  double[][] last;

  ReferenceGpt2(ModelConfig c, Map<String, FloatTensor> checkpoint) {
    this.c = c;
    this.w = checkpoint;
  }

  private FloatTensor t(String name) {
    return w.get("transformer." + name);
  }

  ReferenceGpt2 run(int[] ids) {
    int n = ids.length;
    int d = c.hiddenSize();
    double[][] x = RefOps.rows(t("wte.weight"), ids);
    double[][] pos = RefOps.rows(t("wpe.weight"), java.util.stream.IntStream.range(0, n).toArray());
    x = RefOps.add(x, pos);
    hooks.put(HookName.embedOut(), x);
    double eps = c.layerNormEps();
    for (int i = 0; i < c.numLayers(); i++) {
      String b = "h." + i + ".";
      hooks.put(HookName.of(i, Site.RESID_PRE), x);
      double[][] h = RefOps.layerNorm(x, t(b + "ln_1.weight"), t(b + "ln_1.bias"), eps);
      double[][] qkv = RefOps.conv1d(h, t(b + "attn.c_attn.weight"), t(b + "attn.c_attn.bias"));
      double[][] q = new double[n][d];
      double[][] k = new double[n][d];
      double[][] v = new double[n][d];
      for (int j = 0; j < n; j++) {
        System.arraycopy(qkv[j], 0, q[j], 0, d);
        System.arraycopy(qkv[j], d, k[j], 0, d);
        System.arraycopy(qkv[j], 2 * d, v[j], 0, d);
      }
      double[][] ctx = RefOps.attention(q, k, v, c.numHeads(), c.numHeads(), 1 / Math.sqrt(c.headDim()), true, null);
      double[][] attn = RefOps.conv1d(ctx, t(b + "attn.c_proj.weight"), t(b + "attn.c_proj.bias"));
      hooks.put(HookName.of(i, Site.ATTN_OUT), attn);
      double[][] mid = RefOps.add(x, attn);
      hooks.put(HookName.of(i, Site.RESID_MID), mid);
      double[][] h2 = RefOps.layerNorm(mid, t(b + "ln_2.weight"), t(b + "ln_2.bias"), eps);
      double[][] pre = RefOps.map(RefOps.conv1d(h2, t(b + "mlp.c_fc.weight"), t(b + "mlp.c_fc.bias")), RefOps::geluTanh);
      hooks.put(HookName.of(i, Site.MLP_PRE), pre);
      double[][] out = RefOps.conv1d(pre, t(b + "mlp.c_proj.weight"), t(b + "mlp.c_proj.bias"));
      hooks.put(HookName.of(i, Site.MLP_OUT), out);
      x = RefOps.add(mid, out);
      hooks.put(HookName.of(i, Site.RESID_POST), x);
    }
    last = RefOps.layerNorm(x, t("ln_f.weight"), t("ln_f.bias"), eps);
    return this;
  }
}
