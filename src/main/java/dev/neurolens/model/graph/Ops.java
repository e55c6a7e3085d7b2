package dev.neurolens.model.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;

/**
 * The tensor operations the model families share (DJL, PyTorch engine). Shapes: B batch, T
 * tokens, D hidden, H heads, dh head width, M feed-forward width.
 */
public final class Ops {
  private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

  private Ops() {}

  /** Rows of {@code table} (V, D) picked by {@code ids} (B, T): (B, T, D). */
  public static NDArray gather(NDArray ids, NDArray table) {
    return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
  }

  /** {@code x W^T + b} with Linear (out, in) weights; {@code bias} may be null: (..., in) -> (..., out). */
  public static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    return Linear.linear(x, weight, bias).singletonOrThrow();
  }

  /** Layer norm over the last axis (mean and variance), with gain and bias: (..., D) -> (..., D). */
  public static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias, double eps) {
    long d = x.getShape().get(x.getShape().dimension() - 1);
    return LayerNorm.layerNorm(x, new Shape(d), weight, bias, (float) eps).singletonOrThrow();
  }

  /**
   * RMS norm (Llama's RMSNorm, T5's LayerNorm): {@code w * x / sqrt(mean(x^2) + eps)}, no mean
   * subtraction, no bias: (..., D) -> (..., D).
   */
  public static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
    NDArray ms = x.square().mean(new int[] {-1}, true); // (..., 1)
    return x.div(ms.addi((float) eps).sqrt()).muli(weight);
  }

  /** The feed-forward activation named by Hugging Face's {@code hidden_act}. */
  public static NDArray activation(String name, NDArray x) {
    return switch (name) {
      case "gelu" -> Activation.gelu(x);
      case "gelu_new" -> geluTanh(x);
      case "relu" -> Activation.relu(x);
      case "silu" -> x.mul(Activation.sigmoid(x));
      default -> throw new IllegalArgumentException("unknown activation " + name);
    };
  }

  /** GELU, tanh form (HF "gelu_new"): {@code x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
  public static NDArray geluTanh(NDArray x) {
    NDArray inner = x.pow(3).muli(0.044715f).addi(x).muli((float) SQRT_2_OVER_PI).tanh();
    return inner.addi(1f).muli(x).muli(0.5f);
  }

  /** Attention scores above this size are computed a few rows at a time ... */
  private static final long ATTENTION_WHOLE_BYTES = 16L << 20;
  /** ... of at most this size each (at least one row). */
  private static final long ATTENTION_PART_BYTES = 4L << 20;

  /**
   * Multi-head attention from per-head queries, keys and values, with an additive score bias
   * (mask and/or position bias, broadcastable to (B, H, T, T); null = none). Scores are not
   * scaled here: callers fold 1/sqrt(dh) into the query weights (T5 uses no scale).
   * Keys and values with fewer heads than the queries (grouped-query attention) are shared by
   * consecutive query heads: query head h reads key head h / (H / Hkv).
   *
   * @param q (B, H, T, dh)
   * @param k (B, Hkv, T, dh)
   * @param v (B, Hkv, T, dh)
   * @return the context (B, T, H * dh)
   */
  public static NDArray attention(NDArray q, NDArray k, NDArray v, NDArray bias) {
    return attention(q, k, v, bias, true);
  }

  /**
   * {@link #attention} always by matMul, softmax and matMul (long rows a few at a time), never
   * fused: for comparing the two paths.
   */
  public static NDArray unfusedAttention(NDArray q, NDArray k, NDArray v, NDArray bias) {
    return attention(q, k, v, bias, false);
  }

  private static NDArray attention(NDArray q, NDArray k, NDArray v, NDArray bias, boolean fused) {
    Shape s = q.getShape();
    long b = s.get(0);
    long h = s.get(1);
    long t = s.get(2);
    long dh = s.get(3);
    long hkv = k.getShape().get(1);
    if (hkv != h) {
      // (B, Hkv, T, dh) -> (B, H, T, dh), each key head repeated H / Hkv times in place
      k = k.repeat(1, h / hkv);
      v = v.repeat(1, h / hkv);
    }
    // (B, H, T, dh) -> (B, T, H, dh) -> (B, T, H dh)
    NDArray ctx = fused ? headContext(q, k, v, bias, 0f) : unfusedHeadContext(q, k, v, bias, 0f);
    return ctx.transpose(0, 2, 1, 3).reshape(b, t, h * dh);
  }

  /**
   * softmax(q k^T + bias) v for each head, (B, H, T, dh) x 3 -> (B, H, T, dh), with dropout on
   * the probabilities (rate 0 = none). Inference on sequences of {@value FusedAttention#MIN_KEYS}
   * or more keys runs PyTorch's fused kernel ({@link FusedAttention}), which never holds the
   * scores. Otherwise the (B, H, T, T) scores of long rows outgrow the cache: above 16 MB of
   * scores, and without dropout, the rows go a few at a time in parts of at most 4 MB (at least
   * one row), the same arithmetic per row, so that scores and probabilities stay in the
   * last-level cache. A bias without a batch dimension of B is shared by every part.
   */
  public static NDArray headContext(NDArray q, NDArray k, NDArray v, NDArray bias, float dropout) {
    NDArray fused = dropout == 0 ? FusedAttention.tryApply(q, k, v, bias) : null;
    return fused != null ? fused : unfusedHeadContext(q, k, v, bias, dropout);
  }

  /** {@link #headContext} by matMul, softmax and matMul, long rows a few at a time. */
  static NDArray unfusedHeadContext(NDArray q, NDArray k, NDArray v, NDArray bias, float dropout) {
    Shape s = q.getShape();
    long b = s.get(0);
    long scoreBytes = s.get(1) * s.get(2) * k.getShape().get(2) * Float.BYTES;
    long rowsPerPart = Math.max(1, ATTENTION_PART_BYTES / scoreBytes);
    if (dropout > 0 || b * scoreBytes <= ATTENTION_WHOLE_BYTES || b <= rowsPerPart) {
      return wholeHeadContext(q, k, v, bias, dropout);
    }
    boolean perRowBias = bias != null && bias.getShape().dimension() == 4 && bias.getShape().get(0) == b;
    NDList parts = new NDList();
    for (long r = 0; r < b; r += rowsPerPart) {
      String rows = r + ":" + Math.min(b, r + rowsPerPart);
      parts.add(wholeHeadContext(q.get(rows), k.get(rows), v.get(rows), perRowBias ? bias.get(rows) : bias, 0f));
    }
    return NDArrays.concat(parts, 0);
  }

  private static NDArray wholeHeadContext(NDArray q, NDArray k, NDArray v, NDArray bias, float dropout) {
    // (B, H, T, dh) x (B, H, dh, T) -> (B, H, T, T)
    NDArray scores = q.matMul(k.transpose(0, 1, 3, 2));
    if (bias != null) {
      scores = scores.addi(bias);
    }
    NDArray probs = scores.softmax(-1);
    if (dropout > 0) {
      probs = Dropout.dropout(probs, dropout, true).singletonOrThrow();
    }
    // (B, H, T, T) x (B, H, T, dh) -> (B, H, T, dh)
    return probs.matMul(v);
  }
}
