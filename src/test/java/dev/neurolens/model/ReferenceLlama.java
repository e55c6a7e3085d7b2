package dev.neurolens.model;

import dev.neurolens.model.HookName.Site;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An independent Llama forward pass in double precision on the checkpoint as stored
 * ({@code model.} prefix), from the equations of Touvron et al. 2023 / Hugging Face
 * modeling_llama: RMSNorm, rotary embeddings in the rotate-half convention (pairs (i, i + dh/2),
 * angle (p / factor) theta^(-2i/dh)), grouped-query causal attention, SwiGLU, final norm.
 */
final class ReferenceLlama {
  private final Map<String, FloatTensor> w;
  private final ModelConfig c;
  private final int kvHeads;
  private final double theta;
  private final double factor;
  final Map<HookName, double[][]> hooks = new LinkedHashMap<>();
  double[][] last;

  ReferenceLlama(ModelConfig c, Map<String, FloatTensor> checkpoint, int kvHeads, double theta, double factor) {
    this.c = c;
    this.w = checkpoint;
    this.kvHeads = kvHeads;
    this.theta = theta;
    this.factor = factor;
  }

  private FloatTensor t(String name) {
    return w.get("model." + name);
  }

  /** Rotates each head of x (T, heads * dh) in place. */
  private void rope(double[][] x, int heads) {
    int dh = c.headDim();
    int half = dh / 2;
    for (int p = 0; p < x.length; p++) {
      for (int h = 0; h < heads; h++) {
        for (int i = 0; i < half; i++) {
          double angle = p / factor * Math.pow(theta, -2.0 * i / dh);
          double a = x[p][h * dh + i];
          double b = x[p][h * dh + half + i];
          x[p][h * dh + i] = a * Math.cos(angle) - b * Math.sin(angle);
          x[p][h * dh + half + i] = b * Math.cos(angle) + a * Math.sin(angle);
        }
      }
    }
  }

  ReferenceLlama run(int[] ids) {
    double eps = c.layerNormEps();
    double[][] x = RefOps.rows(t("embed_tokens.weight"), ids);
    hooks.put(HookName.embedOut(), x);
    for (int i = 0; i < c.numLayers(); i++) {
      String b = "layers." + i + ".";
      hooks.put(HookName.of(i, Site.RESID_PRE), x);
      double[][] h = RefOps.rmsNorm(x, t(b + "input_layernorm.weight"), eps);
      double[][] q = RefOps.linear(h, t(b + "self_attn.q_proj.weight"), null);
      double[][] k = RefOps.linear(h, t(b + "self_attn.k_proj.weight"), null);
      double[][] v = RefOps.linear(h, t(b + "self_attn.v_proj.weight"), null);
      rope(q, c.numHeads());
      rope(k, kvHeads);
      double[][] ctx = RefOps.attention(q, k, v, c.numHeads(), kvHeads, 1 / Math.sqrt(c.headDim()), true, null);
      double[][] attn = RefOps.linear(ctx, t(b + "self_attn.o_proj.weight"), null);
      hooks.put(HookName.of(i, Site.ATTN_OUT), attn);
      double[][] mid = RefOps.add(x, attn);
      hooks.put(HookName.of(i, Site.RESID_MID), mid);
      double[][] h2 = RefOps.rmsNorm(mid, t(b + "post_attention_layernorm.weight"), eps);
      double[][] gate = RefOps.map(RefOps.linear(h2, t(b + "mlp.gate_proj.weight"), null), RefOps::silu);
      double[][] pre = RefOps.mul(gate, RefOps.linear(h2, t(b + "mlp.up_proj.weight"), null));
      hooks.put(HookName.of(i, Site.MLP_PRE), pre);
      double[][] out = RefOps.linear(pre, t(b + "mlp.down_proj.weight"), null);
      hooks.put(HookName.of(i, Site.MLP_OUT), out);
      x = RefOps.add(mid, out);
      hooks.put(HookName.of(i, Site.RESID_POST), x);
    }
    last = RefOps.rmsNorm(x, t("norm.weight"), eps);
    return this;
  }
}
