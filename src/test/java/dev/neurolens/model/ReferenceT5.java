package dev.neurolens.model;

import dev.neurolens.model.HookName.Site;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * An independent T5 encoder forward pass in double precision on the checkpoint as stored
 * ({@code encoder.} prefix, {@code shared} embedding), from Raffel et al. 2020 / Hugging Face
 * modeling_t5: RMS layer norm, unscaled attention plus the relative position bias of block 0
 * (buckets by the published formula, in double), relu or gated-gelu (tanh form) feed-forward.
 */
final class ReferenceT5 {
  private final Map<String, FloatTensor> w;
  private final ModelConfig c;
  private final int buckets;
  private final int maxDistance;
  private final boolean gated;
  final Map<HookName, double[][]> hooks = new LinkedHashMap<>();
  double[][] last;

  ReferenceT5(ModelConfig c, Map<String, FloatTensor> checkpoint, int buckets, int maxDistance, boolean gated) {
    this.c = c;
    this.w = checkpoint;
    this.buckets = buckets;
    this.maxDistance = maxDistance;
    this.gated = gated;
  }

  private FloatTensor t(String name) {
    return w.get("encoder." + name);
  }

  /** The bucket of key - query, bidirectional, as in the T5 paper's code (double precision). */
  static int bucket(int rel, int numBuckets, int maxDistance) {
    int nb = numBuckets / 2;
    int ret = rel > 0 ? nb : 0;
    int n = Math.abs(rel);
    int maxExact = nb / 2;
    if (n < maxExact) {
      return ret + n;
    }
    int large = maxExact + (int) (Math.log((double) n / maxExact) / Math.log((double) maxDistance / maxExact)
        * (nb - maxExact));
    return ret + Math.min(large, nb - 1);
  }

  ReferenceT5 run(int[] ids) {
    double eps = c.layerNormEps();
    int n = ids.length;
    int heads = c.numHeads();
    double[][][] bias = new double[heads][n][n];
    FloatTensor table = t("block.0.layer.0.SelfAttention.relative_attention_bias.weight");
    for (int h = 0; h < heads; h++) {
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          bias[h][i][j] = table.data()[bucket(j - i, buckets, maxDistance) * heads + h];
        }
      }
    }
    DoubleUnaryOperator act = gated ? RefOps::geluTanh : RefOps::relu;
    double[][] x = RefOps.rows(w.get("shared.weight"), ids);
    hooks.put(HookName.embedOut(), x);
    for (int i = 0; i < c.numLayers(); i++) {
      String b = "block." + i + ".layer.";
      hooks.put(HookName.of(i, Site.RESID_PRE), x);
      double[][] h = RefOps.rmsNorm(x, t(b + "0.layer_norm.weight"), eps);
      double[][] q = RefOps.linear(h, t(b + "0.SelfAttention.q.weight"), null);
      double[][] k = RefOps.linear(h, t(b + "0.SelfAttention.k.weight"), null);
      double[][] v = RefOps.linear(h, t(b + "0.SelfAttention.v.weight"), null);
      double[][] ctx = RefOps.attention(q, k, v, heads, heads, 1, false, bias);
      double[][] attn = RefOps.linear(ctx, t(b + "0.SelfAttention.o.weight"), null);
      hooks.put(HookName.of(i, Site.ATTN_OUT), attn);
      double[][] mid = RefOps.add(x, attn);
      hooks.put(HookName.of(i, Site.RESID_MID), mid);
      double[][] h2 = RefOps.rmsNorm(mid, t(b + "1.layer_norm.weight"), eps);
      double[][] pre = gated
          ? RefOps.mul(RefOps.map(RefOps.linear(h2, t(b + "1.DenseReluDense.wi_0.weight"), null), act),
              RefOps.linear(h2, t(b + "1.DenseReluDense.wi_1.weight"), null))
          : RefOps.map(RefOps.linear(h2, t(b + "1.DenseReluDense.wi.weight"), null), act);
      hooks.put(HookName.of(i, Site.MLP_PRE), pre);
      double[][] out = RefOps.linear(pre, t(b + "1.DenseReluDense.wo.weight"), null);
      hooks.put(HookName.of(i, Site.MLP_OUT), out);
      x = RefOps.add(mid, out);
      hooks.put(HookName.of(i, Site.RESID_POST), x);
    }
    last = RefOps.rmsNorm(x, t("final_layer_norm.weight"), eps);
    return this;
  }
}
