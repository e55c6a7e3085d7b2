package dev.neurolens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.finetune.Datasets;
import dev.neurolens.finetune.DownstreamTask;
import dev.neurolens.finetune.FineTuner;
import dev.neurolens.finetune.FinetuneOptions;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Models;
import dev.neurolens.model.TinyModels;
import dev.neurolens.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `compare` and `analyze --compare-with` on a tiny model and its own fine-tuned version. */
class CompareCommandTest {
  @TempDir static Path tmp;
  static Path base;
  static Path tuned;
  static Path corpus;

  @BeforeAll
  static void setUp() throws Exception {
    base = tmp.resolve("base");
    tuned = tmp.resolve("tuned");
    try (EncoderModel m = TinyModels.random(7)) {
      Models.export(m, base);
      // embeddings and block 0 frozen: only block 1 (layer 2) can change
      FineTuner.run(m, Datasets.split(DownstreamTask.parse("classify"), "synthetic",
              dev.neurolens.finetune.FineTunerTestAccess.separable(300, 5), new Datasets.Sizes(30, 30, 0), 3),
          FinetuneOptions.defaults().withFreeze(1).withEpochs(2).withLearningRates(5e-3f, 2e-2f).withBatch(16, 2048)
              .withLengths(32, 16).withPooling("mean"), tuned, s -> { });
    }
    corpus = tmp.resolve("src");
    Files.createDirectories(corpus);
    for (int i = 0; i < 12; i++) {
      Files.writeString(corpus.resolve("C" + i + ".java"), """
          class C%d {
            int twice(int x) { if (x > %d) { return 2 * x; } return x - 1; }
            void loop(int n) { for (int i = 0; i < n; i++) { while (n > i) { n--; } } }
            String name(String s) { return "c" + s + %d; }
          }
          """.formatted(i, i, i));
    }
  }

  private static String[] compare(String a, String b, Path out) {
    return new String[] {"compare", "--base", a, "--tuned", b, "--corpus", corpus.toString(), "--max-snippets", "0",
      "--tasks", "lexical", "--epochs", "2", "--out", out.toString(), "--json", "--quiet"};
  }

  @Test
  void aModelAgainstItself_isUnchanged_andZeroRelocation() throws Exception {
    JsonNode j = CliRun.json(0, compare(base.toString(), base.toString(), tmp.resolve("self")));
    assertEquals(TinyModels.LAYERS + 1, j.get("layers").size());
    for (JsonNode l : j.get("layers")) {
      for (String f : new String[] {"rsa_spearman", "rsa_pearson", "cka", "token_cosine", "neuron_self_correlation_median"}) {
        assertEquals(1.0, l.get(f).asDouble(), 1e-6, f + " of layer " + l.get("layer"));
      }
    }
    JsonNode rel = j.get("relocation").get(0);
    assertEquals(0.0, rel.get("mean_layer_shift").asDouble(), 0.0);
    assertEquals(1.0, rel.get("top_overlap").asDouble(), 0.0);
    assertEquals(rel.get("base_histogram"), rel.get("tuned_histogram"));
    JsonNode task = j.get("tasks").get(0);
    assertEquals(task.get("base"), task.get("tuned"));
    assertEquals(String.valueOf(TinyModels.LAYERS - 1), j.get("freeze_advice").get("suggested_freeze").asText());
  }

  @Test
  void frozenLayersStayIdentical_theTrainedTopMoves_andTheContractHolds() throws Exception {
    Path out = tmp.resolve("cmp");
    JsonNode j = CliRun.json(0, compare(base.toString(), tuned.toString(), out));
    JsonNode layers = j.get("layers");
    for (int l = 0; l <= 1; l++) {
      assertEquals(1.0, layers.get(l).get("rsa_spearman").asDouble(), 1e-9, "layer " + l + " is frozen");
      assertEquals(1.0, layers.get(l).get("token_cosine").asDouble(), 1e-6, "layer " + l + " is frozen");
    }
    assertTrue(layers.get(2).get("token_cosine").asDouble() < 0.9999, "the trained block must change: " + layers.get(2));
    for (String f : new String[] {"layer", "rsa_spearman", "rsa_pearson", "cka", "token_cosine", "neuron_self_correlation_median"}) {
      assertTrue(layers.get(2).has(f), f);
    }
    JsonNode rel = j.get("relocation").get(0);
    for (String f : new String[] {"base_histogram", "tuned_histogram", "mean_layer_shift", "top_overlap"}) {
      assertTrue(rel.has(f), f);
    }
    assertEquals(3, j.get("tasks").get(0).get("base").size());
    assertTrue(j.get("freeze_advice").has("suggested_freeze"));
    assertTrue(Files.readString(out.resolve("compare.html")).contains("Fine-tuning: what changed"));
    // the same comparison from the two stores it left
    JsonNode fromStores = CliRun.json(0, "compare", "--base-store", out.resolve("store-base").toString(), "--tuned-store",
        out.resolve("store-tuned").toString(), "--tasks", "lexical", "--epochs", "2", "--out", tmp.resolve("cmp2").toString(),
        "--json", "--quiet");
    assertEquals(j.get("layers"), fromStores.get("layers"));
  }

