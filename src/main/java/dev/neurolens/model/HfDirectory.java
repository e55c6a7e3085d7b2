package dev.neurolens.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurolens.model.bert.BertCheckpoint;
import dev.neurolens.model.bert.BertEncoder;
import dev.neurolens.model.safetensors.Safetensors;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Loads a Hugging Face model directory of the BERT family, and writes its config.json. */
final class HfDirectory {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private HfDirectory() {}

  static EncoderModel load(Path dir) {
    Path configFile = dir.resolve("config.json");
    ModelConfig config = readConfig(configFile);
    Map<String, FloatTensor> raw;
    Path single = dir.resolve("model.safetensors");
    Path index = dir.resolve("model.safetensors.index.json");
    if (Files.isRegularFile(single)) {
      raw = Safetensors.read(single, n -> BertCheckpoint.canonicalName(n) != null);
    } else if (Files.isRegularFile(index)) {
      raw = Safetensors.readSharded(index, n -> BertCheckpoint.canonicalName(n) != null);
    } else {
      throw new NeuroLensException(dir + ": no model.safetensors or model.safetensors.index.json "
          + "(pytorch_model.bin is not supported; save the model with safe_serialization=True)");
    }
    String source = Files.isRegularFile(single) ? single.toString() : index.toString();
    Map<String, FloatTensor> weights = BertCheckpoint.canonicalize(raw, source);
    Path tokFile = dir.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokFile)) {
      throw new NeuroLensException(tokFile + ": missing (NeuroLens needs the fast-tokenizer file tokenizer.json)");
    }
    BertCheckpoint.validate(weights, config, source);
    HfTokenizer tok = HfTokenizer.fromJson(Models.readString(tokFile), tokFile.toString(), config.maxTokens(),
        config.vocabSize());
    return BertEncoder.create(config, dir.toAbsolutePath().normalize().toString(), tok, weights, source);
  }

  static ModelConfig readConfig(Path file) {
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
    if (!type.equals("bert") && !type.equals("roberta")) {
      throw new NeuroLensException(file + ": Unknown model type: '" + type + "' (supported: bert, roberta)");
    }
    try {
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
    } catch (NeuroLensException e) {
      throw new NeuroLensException(file + ": " + e.getMessage());
    }
  }

  private static int intField(JsonNode root, String key, Path file) {
    JsonNode n = root.get(key);
    if (n == null || !n.canConvertToInt() || !n.isIntegralNumber()) {
      throw new NeuroLensException(file + ": " + key + " must be an integer, found " + (n == null ? "nothing" : n));
    }
    return n.asInt();
  }

  /** A Hugging Face config.json for {@code c}. */
  static Map<String, Object> configJson(ModelConfig c, boolean withHead) {
    boolean roberta = c.modelType().equals("roberta");
    String arch = (roberta ? "Roberta" : "Bert") + (withHead ? "ForMaskedLM" : "Model");
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("architectures", List.of(arch));
    m.put("model_type", c.modelType());
    m.put("num_hidden_layers", c.numLayers());
    m.put("hidden_size", c.hiddenSize());
    m.put("num_attention_heads", c.numHeads());
    m.put("intermediate_size", c.intermediateSize());
    m.put("max_position_embeddings", c.maxPositions());
    m.put("vocab_size", c.vocabSize());
    m.put("type_vocab_size", c.typeVocabSize());
    m.put("layer_norm_eps", c.layerNormEps());
    m.put("pad_token_id", c.padTokenId());
    m.put("hidden_act", c.hiddenAct());
    m.put("hidden_dropout_prob", 0.1);
    m.put("attention_probs_dropout_prob", 0.1);
    m.put("initializer_range", 0.02);
    m.put("position_embedding_type", "absolute");
    m.put("torch_dtype", "float32");
    return m;
  }
}
