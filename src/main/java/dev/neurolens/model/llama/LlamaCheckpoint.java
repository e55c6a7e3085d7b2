package dev.neurolens.model.llama;

import dev.neurolens.model.FamilySettings;
import dev.neurolens.model.ModelConfig;
import dev.neurolens.model.Weight;
import dev.neurolens.model.graph.WeightCheck;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Llama family's weight names (CodeLlama, DeepSeek-Coder): Hugging Face {@code LlamaModel}
 * names without the {@code model.} prefix of {@code LlamaForCausalLM}; {@code lm_head} (tied or
 * not) and the {@code rotary_emb.inv_freq} buffers of old checkpoints are dropped. Canonical:
 * {@code embed_tokens.weight}, {@code layers.{i}.input_layernorm.weight},
 * {@code layers.{i}.self_attn.{q,k,v,o}_proj.weight}, {@code layers.{i}.post_attention_layernorm.weight},
 * {@code layers.{i}.mlp.{gate,up,down}_proj.weight}, {@code norm.weight}; Linear layout (out, in).
 *
 * <p>Usage: {@code Map<String, FloatTensor> w = LlamaCheckpoint.canonicalize(Safetensors.read(file), file.toString())}
 */
public final class LlamaCheckpoint {
  public static final String EMBED = "embed_tokens.weight";
  public static final String NORM = "norm.weight";
  static final String LAYER_PREFIX = "layers.";

  private LlamaCheckpoint() {}

  /** {@code layers.{i}.{rest}}. */
  public static String block(int i, String rest) {
    return LAYER_PREFIX + i + "." + rest;
  }

  /** The canonical name of a checkpoint tensor, or null when NeuroLens does not use it. */
  public static String canonicalName(String name) {
    String n = name.startsWith("model.") ? name.substring("model.".length()) : name;
    if (n.equals(EMBED) || n.equals(NORM)) {
      return n;
    }
    if (n.startsWith(LAYER_PREFIX) && !n.contains("rotary_emb")) {
      return n;
    }
    return null;
  }

  /** Renames checkpoint tensors to canonical names, dropping the unused ones. */
  public static <W extends Weight> Map<String, W> canonicalize(Map<String, W> raw, String source) {
    return WeightCheck.canonicalize(raw, LlamaCheckpoint::canonicalName, source);
  }

  static Map<String, long[]> expectedShapes(ModelConfig c) {
    long d = c.hiddenSize();
    long m = c.intermediateSize();
    long kv = (long) ((FamilySettings.Llama) c.settings()).numKvHeads() * c.headDim();
    Map<String, long[]> s = new LinkedHashMap<>();
    s.put(EMBED, new long[] {c.vocabSize(), d});
    for (int i = 0; i < c.numLayers(); i++) {
      s.put(block(i, "input_layernorm.weight"), new long[] {d});
      s.put(block(i, "self_attn.q_proj.weight"), new long[] {d, d});
      s.put(block(i, "self_attn.k_proj.weight"), new long[] {kv, d});
      s.put(block(i, "self_attn.v_proj.weight"), new long[] {kv, d});
      s.put(block(i, "self_attn.o_proj.weight"), new long[] {d, d});
      s.put(block(i, "post_attention_layernorm.weight"), new long[] {d});
      s.put(block(i, "mlp.gate_proj.weight"), new long[] {m, d});
      s.put(block(i, "mlp.up_proj.weight"), new long[] {m, d});
      s.put(block(i, "mlp.down_proj.weight"), new long[] {d, m});
    }
    s.put(NORM, new long[] {d});
    return s;
  }

  /** Checks block count against {@code num_hidden_layers}, then every tensor's presence and shape. */
  public static void validate(Map<String, ? extends Weight> canonical, ModelConfig c, String source) {
    WeightCheck.validate(canonical, expectedShapes(c), LAYER_PREFIX, c.numLayers(), "num_hidden_layers",
        "model_type llama, " + c.numLayers() + " layers, "
            + ((FamilySettings.Llama) c.settings()).numKvHeads() + " key/value heads", source);
  }
}
