package dev.neurolens.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a Hugging Face {@code config.json} into a {@link ModelConfig}, by {@code model_type}:
 * each family names its settings differently (BERT {@code num_hidden_layers}, GPT-2
 * {@code n_layer}, T5 {@code num_layers}), and Hugging Face's defaults fill what a file leaves
 * out. Every failure is one line naming the file; options that would change the computation in
 * ways NeuroLens does not implement (scaled-by-layer GPT-2 attention, Llama biases or non-linear
 * rope scaling, T5 heads narrower than d_model / num_heads) are refused rather than ignored.
 */
final class HfConfigs {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private HfConfigs() {}

  static ModelConfig read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new NeuroLensException(file + ": missing (a model directory needs config.json)");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new NeuroLensException(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
    if (root == null || !root.isObject()) {
      throw new NeuroLensException(file + ": must be a JSON object");
    }
    String type = root.path("model_type").asText("");
    Family family = Family.of(type);
    if (family == null) {
      throw new NeuroLensException(file + ": Unknown model type: '" + type + "' (supported: " + Family.supported() + ")");
    }
    try {
      return switch (family) {
        case BERT, ROBERTA -> bert(root, type, file);
        case GPT2 -> gpt2(root, file);
        case LLAMA -> llama(root, file);
        case T5 -> t5(root, file);
      };
    } catch (NeuroLensException e) {
      throw new NeuroLensException(e.getMessage().startsWith(file.toString()) ? e.getMessage() : file + ": " + e.getMessage());
    }
  }

  private static ModelConfig bert(JsonNode root, String type, Path file) {
    return new ModelConfig(
        type,
        intField(root, "num_hidden_layers", file),
        intField(root, "hidden_size", file),
        intField(root, "num_attention_heads", file),
        intField(root, "intermediate_size", file),
        intField(root, "max_position_embeddings", file),
        intField(root, "vocab_size", file),
        root.path("type_vocab_size").asInt(type.equals("roberta") ? 1 : 2),
        root.path("layer_norm_eps").asDouble(1e-12),
        root.path("pad_token_id").asInt(type.equals("roberta") ? 1 : 0),
        root.path("hidden_act").asText("gelu"));
  }

  private static ModelConfig gpt2(JsonNode root, Path file) {
    refuse(root, "scale_attn_by_inverse_layer_idx", true, file);
    refuse(root, "scale_attn_weights", false, file);
    int d = intField(root, "n_embd", file);
    int vocab = intField(root, "vocab_size", file);
    JsonNode inner = root.get("n_inner");
    int m = inner == null || inner.isNull() ? 4 * d : intField(root, "n_inner", file);
    String act = root.path("activation_function").asText("gelu_new");
    if (act.equals("gelu_pytorch_tanh")) {
      act = "gelu_new";
    }
    return new ModelConfig("gpt2", intField(root, "n_layer", file), d, intField(root, "n_head", file), m,
        root.has("n_positions") ? intField(root, "n_positions", file) : 1024, vocab, 0,
        root.path("layer_norm_epsilon").asDouble(1e-5), padId(root, vocab), act);
  }

  private static ModelConfig llama(JsonNode root, Path file) {
    refuse(root, "attention_bias", true, file);
    refuse(root, "mlp_bias", true, file);
    int d = intField(root, "hidden_size", file);
    int heads = intField(root, "num_attention_heads", file);
    int vocab = intField(root, "vocab_size", file);
    if (root.hasNonNull("head_dim") && heads > 0 && root.path("head_dim").asInt() * heads != d) {
      throw new NeuroLensException(file + ": head_dim (" + root.path("head_dim") + ") x num_attention_heads (" + heads
          + ") must equal hidden_size (" + d + "); other head widths are not supported");
    }
    int kv = root.hasNonNull("num_key_value_heads") ? intField(root, "num_key_value_heads", file) : heads;
    FamilySettings.Llama s = new FamilySettings.Llama(kv, root.path("rope_theta").asDouble(10_000),
        ropeScaling(root.get("rope_scaling"), file));
    return new ModelConfig("llama", intField(root, "num_hidden_layers", file), d, heads,
        intField(root, "intermediate_size", file),
        root.has("max_position_embeddings") ? intField(root, "max_position_embeddings", file) : 2048, vocab, 0,
        root.path("rms_norm_eps").asDouble(1e-6), padId(root, vocab), root.path("hidden_act").asText("silu"), s);
  }

  /** The linear rope scaling factor, 1 when the config has none. */
  private static double ropeScaling(JsonNode rs, Path file) {
    if (rs == null || rs.isNull()) {
      return 1;
    }
    String type = rs.path("rope_type").asText(rs.path("type").asText(""));
    if (type.equals("default")) {
      return 1;
    }
    if (!type.equals("linear") || !rs.path("factor").isNumber()) {
      throw new NeuroLensException(file + ": rope_scaling " + rs + " is not supported (only {\"type\": \"linear\", "
          + "\"factor\": f})");
    }
    return rs.path("factor").asDouble();
  }

  private static ModelConfig t5(JsonNode root, Path file) {
    if (root.path("is_decoder").asBoolean(false)) {
      throw new NeuroLensException(file + ": is_decoder is true; NeuroLens reads the T5 encoder stack only");
    }
    int d = intField(root, "d_model", file);
    int heads = intField(root, "num_heads", file);
    int vocab = intField(root, "vocab_size", file);
    if (root.has("d_kv") && heads > 0 && intField(root, "d_kv", file) * heads != d) {
      throw new NeuroLensException(file + ": d_kv (" + root.path("d_kv") + ") x num_heads (" + heads
          + ") must equal d_model (" + d + "); other head widths are not supported");
    }
    String proj = root.path("feed_forward_proj").asText("relu");
    boolean gated = proj.startsWith("gated-");
    String act = gated ? proj.substring("gated-".length()) : proj;
    if (proj.equals("gated-gelu")) {
      act = "gelu_new"; // as Hugging Face's T5Config
    }
    FamilySettings.T5 s = new FamilySettings.T5(
        root.has("relative_attention_num_buckets") ? intField(root, "relative_attention_num_buckets", file) : 32,
        root.has("relative_attention_max_distance") ? intField(root, "relative_attention_max_distance", file) : 128,
        gated);
    return new ModelConfig("t5", intField(root, "num_layers", file), d, heads, intField(root, "d_ff", file),
        root.has("n_positions") ? intField(root, "n_positions", file) : 512, vocab, 0,
        root.path("layer_norm_epsilon").asDouble(1e-6), root.path("pad_token_id").asInt(0), act, s);
  }

  /** A decoder's pad id: {@code pad_token_id}, else {@code eos_token_id}, else 0 (padding is masked anyway). */
  private static int padId(JsonNode root, int vocab) {
    for (String key : new String[] {"pad_token_id", "eos_token_id"}) {
      JsonNode n = root.get(key);
      if (n != null && n.isIntegralNumber() && n.asInt() >= 0 && n.asInt() < vocab) {
        return n.asInt();
      }
    }
    return 0;
  }

  private static void refuse(JsonNode root, String key, boolean value, Path file) {
    JsonNode n = root.get(key);
    if (n != null && n.isBoolean() && n.asBoolean() == value) {
      throw new NeuroLensException(file + ": " + key + " = " + value + " is not supported");
    }
  }

  static int intField(JsonNode root, String key, Path file) {
    JsonNode n = root.get(key);
    if (n == null || !n.canConvertToInt() || !n.isIntegralNumber()) {
      throw new NeuroLensException(file + ": " + key + " must be an integer, found " + (n == null ? "nothing" : n));
    }
    return n.asInt();
  }
}
