package dev.neurolens.model.t5;

import dev.neurolens.model.FamilySettings;
import dev.neurolens.model.ModelConfig;
import dev.neurolens.model.Weight;
import dev.neurolens.model.graph.WeightCheck;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The T5 encoder's weight names (CodeT5): the {@code encoder.} tensors of a
 * {@code T5ForConditionalGeneration} or {@code T5EncoderModel} checkpoint without that prefix,
 * plus the shared embedding {@code shared.weight} (a checkpoint that stores it only as
 * {@code encoder.embed_tokens.weight} works too); the decoder and {@code lm_head} are dropped.
 * Canonical: {@code shared.weight}, {@code block.{i}.layer.0.SelfAttention.{q,k,v,o}.weight},
 * {@code block.0.layer.0.SelfAttention.relative_attention_bias.weight} (buckets, H),
 * {@code block.{i}.layer.0.layer_norm.weight}, {@code block.{i}.layer.1.DenseReluDense.{wi | wi_0, wi_1, wo}.weight},
 * {@code block.{i}.layer.1.layer_norm.weight}, {@code final_layer_norm.weight}.
 *
 * <p>Usage: {@code Map<String, FloatTensor> w = T5Checkpoint.canonicalize(Safetensors.read(file), file.toString())}
 */
public final class T5Checkpoint {
  public static final String SHARED = "shared.weight";
  public static final String FINAL_NORM = "final_layer_norm.weight";
  public static final String REL_BIAS = "block.0.layer.0.SelfAttention.relative_attention_bias.weight";
  static final String LAYER_PREFIX = "block.";
  private static final String EMBED_ALIAS = "embed_tokens.weight";

  private T5Checkpoint() {}

  /** {@code block.{i}.{rest}}. */
  public static String block(int i, String rest) {
    return LAYER_PREFIX + i + "." + rest;
  }

  /** The canonical name of a checkpoint tensor, or null when NeuroLens does not use it. */
  public static String canonicalName(String name) {
    if (name.equals(SHARED)) {
      return SHARED;
    }
    if (name.startsWith("encoder.")) {
      String n = name.substring("encoder.".length());
      return n.equals(EMBED_ALIAS) || n.equals(FINAL_NORM) || n.startsWith(LAYER_PREFIX) ? n : null;
    }
    return null;
  }

  /** Renames checkpoint tensors to canonical names; the encoder's own embedding stands in for a missing {@code shared}. */
  public static <W extends Weight> Map<String, W> canonicalize(Map<String, W> raw, String source) {
    Map<String, W> out = WeightCheck.canonicalize(raw, T5Checkpoint::canonicalName, source);
    W alias = out.remove(EMBED_ALIAS);
    if (alias != null && !out.containsKey(SHARED)) {
      out.put(SHARED, alias);
    }
    return out;
  }

  static Map<String, long[]> expectedShapes(ModelConfig c) {
    long d = c.hiddenSize();
    long m = c.intermediateSize();
    FamilySettings.T5 s = (FamilySettings.T5) c.settings();
    Map<String, long[]> e = new LinkedHashMap<>();
    e.put(SHARED, new long[] {c.vocabSize(), d});
    e.put(REL_BIAS, new long[] {s.numBuckets(), c.numHeads()});
    for (int i = 0; i < c.numLayers(); i++) {
      for (String p : new String[] {"q", "k", "v", "o"}) {
        e.put(block(i, "layer.0.SelfAttention." + p + ".weight"), new long[] {d, d});
      }
      e.put(block(i, "layer.0.layer_norm.weight"), new long[] {d});
      if (s.gated()) {
        e.put(block(i, "layer.1.DenseReluDense.wi_0.weight"), new long[] {m, d});
        e.put(block(i, "layer.1.DenseReluDense.wi_1.weight"), new long[] {m, d});
      } else {
        e.put(block(i, "layer.1.DenseReluDense.wi.weight"), new long[] {m, d});
      }
      e.put(block(i, "layer.1.DenseReluDense.wo.weight"), new long[] {d, m});
      e.put(block(i, "layer.1.layer_norm.weight"), new long[] {d});
    }
    e.put(FINAL_NORM, new long[] {d});
    return e;
  }

  /** Checks block count against {@code num_layers}, then every tensor's presence and shape. */
  public static void validate(Map<String, ? extends Weight> canonical, ModelConfig c, String source) {
    boolean gated = ((FamilySettings.T5) c.settings()).gated();
    WeightCheck.validate(canonical, expectedShapes(c), LAYER_PREFIX, c.numLayers(), "num_layers",
        "model_type t5, " + c.numLayers() + " encoder layers, feed-forward " + (gated ? "gated" : "plain"), source);
  }
}
