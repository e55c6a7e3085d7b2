package dev.neurolens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.neurolens.model.bert.BertCheckpoint;
import dev.neurolens.model.safetensors.Safetensors;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hugging Face directories: the RoBERTa path, and bad input. */
class HfDirectoryTest {
  @TempDir Path tmp;

  Path exportTiny(String name) {
    Path dir = tmp.resolve(name);
    try (EncoderModel m = TinyModels.random(5)) {
      Models.export(m, dir);
    }
    return dir;
  }

  void editConfig(Path dir, String key, Object value) throws Exception {
    ObjectNode c = (ObjectNode) Json.MAPPER.readTree(dir.resolve("config.json").toFile());
    c.set(key, Json.MAPPER.valueToTree(value));
    Files.writeString(dir.resolve("config.json"), c.toString());
  }

  @Test
  void load_sameWeightsAsRobertaCheckpoint_sameHiddenStatesAsBert() throws Exception {
    ModelConfig bc = TinyModels.config(2, 32, 4, 64);
    Map<String, FloatTensor> w = TinyModels.randomWeights(bc, 5);
    // RoBERTa: position table shifted by padding_idx + 1 rows (pad 0 -> one extra row), one token type.
    FloatTensor pos = w.get(BertCheckpoint.POSITION);
    float[] shifted = new float[pos.data().length + 32];
    System.arraycopy(pos.data(), 0, shifted, 32, pos.data().length);
    Map<String, FloatTensor> rw = new LinkedHashMap<>();
    for (var e : w.entrySet()) {
      rw.put("roberta." + e.getKey(), e.getValue());
    }
    rw.put("roberta." + BertCheckpoint.POSITION, new FloatTensor(new long[] {129, 32}, shifted));
    FloatTensor type = w.get(BertCheckpoint.TOKEN_TYPE);
    rw.put("roberta." + BertCheckpoint.TOKEN_TYPE,
        new FloatTensor(new long[] {1, 32}, java.util.Arrays.copyOf(type.data(), 32)));
    Path dir = exportTiny("roberta");
    Safetensors.write(dir.resolve("model.safetensors"), rw);
    editConfig(dir, "model_type", "roberta");
    editConfig(dir, "max_position_embeddings", 129);
    editConfig(dir, "type_vocab_size", 1);
    try (EncoderModel bert = TinyModels.random(5);
        EncoderModel roberta = Models.load(dir.toString());
        NDManager m = NDManager.newBaseManager()) {
      assertEquals("roberta", roberta.config().modelType());
      assertEquals(128, roberta.tokenizer().maxTokens());
      List<int[]> rows = List.of(bert.tokenizer().encode("while (it.hasNext()) it.next();").ids(),
          bert.tokenizer().encode("x").ids());
      TokenBatch batch = new TokenBatch(rows);
      float[][][] a = Arrays3.of(bert.forward(m, batch));
      float[][][] b = Arrays3.of(roberta.forward(m, batch));
      for (int r = 0; r < rows.size(); r++) {
        assertTrue(Arrays3.maxDiff(a[r], b[r], rows.get(r).length) < 1e-5, "row " + r);
      }
      ReferenceBert ref = new ReferenceBert(roberta.config(), BertCheckpoint.canonicalize(rw, "test")).run(rows.get(0));
      assertTrue(Arrays3.maxDiff(b[0], ref.hidden[2], rows.get(0).length) < 1e-4);
    }
  }

  @Test
  void load_headsNotDividingHidden_namesConfigAndValues() throws Exception {
    Path dir = exportTiny("heads");
    editConfig(dir, "num_attention_heads", 5);
    NeuroLensException e = assertThrows(NeuroLensException.class, () -> Models.load(dir.toString()));
    assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("num_attention_heads (5) must divide hidden_size (32)"),
        e.getMessage());
  }

  @Test
  void load_tokenizerIdsBeyondVocab_namesTokenizer() throws Exception {
    Path dir = exportTiny("vocab");
    ObjectNode tok = (ObjectNode) Json.MAPPER.readTree(dir.resolve("tokenizer.json").toFile());
    ((ObjectNode) tok.path("model").path("vocab")).put("zzzz", 500);
    Files.writeString(dir.resolve("tokenizer.json"), tok.toString());
    NeuroLensException e = assertThrows(NeuroLensException.class, () -> Models.load(dir.toString()));
    assertTrue(e.getMessage().contains("tokenizer.json") && e.getMessage().contains("500"), e.getMessage());
  }

  @Test
  void load_missingOrCorruptFiles_clearErrors() throws Exception {
    Path dir = exportTiny("broken");
    byte[] st = Files.readAllBytes(dir.resolve("model.safetensors"));
    Files.write(dir.resolve("model.safetensors"), java.util.Arrays.copyOf(st, st.length / 2));
    NeuroLensException e = assertThrows(NeuroLensException.class, () -> Models.load(dir.toString()));
    assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    Files.delete(dir.resolve("model.safetensors"));
    e = assertThrows(NeuroLensException.class, () -> Models.load(dir.toString()));
    assertTrue(e.getMessage().contains("no model.safetensors"), e.getMessage());
    Files.delete(dir.resolve("config.json"));
    e = assertThrows(NeuroLensException.class, () -> Models.load(dir.toString()));
    assertTrue(e.getMessage().contains("config.json: missing"), e.getMessage());
  }

  @Test
  void load_corruptOnnx_clearError() throws Exception {
    Path onnx = tmp.resolve("model.onnx");
    Files.write(onnx, new byte[] {1, 2, 3, 4, 5});
    Files.writeString(tmp.resolve("tokenizer.json"), TinyVocab.json());
    NeuroLensException e = assertThrows(NeuroLensException.class, () -> Models.load(onnx.toString()));
    assertTrue(e.getMessage().contains("model.onnx"), e.getMessage());
  }
}