  @Test
  void differentArchitectures_areRefusedInOneLine() throws Exception {
    Path other = tmp.resolve("three-layers");
    try (EncoderModel m = TinyModels.random(9, 3, 32, 4, 64)) {
      Models.export(m, other);
    }
    String[] r = CliRun.exec(2, compare(base.toString(), other.toString(), tmp.resolve("bad")));
    assertTrue(r[1].contains("differ in architecture"), r[1]);
    assertEquals(1, r[1].lines().count(), r[1]);
  }

  @Test
  void analyze_compareWith_addsTheSectionToResultsAndReport() throws Exception {
    Path out = tmp.resolve("analyze");
    CliRun.exec(0, "analyze", "--model", tuned.toString(), "--compare-with", base.toString(), "--corpus", corpus.toString(),
        "--tasks", "lexical", "--max-snippets", "0", "--epochs", "2", "--skip-redundancy", "--pipeline", "none",
        "--neurons-per-class", "0", "--out", out.toString(), "--quiet");
    JsonNode r = Json.MAPPER.readTree(out.resolve("results.json").toFile());
    JsonNode c = r.get("comparison");
    assertEquals(TinyModels.LAYERS + 1, c.get("layers").size());
    // the tuned side's probes are the analysis's own
    assertEquals(r.get("tasks").get(0).get("layers"), c.get("tasks").get(0).get("tuned"));
    assertTrue(Files.readString(out.resolve("report.html")).contains("Fine-tuning: what changed"));
  }

  @Test
  void compareSweep_putsTheRsaAdviceBesideTheMeasuredBestK() throws Exception {
    Path sweep = tmp.resolve("sweep");
    Path classify = tmp.resolve("classify.jsonl");
    java.util.List<String> lines = new java.util.ArrayList<>();
    for (dev.neurolens.finetune.Example e : dev.neurolens.finetune.FineTunerTestAccess.separable(120, 2)) {
      lines.add(Json.line(java.util.Map.of("code", e.a(), "label", e.label())));
    }
    Files.write(classify, lines);
    CliRun.exec(0, "finetune", "sweep", "--model", base.toString(), "--task", "classify", "--data", classify.toString(),
        "--freeze", "none,1", "--epochs", "1", "--max-length", "32", "--batch-tokens", "1024", "--dev-size", "20",
        "--test-size", "20", "--out", sweep.toString(), "--quiet");
    String[] noSweep = CliRun.exec(2, "compare", "--base", base.toString(), "--tuned", tuned.toString(), "--sweep",
        tmp.resolve("nowhere").toString(), "--out", tmp.resolve("x").toString());
    assertTrue(noSweep[1].contains("no sweep.json"), noSweep[1]);
    String[] r = CliRun.exec(0, "compare", "--base", base.toString(), "--tuned", sweep.resolve("freeze-none").toString(),
        "--corpus", corpus.toString(), "--max-snippets", "0", "--tasks", "lexical", "--epochs", "1", "--sweep",
        sweep.toString(), "--out", tmp.resolve("cmp-sweep").toString(), "--json", "--quiet");
    JsonNode advice = Json.MAPPER.readTree(r[0]).get("freeze_advice");
    JsonNode table = Json.MAPPER.readTree(sweep.resolve("sweep.json").toFile());
    assertEquals(advice, table.get("rsa_advice"));
    assertTrue(Files.readString(sweep.resolve("sweep.html")).contains("RSA advice: --freeze " + advice.get("suggested_freeze").asText()));
  }
}
