package dev.neurolens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.finetune.Example;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Models;
import dev.neurolens.model.TinyModels;
import dev.neurolens.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FinetuneCommandTest {
  @TempDir static Path tmp;
  static Path model;
  static Path classify;
  static Path search;

  static final String[] SMALL = {"--quiet", "--epochs", "1", "--lr", "2e-3", "--head-lr", "2e-2", "--max-length", "32",
    "--max-query-length", "16", "--batch-size", "16", "--batch-tokens", "1024", "--dropout", "0", "--pooling", "mean",
    "--dev-size", "20", "--test-size", "40"};

  @BeforeAll
  static void setUp() throws Exception {
    model = tmp.resolve("tiny-model");
    try (EncoderModel m = TinyModels.random(7)) {
      Models.export(m, model);
    }
    classify = tmp.resolve("classify.jsonl");
    List<String> lines = new ArrayList<>();
    for (Example e : dev.neurolens.finetune.FineTunerTestAccess.separable(160, 2)) {
      lines.add(Json.line(Map.of("code", e.a(), "label", e.label())));
    }
    Files.write(classify, lines);
    search = tmp.resolve("search.jsonl");
    Random r = new Random(4);
    String[] words = {"get", "set", "value", "name", "list", "map", "string", "int"};
    List<String> pairs = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      String a = words[r.nextInt(words.length)];
      String b = words[r.nextInt(words.length)];
      pairs.add(Json.line(Map.of("query", a + " the " + b + " " + i, "code", "int " + a + " ( ) { return " + b + " ; } // " + i)));
    }
    Files.write(search, pairs);
  }

  private static String[] args(String... head) {
    List<String> all = new ArrayList<>(List.of(head));
    all.addAll(List.of(SMALL));
    return all.toArray(String[]::new);
  }

  @Test
  void finetune_classify_printsTheContract_andTheTunedModelLoadsAsModel() throws Exception {
    Path out = tmp.resolve("tuned");
    JsonNode j = CliRun.json(0, args("finetune", "--model", model.toString(), "--task", "classify", "--data",
        classify.toString(), "--freeze", "1", "--out", out.toString(), "--json"));
    assertTrue(j.get("trainable_parameters").asLong() < j.get("total_parameters").asLong());
    assertTrue(j.get("trainable_parameters").asLong() > 0);
    assertTrue(j.get("seconds_per_epoch").asDouble() > 0);
    assertEquals("macro_f1", j.get("dev").get("metric").asText());
    assertEquals("macro_f1", j.get("test").get("metric").asText());
    assertTrue(j.get("test").get("value").asDouble() >= 0);
    assertFalse(j.has("zero_shot"));
    assertEquals(out.toAbsolutePath().toString(), j.get("model_dir").asText());
    for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "head.safetensors", "training.json")) {
      assertTrue(Files.isRegularFile(out.resolve(f)), f);
    }
    JsonNode info = CliRun.json(0, "model", "info", "--model", out.toString(), "--json");
    JsonNode base = CliRun.json(0, "model", "info", "--model", model.toString(), "--json");
    assertEquals(base.get("parameters"), info.get("parameters"));
    assertFalse(base.get("weight_checksum").equals(info.get("weight_checksum")), "the tuned weights must differ");
  }

  @Test
  void finetune_codeSearch_reportsZeroShot() throws Exception {
    JsonNode j = CliRun.json(0, args("finetune", "--model", model.toString(), "--task", "code-search", "--data",
        search.toString(), "--freeze", "none", "--out", tmp.resolve("search-out").toString(), "--json"));
    assertEquals("mrr", j.get("zero_shot").get("metric").asText());
    double mrr = j.get("test").get("value").asDouble();
    assertTrue(mrr > 0 && mrr <= 1, "mrr " + mrr);
    assertEquals(j.get("test_metrics").get("pool").asInt(), 40);
  }

  @Test
  void sweep_tabulatesEverySetting_writesJsonAndReport_andReusesFinishedRuns() throws Exception {
    Path out = tmp.resolve("sweep");
    String[] a = args("finetune", "sweep", "--model", model.toString(), "--task", "classify", "--data", classify.toString(),
        "--freeze", "none,0,1", "--out", out.toString(), "--json");
    JsonNode j = CliRun.json(0, a);
    JsonNode rows = j.get("rows");
    assertEquals(3, rows.size());
    assertEquals(List.of("none", "0", "1"), List.of(rows.get(0).get("freeze").asText(), rows.get(1).get("freeze").asText(),
        rows.get(2).get("freeze").asText()));
    assertEquals(0.0, rows.get(0).get("delta_vs_full").asDouble(), 0.0);
    assertTrue(rows.get(0).get("trainable_parameters").asLong() > rows.get(1).get("trainable_parameters").asLong());
    assertTrue(rows.get(1).get("trainable_parameters").asLong() > rows.get(2).get("trainable_parameters").asLong());
    for (JsonNode row : rows) {
      assertEquals(100 * (row.get("test").asDouble() - rows.get(0).get("test").asDouble()), row.get("delta_vs_full").asDouble(), 1e-9);
    }
    assertTrue(j.get("finding").asText().length() > 20);
    String html = Files.readString(out.resolve("sweep.html"));
    assertTrue(html.contains("<svg") && html.contains("freeze sweep"), "sweep.html lacks its charts");
    assertEquals(j, Json.MAPPER.readTree(out.resolve("sweep.json").toFile()));
    // the same command again reads the finished runs: the same table
    String[] again = CliRun.exec(0, a);
    assertEquals(j.get("rows"), Json.MAPPER.readTree(again[0]).get("rows"));
    assertTrue(again[1].contains("already done"), again[1]);
  }

  @Test
  void badInput_oneLine_nonZero_noOutputLeft() {
    Path out = tmp.resolve("bad");
    String[] r = CliRun.exec(2, "finetune", "--model", model.toString(), "--task", "classify", "--data", classify.toString(),
        "--freeze", "some", "--out", out.toString());
    assertTrue(r[1].contains("--freeze: must be 'none' or a number"), r[1]);
    r = CliRun.exec(2, "finetune", "--model", model.toString(), "--task", "pairs", "--out", out.toString());
    assertTrue(r[1].contains("needs --data FILE.jsonl"), r[1]);
    r = CliRun.exec(2, "finetune", "--model", model.toString(), "--task", "classify", "--data", classify.toString(),
        "--freeze", "7", "--out", out.toString());
    assertTrue(r[1].contains("--freeze: must be 'none' or 0..2"), r[1]);
    assertFalse(Files.exists(out), "a failed run left " + out);
  }

  @Test
  void benchTrain_printsTrainingAndForwardRates() throws Exception {
    JsonNode j = CliRun.json(0, "bench", "train", "--model", model.toString(), "--batch", "4", "--seq", "16", "--rounds",
        "1", "--freeze", "1", "--json");
    JsonNode r = j.get("result");
    assertTrue(r.get("train_tokens_per_s").asDouble() > 0);
    assertEquals(r.get("train_tokens_per_s").asDouble() / r.get("forward_tokens_per_s").asDouble(), r.get("ratio").asDouble(), 1e-9);
    assertEquals("1", r.get("freeze").asText());
  }
}
