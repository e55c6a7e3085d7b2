package dev.neurolens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.neurolens.model.bert.BertCheckpoint;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile Hugging Face directories: a config that disagrees with its weights, tokenizers that
 * do not fit the embedding table, garbage JSON. Each load fails fast with one line naming the file.
 */
class HostileModelDirTest {
  @TempDir static Path tmp;
  static Path good;
  static int copies;

  @BeforeAll
  static void export() {
    good = tmp.resolve("good");
    try (EncoderModel m = TinyModels.random(5)) {
      Models.export(m, good);
    }
  }

  /** A copy of the tiny model directory. */
  Path copy() throws Exception {
    Path dir = tmp.resolve("copy" + copies++);
    Files.createDirectories(dir);
    for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json"}) {
      Files.copy(good.resolve(f), dir.resolve(f));
    }
    return dir;
  }

  static void setConfig(Path dir, String key, JsonNode value) throws Exception {
    ObjectNode c = (ObjectNode) Json.MAPPER.readTree(dir.resolve("config.json").toFile());
    c.set(key, value);
    Files.writeString(dir.resolve("config.json"), c.toString());
  }

  static ObjectNode tokenizer(Path dir) throws Exception {
    return (ObjectNode) Json.MAPPER.readTree(dir.resolve("tokenizer.json").toFile());
  }

  /** Loads {@code dir} within 20 s, expects one line holding every fragment. */
  static String rejects(Path dir, String... fragments) {
    String m = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> assertThrows(NeuroLensException.class, () -> Models.load(dir.toString()).close()).getMessage());
    assertFalse(m.contains("\n") || m.contains("\r"), "more than one line: " + m);
    for (String f : fragments) {
      assertTrue(m.contains(f), "'" + f + "' not in: " + m);
    }
    return m;
  }

  @Test
  void load_numHiddenLayersMaxInt_failsFastNamingBothCounts() throws Exception {
    Path dir = copy();
    setConfig(dir, "num_hidden_layers", Json.MAPPER.valueToTree(Integer.MAX_VALUE));
    rejects(dir, "model.safetensors", "the weights hold 2 encoder layers",
        "num_hidden_layers = 2147483647", "the config and the weights disagree");
  }

  @Test
  void load_fewerOrMoreLayersThanTheWeights_configAndWeightsDisagree() throws Exception {
    Path fewer = copy();
    setConfig(fewer, "num_hidden_layers", Json.MAPPER.valueToTree(1));
    rejects(fewer, "the weights hold 2 encoder layers (encoder.layer.0 .. encoder.layer.1)",
        "num_hidden_layers = 1", "disagree");
    Path more = copy();
    setConfig(more, "num_hidden_layers", Json.MAPPER.valueToTree(12));
    rejects(more, "the weights hold 2 encoder layers", "num_hidden_layers = 12", "disagree");
  }

  @Test
  void validate_layerGapOrHugeIndex_namesTheBlock() {
    ModelConfig c = TinyModels.config(2, 32, 4, 64);
    Map<String, FloatTensor> w = TinyModels.randomWeights(c, 1);
    Map<String, FloatTensor> gap = new LinkedHashMap<>();
    w.forEach((k, v) -> gap.put(k.replace("encoder.layer.1.", "encoder.layer.7."), v));
    String m = assertThrows(NeuroLensException.class, () -> BertCheckpoint.validate(gap, c, "ckpt")).getMessage();
    assertTrue(m.contains("encoder.layer.7 but no encoder.layer.1"), m);
    Map<String, FloatTensor> huge = new LinkedHashMap<>(w);
    huge.put("encoder.layer.99999999999.output.dense.bias", w.get(BertCheckpoint.block(0, "output.dense.bias")));
    m = assertThrows(NeuroLensException.class, () -> BertCheckpoint.validate(huge, c, "ckpt")).getMessage();
    assertTrue(m.contains("'encoder.layer.99999999999.output.dense.bias'") && m.contains("block index"), m);
  }

  @Test
  void load_tokenizerIdBeyondInt_namesTokenAndRange() throws Exception {
    Path dir = copy();
    ObjectNode tok = tokenizer(dir);
    ((ObjectNode) tok.path("model").path("vocab")).put("zzzz", 3_000_000_000L);
    Files.writeString(dir.resolve("tokenizer.json"), tok.toString());
    rejects(dir, "tokenizer.json", "token \"zzzz\" has id 3000000000", "integers in [0, ");
    ((ObjectNode) tok.path("model").path("vocab")).put("zzzz", 3e9);
    Files.writeString(dir.resolve("tokenizer.json"), tok.toString());
    rejects(dir, "tokenizer.json", "token \"zzzz\" has id 3.0E9");
    ((ObjectNode) tok.path("model").path("vocab")).put("zzzz", -1);
    Files.writeString(dir.resolve("tokenizer.json"), tok.toString());
    rejects(dir, "token \"zzzz\" has id -1");
    ((ObjectNode) tok.path("model").path("vocab")).put("zzzz", "7");
    Files.writeString(dir.resolve("tokenizer.json"), tok.toString());
    rejects(dir, "token \"zzzz\" has id \"7\"");
  }

  @Test
  void load_addedTokenBeyondVocab_namesIt() throws Exception {
    Path dir = copy();
    ObjectNode tok = tokenizer(dir);
    ((ObjectNode) tok.withArray("added_tokens").get(0)).put("id", 4000);
    Files.writeString(dir.resolve("tokenizer.json"), tok.toString());
    rejects(dir, "tokenizer.json", "added token \"[PAD]\" has id 4000");
  }

  @Test
  void load_wordPieceWithoutUnk_failsAtLoadNotOnTheFirstEmoji() throws Exception {
    Path dir = copy();
    ObjectNode tok = tokenizer(dir);
    ((ObjectNode) tok.path("model").path("vocab")).remove("[UNK]");
    Files.writeString(dir.resolve("tokenizer.json"), tok.toString());
    rejects(dir, "tokenizer.json", "model.unk_token \"[UNK]\" is not in the WordPiece vocabulary");
  }

  @Test
  void load_garbageTokenizerJson_oneLine() throws Exception {
    Path dir = copy();
    String[][] cases = {
      {"{ not json", "not valid JSON"},
      {"[1, 2]", "must be a JSON object"},
      {"{}", "must have a model.vocab object or array"},
      {"{\"model\": {\"vocab\": \"abc\"}}", "must have a model.vocab object or array"},
      {"{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[UNK]\": 0}}, \"added_tokens\": 5}", "added_tokens must be an array"},
      {"{\"model\": {\"type\": \"Unigram\", \"vocab\": [[\"a\", 0.0]], \"unk_id\": 9}}", "model.unk_id must be an index"},
      {"{\"model\": {\"type\": \"NoSuchModel\", \"vocab\": {\"a\": 0}}}", "cannot build the tokenizer"},
    };
    for (String[] c : cases) {
      Files.writeString(dir.resolve("tokenizer.json"), c[0]);
      rejects(dir, "tokenizer.json", c[1]);
    }
  }

  @Test
  void load_garbageConfigJson_oneLine() throws Exception {
    Path dir = copy();
    Object[][] cases = {
      {"num_hidden_layers", "twelve", "num_hidden_layers must be an integer, found \"twelve\""},
      {"num_hidden_layers", 1.5, "num_hidden_layers must be an integer, found 1.5"},
      {"num_hidden_layers", 1e30, "num_hidden_layers must be an integer"},
      {"num_hidden_layers", 0, "num_hidden_layers must be > 0, found 0"},
      {"hidden_size", 4_000_000_000L, "hidden_size must be an integer, found 4000000000"},
      {"vocab_size", -5, "vocab_size must be > 0, found -5"},
      {"vocab_size", 7, "tensor 'embeddings.word_embeddings.weight' must have shape [7, 32]"},
      {"intermediate_size", 65, "must have shape [65, 32]"},
      {"layer_norm_eps", "NaN", "layer_norm_eps must be in (0, 1)"},
      {"pad_token_id", 100000, "pad_token_id must be in [0, vocab_size"},
      {"model_type", "mamba", "Unknown model type: 'mamba'"},
    };
    for (Object[] c : cases) {
      Files.copy(good.resolve("config.json"), dir.resolve("config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      setConfig(dir, (String) c[0], Json.MAPPER.valueToTree(c[1]));
      rejects(dir, (String) c[2]);
    }
    for (String text : new String[] {"", "{", "[]", "null", "\"bert\""}) {
      Files.writeString(dir.resolve("config.json"), text);
      rejects(dir, "config.json");
    }
  }

  @Test
  void load_goodCopy_stillLoads() throws Exception {
    try (EncoderModel m = Models.load(copy().toString())) {
      assertEquals(2, m.config().numLayers());
    }
  }
}
