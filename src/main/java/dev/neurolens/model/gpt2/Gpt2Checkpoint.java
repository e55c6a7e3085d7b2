package dev.neurolens.model.gpt2;

import dev.neurolens.model.ModelConfig;
import dev.neurolens.model.Weight;
import dev.neurolens.model.graph.WeightCheck;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The GPT-2 family's weight names: Hugging Face {@code GPT2Model} names, with or without the
 * {@code transformer.} prefix of {@code GPT2LMHeadModel} ({@code lm_head} and the causal-mask
 * buffers {@code attn.bias}/{@code attn.masked_bias} of old checkpoints are dropped).
 *
 * <p>GPT-2 stores its projections as {@code Conv1D} weights, shape (in, out): {@code y = x W + b}.
 * The canonical weights hold them transposed to the Linear layout (out, in) that every other
 * family uses, under the same names: {@code h.{i}.attn.c_attn.weight} (3D, D) with rows q, k, v;
 * {@code h.{i}.attn.c_proj.weight} (D, D); {@code h.{i}.mlp.c_fc.weight} (M, D);
 * {@code h.{i}.mlp.c_proj.weight} (D, M). Checkpoint tensor names appear only here.
 *
 * <p>Usage: {@code Map<String, FloatTensor> w = Gpt2Checkpoint.canonicalize(Safetensors.read(file), file.toString())}
 */
public final class Gpt2Checkpoint {
  public static final String WTE = "wte.weight";
  public static final String WPE = "wpe.weight";
  public static final String LN_F = "ln_f.";
  static final String LAYER_PREFIX = "h.";
  /** The Conv1D projections of a block, suffix after {@code h.{i}.}. */
  static final String[] CONV1D = {"attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"};

  private Gpt2Checkpoint() {}

  /** {@code h.{i}.{rest}}. */
  public static String block(int i, String rest) {
    return LAYER_PREFIX + i + "." + rest;
  }

  /** The canonical name of a checkpoint tensor, or null when NeuroLens does not use it. */
  public static String canonicalName(String name) {
    String n = name.startsWith("transformer.") ? name.substring("transformer.".length()) : name;
    if (n.equals(WTE) || n.equals(WPE) || n.startsWith(LN_F)) {
      return n;
    }
    if (n.startsWith(LAYER_PREFIX) && !n.endsWith(".attn.bias") && !n.endsWith(".attn.masked_bias")) {
      return n;
    }
    return null;
  }

  /**
   * Renames checkpoint tensors to canonical names and transposes the Conv1D weights (in, out)
   * to the Linear layout (out, in).
   */
  @SuppressWarnings("unchecked") // every Weight's transpose2d returns its own kind
  public static <W extends Weight> Map<String, W> canonicalize(Map<String, W> raw, String source) {
    Map<String, W> named = WeightCheck.canonicalize(raw, Gpt2Checkpoint::canonicalName, source);
    Map<String, W> out = new LinkedHashMap<>();
    for (Map.Entry<String, W> e : named.entrySet()) {
      W t = e.getValue();
      out.put(e.getKey(), isConv1dWeight(e.getKey()) && t.rank() == 2 ? (W) t.transpose2d() : t);
    }
    return out;
  }

  private static boolean isConv1dWeight(String canonical) {
    for (String c : CONV1D) {
      if (canonical.startsWith(LAYER_PREFIX) && canonical.endsWith("." + c + ".weight")) {
        return true;
      }
    }
    return false;
  }

  /** The shape every canonical tensor must have under {@code c} (Linear layout). */
  static Map<String, long[]> expectedShapes(ModelConfig c) {
    long d = c.hiddenSize();
    long m = c.intermediateSize();
    Map<String, long[]> s = new LinkedHashMap<>();
    s.put(WTE, new long[] {c.vocabSize(), d});
    s.put(WPE, new long[] {c.maxPositions(), d});
    for (int i = 0; i < c.numLayers(); i++) {
      s.put(block(i, "ln_1.weight"), new long[] {d});
      s.put(block(i, "ln_1.bias"), new long[] {d});
      s.put(block(i, "attn.c_attn.weight"), new long[] {3 * d, d});
      s.put(block(i, "attn.c_attn.bias"), new long[] {3 * d});
      s.put(block(i, "attn.c_proj.weight"), new long[] {d, d});
      s.put(block(i, "attn.c_proj.bias"), new long[] {d});
      s.put(block(i, "ln_2.weight"), new long[] {d});
      s.put(block(i, "ln_2.bias"), new long[] {d});
      s.put(block(i, "mlp.c_fc.weight"), new long[] {m, d});
      s.put(block(i, "mlp.c_fc.bias"), new long[] {m});
      s.put(block(i, "mlp.c_proj.weight"), new long[] {d, m});
      s.put(block(i, "mlp.c_proj.bias"), new long[] {d});
    }
    s.put(LN_F + "weight", new long[] {d});
    s.put(LN_F + "bias", new long[] {d});
    return s;
  }

  /** Checks block count against {@code n_layer}, then every tensor's presence and shape. */
  public static void validate(Map<String, ? extends Weight> canonical, ModelConfig c, String source) {
    WeightCheck.validate(canonical, expectedShapes(c), LAYER_PREFIX, c.numLayers(), "n_layer",
        "model_type gpt2, " + c.numLayers() + " layers; Conv1D weights are stored (in, out)", source);
  }
}
