package dev.neurolens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.model.FloatTensor;
import dev.neurolens.model.TinyFamilies;
import dev.neurolens.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code analyze}, {@code model info} and {@code bench forward} on tiny GPT-2 and T5-encoder directories. */
class DecoderCliTest {
  @TempDir static Path tmp;
  static Path gpt2;
  static Path t5;
  static Path corpus;

  @BeforeAll
  static void setUp() throws Exception {
    gpt2 = TinyFamilies.gpt2(tmp.resolve("gpt2"), 7, TinyFamilies.Spec.small());
    t5 = TinyFamilies.t5(tmp.resolve("t5"), 7, TinyFamilies.Spec.small(), true);
    corpus = tmp.resolve("src");
    Files.createDirectories(corpus);
    for (int i = 0; i < 8; i++) {
      Files.writeString(corpus.resolve("B" + i + ".java"), """
          class B%d {
          \tint twice(int x) { if (x > %d) { return 2 * x; } return x - 1; }
            void loop(int n) { for (int i = 0; i < n; i++) { while (n > i) { n--; } } }
            String name(String s) { return "b\u00e9" + s + %d; }
          }
          """.formatted(i, i, i));
    }
  }

  /** Parameters as the checkpoint file holds them, encoder/decoder tensors the model reads only. */
  private static long parameters(Path dir, String skipPrefix) {
    long n = 0;
    for (Map.Entry<String, FloatTensor> e : TinyFamilies.checkpoint(dir).entrySet()) {
      if (!e.getKey().startsWith(skipPrefix)) {
        n += e.getValue().data().length;
      }
    }
    return n;
  }

  private static JsonNode analyze(Path model, String name) throws Exception {
    Path out = tmp.resolve("out-" + name);
    CliRun.exec(0, "analyze", "--model", model.toString(), "--corpus", corpus.toString(), "--tasks",
        "lexical,structural", "--max-snippets", "0", "--epochs", "2", "--out", out.toString(), "--quiet");
    assertTrue(Files.isRegularFile(out.resolve("report.html")));
    JsonNode r = Json.MAPPER.readTree(out.resolve("results.json").toFile());
    assertEquals(3, r.get("model").get("layers").asInt() + 1);
    for (JsonNode task : r.get("tasks")) {
      assertEquals(3, task.get("layers").size(), "embed.out and two blocks");
      for (JsonNode layer : task.get("layers")) {
        double test = layer.get("test").asDouble();
        assertTrue(test >= 0 && test <= 1, "test score " + test);
        assertEquals(test - layer.get("control_test").asDouble(), layer.get("selectivity").asDouble(), 1e-9);
      }
    }
    JsonNode cka = r.get("cka").get("matrix");
    for (int i = 0; i < 3; i++) {
      assertEquals(1.0, cka.get(i).get(i).asDouble(), 1e-4);
    }
    assertTrue(r.get("corpus").get("tokens").asInt() > 100);
    return r;
  }

  @Test
  void analyze_tinyGpt2_everySectionForTheDecoder() throws Exception {
    JsonNode r = analyze(gpt2, "gpt2");
    assertEquals("gpt2", r.get("model").get("type").asText());
    // the model counts what it holds: the checkpoint minus the tied lm_head (stored once, as wte)
    assertEquals(parameters(gpt2, "lm_head."), r.get("model").get("parameters").asLong());
  }

  @Test
  void analyze_tinyT5Encoder_everySectionForTheEncoder() throws Exception {
    JsonNode r = analyze(t5, "t5");
    assertEquals("t5", r.get("model").get("type").asText());
    assertEquals(parameters(t5, "decoder."), r.get("model").get("parameters").asLong());
  }

  @Test
  void modelInfo_gpt2_familyMemoryAndHooks() throws Exception {
    JsonNode j = CliRun.json(0, "model", "info", "--model", gpt2.toString(), "--json");
    assertEquals("GPT-2 decoder", j.get("family").asText());
    assertTrue(j.get("causal").asBoolean());
    assertEquals(13, j.get("hook_names").size());
    assertEquals(4 * j.get("parameters").asLong(), j.get("weight_bytes").asLong());
    String human = CliRun.exec(0, "model", "info", "--model", t5.toString())[0];
    assertTrue(human.contains("T5 encoder (t5)") && human.contains("memory: weights") && human.contains("T5[numBuckets=8"),
        human);
    // the attention path is shown, and agrees with the JSON
    assertTrue(j.get("attention_fused").asBoolean(), j.toString());
    assertTrue(human.contains("attention: fused (PyTorch scaled_dot_product_attention)"), human);
  }

  @Test
  void benchForward_modelDirectory_timesNeuroLensAlone() throws Exception {
    JsonNode j = CliRun.json(0, "bench", "forward", "--model", gpt2.toString(), "--batch", "2", "--seq", "8",
        "--iterations", "1", "--threads", "1", "--json");
    assertTrue(j.get("neurolens_tokens_per_s").asDouble() > 0);
    assertEquals("GPT-2 decoder", j.get("family").asText());
    assertFalse(j.has("onnxruntime_tokens_per_s"));
  }
}
