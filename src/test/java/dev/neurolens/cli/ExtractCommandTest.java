package dev.neurolens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.activation.ActivationStore;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Models;
import dev.neurolens.model.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExtractCommandTest {
  @TempDir Path tmp;
  Path model;
  Path corpus;

  @BeforeEach
  void setUp() throws Exception {
    model = tmp.resolve("tiny-model");
    try (EncoderModel m = TinyModels.random(5)) {
      Models.export(m, model);
    }
    corpus = tmp.resolve("src");
    Files.createDirectories(corpus);
    Files.writeString(corpus.resolve("A.java"), """
        class A {
          int twice(int x) { return 2 * x; }
          void loop(int n) { for (int i = 0; i < n; i++) { System.out.println(i); } }
          String name() { return "a" + 1; }
        }
        """);
  }

  private static JsonNode run(int expectedStatus, String... args) throws Exception {
    return CliRun.json(expectedStatus, args);
  }

  @Test
  void benchExtract_figuresAreConsistent_firstSnippetTimed() throws Exception {
    Path kept = tmp.resolve("bench-store");
    JsonNode r = run(0, "bench", "extract", "--model", model.toString(), "--corpus", corpus.toString(), "--tokens", "20",
        "--keep", kept.toString(), "--json", "--quiet");
    assertEquals(r.get("extract_tokens_per_s").asDouble() / r.get("forward_tokens_per_s").asDouble(),
        r.get("ratio").asDouble(), 2e-3);
    double first = r.get("first_snippet_s").asDouble();
    double seconds = r.get("code_tokens").asDouble() / r.get("extract_tokens_per_s").asDouble();
    assertTrue(first >= 0 && first <= seconds * 1.01 + 0.01, "first snippet " + first + " s of " + seconds + " s");
    try (var s = dev.neurolens.activation.ActivationStore.open(kept)) {
      assertEquals(r.get("code_tokens").asLong(), s.tokenCount());
    }
  }

  @Test
  void extract_json_reportsCountsAndWritesStore() throws Exception {
    Path store = tmp.resolve("store");
    JsonNode r = run(0, "extract", "--model", model.toString(), "--corpus", corpus.toString(),
        "--lang", "java", "--task", "lexical,loops", "--out", store.toString(), "--json", "--quiet");
    for (String k : new String[] {"snippets", "tokens", "layers", "hidden", "tokens_per_s", "bytes"}) {
      assertTrue(r.has(k), "missing " + k + " in " + r);
    }
    assertEquals(3, r.get("snippets").asInt());
    assertEquals(TinyModels.LAYERS + 1, r.get("layers").asInt());
    assertEquals(TinyModels.HIDDEN, r.get("hidden").asInt());
    try (ActivationStore s = ActivationStore.open(store)) {
      assertEquals(r.get("tokens").asLong(), s.tokenCount());
      assertEquals(s.tokenCount(), s.labels("lexical").length);
      assertEquals(3, s.labels("loops").length);
    }
    // a second run without --overwrite refuses to replace the complete store
    run(2, "extract", "--model", model.toString(), "--corpus", corpus.toString(),
        "--lang", "java", "--task", "lexical", "--out", store.toString(), "--quiet");
  }

  @Test
  void extract_fromLabelOutput_matchesDirectLabelling() throws Exception {
    Path labels = tmp.resolve("labels");
    run(0, "label", "--corpus", corpus.toString(), "--lang", "java", "--task", "lexical",
        "--out", labels.toString(), "--quiet", "--json");
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    run(0, "extract", "--model", model.toString(), "--labels", labels.toString(),
        "--hooks", "blocks.*.mlp.pre", "--out", a.toString(), "--quiet", "--json");
    run(0, "extract", "--model", model.toString(), "--corpus", corpus.toString(), "--lang", "java",
        "--task", "lexical", "--hooks", "blocks.*.mlp.pre", "--out", b.toString(), "--quiet", "--json");
    try (ActivationStore sa = ActivationStore.open(a); ActivationStore sb = ActivationStore.open(b)) {
      assertEquals(TinyModels.LAYERS, sa.hooks().size());
      assertEquals(TinyModels.INTERMEDIATE, sa.width(sa.hooks().get(0)));
      assertEquals(sb.tokenCount(), sa.tokenCount());
      assertEquals(sb.labelNames("lexical"), sa.labelNames("lexical"));
      float[] x = new float[sa.tokenCount() * TinyModels.LAYERS * TinyModels.INTERMEDIATE];
      float[] y = x.clone();
      sa.view(sa.hooks()).read(0, sa.tokenCount(), x);
      sb.view(sb.hooks()).read(0, sb.tokenCount(), y);
      org.junit.jupiter.api.Assertions.assertArrayEquals(y, x);
    }
  }
}
