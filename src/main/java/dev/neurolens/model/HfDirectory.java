package dev.neurolens.model;

import dev.neurolens.model.bert.BertCheckpoint;
import dev.neurolens.model.bert.BertEncoder;
import dev.neurolens.model.gpt2.Gpt2Checkpoint;
import dev.neurolens.model.gpt2.Gpt2Model;
import dev.neurolens.model.llama.LlamaCheckpoint;
import dev.neurolens.model.llama.LlamaModel;
import dev.neurolens.model.t5.T5Checkpoint;
import dev.neurolens.model.t5.T5Encoder;
import dev.neurolens.model.safetensors.Safetensors;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Loads a Hugging Face model directory of any {@link Family} (config via {@link HfConfigs}, weight
 * names via the family's checkpoint class), and writes a BERT-family config.json.
 */
final class HfDirectory {
  private HfDirectory() {}

  static EncoderModel load(Path dir, WeightsDtype dtype) {
    ModelConfig config = HfConfigs.read(dir.resolve("config.json"));
    Family family = config.family();
    UnaryOperator<String> names = switch (family) {
      case BERT, ROBERTA -> BertCheckpoint::canonicalName;
      case GPT2 -> Gpt2Checkpoint::canonicalName;
      case LLAMA -> LlamaCheckpoint::canonicalName;
      case T5 -> T5Checkpoint::canonicalName;
    };
    Map<String, Weight> raw;
    Path single = dir.resolve("model.safetensors");
    Path index = dir.resolve("model.safetensors.index.json");
    if (Files.isRegularFile(single)) {
      raw = Safetensors.open(single, n -> names.apply(n) != null, dtype);
    } else if (Files.isRegularFile(index)) {
      raw = Safetensors.openSharded(index, n -> names.apply(n) != null, dtype);
    } else {
      throw new NeuroLensException(dir + ": no model.safetensors or model.safetensors.index.json "
          + "(pytorch_model.bin is not supported; save the model with safe_serialization=True)");
    }
    String source = Files.isRegularFile(single) ? single.toString() : index.toString();
    Map<String, Weight> weights = switch (family) {
      case BERT, ROBERTA -> BertCheckpoint.canonicalize(raw, source);
      case GPT2 -> Gpt2Checkpoint.canonicalize(raw, source);
      case LLAMA -> LlamaCheckpoint.canonicalize(raw, source);
      case T5 -> T5Checkpoint.canonicalize(raw, source);
    };
    raw.clear();
    Path tokFile = dir.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokFile)) {
      throw new NeuroLensException(tokFile + ": missing (NeuroLens needs the fast-tokenizer file tokenizer.json)");
    }
    String id = dir.toAbsolutePath().normalize().toString();
    switch (family) {
      case BERT, ROBERTA -> BertCheckpoint.validate(weights, config, source);
      case GPT2 -> Gpt2Checkpoint.validate(weights, config, source);
      case LLAMA -> LlamaCheckpoint.validate(weights, config, source);
      case T5 -> T5Checkpoint.validate(weights, config, source);
    }
    HfTokenizer tok = HfTokenizer.fromJson(Models.readString(tokFile), tokFile.toString(), config.maxTokens(),
        config.vocabSize());
    return switch (family) {
      case BERT, ROBERTA -> BertEncoder.create(config, id, tok, weights, source);
      case GPT2 -> Gpt2Model.create(config, id, tok, weights, source);
      case LLAMA -> LlamaModel.create(config, id, tok, weights, source);
      case T5 -> T5Encoder.create(config, id, tok, weights, source);
    };
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
