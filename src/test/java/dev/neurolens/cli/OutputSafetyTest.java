package dev.neurolens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.activation.ActivationStore;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Models;
import dev.neurolens.model.TinyModels;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's output rules, each on the input that broke them: nothing is deleted before the
 * inputs are validated, {@code --overwrite} touches only a NeuroLens store's own files, a
 * directory holding someone else's files is refused, the root is never written, NaN is no
 * fraction, exported weights get their siblings' mode, and running out of heap is one line.
 */
class OutputSafetyTest {
  @TempDir static Path tmp;
  static Path model;
  static Path corpus;

  @BeforeAll
  static void setUp() throws Exception {
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
        }
        """);
  }

  @Test
  void analyze_withTypoCorpus_keepsEarlierResults() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("analyze-out"));
    Files.writeString(out.resolve("results.json"), "{\"earlier\": true}");
    Files.writeString(out.resolve("report.html"), "<p>earlier</p>");
    String[] r = CliRun.exec(2, "analyze", "--model", model.toString(), "--corpus", tmp.resolve("typo").toString(),
        "--out", out.toString(), "--quiet");
    assertTrue(r[1].contains("typo"), r[1]);
    assertEquals("{\"earlier\": true}", Files.readString(out.resolve("results.json")));
    assertEquals("<p>earlier</p>", Files.readString(out.resolve("report.html")));
  }

  @Test
  void extractOverwrite_intoForeignManifest_refusesAndDeletesNothing() throws Exception {
    Path app = Files.createDirectories(tmp.resolve("webapp"));
    Files.writeString(app.resolve("manifest.json"), "{\"name\": \"my app\", \"icons\": []}");
    for (String d : List.of("labels", "columns", "chunks")) {
      Files.writeString(Files.createDirectories(app.resolve(d)).resolve("user.txt"), d);
    }
    String[] r = CliRun.exec(2, "extract", "--model", model.toString(), "--corpus", corpus.toString(), "--lang", "java",
        "--task", "lexical", "--out", app.toString(), "--overwrite", "--quiet");
    assertEquals(1, r[1].lines().count(), r[1]);
    assertTrue(r[1].contains("not a NeuroLens store manifest"), r[1]);
    for (String d : List.of("labels", "columns", "chunks")) {
      assertEquals(d, Files.readString(app.resolve(d).resolve("user.txt")));
    }
    assertEquals("{\"name\": \"my app\", \"icons\": []}", Files.readString(app.resolve("manifest.json")));
  }

  @Test
  void extractOverwrite_ofOurStore_replacesItButKeepsUserFiles() throws Exception {
    Path store = tmp.resolve("store");
    CliRun.exec(0, "extract", "--model", model.toString(), "--corpus", corpus.toString(), "--lang", "java",
        "--task", "lexical,loops", "--out", store.toString(), "--quiet");
    Files.writeString(store.resolve("labels").resolve("notes.txt"), "mine");
    Files.writeString(store.resolve("README"), "mine too");
    CliRun.exec(0, "extract", "--model", model.toString(), "--corpus", corpus.toString(), "--lang", "java",
        "--task", "lexical", "--out", store.toString(), "--overwrite", "--quiet");
    try (ActivationStore s = ActivationStore.open(store)) {
      assertEquals(List.of("lexical"), s.manifest().tasks().stream().map(t -> t.name()).toList());
    }
    assertEquals("mine", Files.readString(store.resolve("labels").resolve("notes.txt")));
    assertEquals("mine too", Files.readString(store.resolve("README")));
    // the label file of the task that is gone was the store's own: removed
    try (var files = Files.list(store.resolve("labels"))) {
      assertFalse(files.anyMatch(p -> p.getFileName().toString().contains("loops")));
    }
  }

  @Test
  void root_isNeverAnOutputDirectory() {
    NeuroLensException e = assertThrows(NeuroLensException.class, () -> OutPaths.directory("--out", Path.of("/")));
    assertTrue(e.getMessage().contains("filesystem root"), e.getMessage());
    // through the CLI (the corpus is a typo too, so a broken check could not write into / either)
    String[] r = CliRun.exec(2, "label", "--corpus", tmp.resolve("typo").toString(), "--task", "lexical", "--out", "/");
    assertTrue(r[1].contains("filesystem root"), r[1]);
  }

  @Test
  void label_intoForeignDirectory_refusedUnlessOverwrite_andRerunIntoOwnOutputAllowed() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("thesis"));
    Files.writeString(dir.resolve("chapter1.tex"), "text");
    String[] r = CliRun.exec(2, "label", "--corpus", corpus.toString(), "--lang", "java", "--task", "lexical",
        "--out", dir.toString(), "--quiet");
    assertTrue(r[1].contains("chapter1.tex") && r[1].contains("--overwrite"), r[1]);
    assertFalse(Files.exists(dir.resolve("labels.jsonl")));
    CliRun.exec(0, "label", "--corpus", corpus.toString(), "--lang", "java", "--task", "lexical",
        "--out", dir.toString(), "--quiet", "--overwrite");
    assertTrue(Files.exists(dir.resolve("labels.jsonl")));
    assertEquals("text", Files.readString(dir.resolve("chapter1.tex")));
    // a directory holding only an earlier label run's files is ours: no flag needed
    Path own = tmp.resolve("labels-own");
    CliRun.exec(0, "label", "--corpus", corpus.toString(), "--lang", "java", "--task", "lexical", "--out", own.toString(), "--quiet");
    CliRun.exec(0, "label", "--corpus", corpus.toString(), "--lang", "java", "--task", "lexical", "--out", own.toString(), "--quiet");
  }

  @Test
  void modelExport_refusesForeignDirectory_andWritesWeightsWithSiblingsMode() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("photos"));
    Files.writeString(dir.resolve("cat.jpg"), "meow");
    String[] r = CliRun.exec(2, "model", "export", "--model", model.toString(), "--out", dir.toString());
    assertTrue(r[1].contains("cat.jpg"), r[1]);
    assertFalse(Files.exists(dir.resolve("model.safetensors")));
    Path out = tmp.resolve("exported");
    CliRun.exec(0, "model", "export", "--model", model.toString(), "--out", out.toString(), "--quiet");
    String weights = PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("model.safetensors")));
    assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("config.json"))), weights);
    assertEquals("rw-r--r--", weights);
  }

  @Test
  void nonFiniteFractions_areRejectedNamingTheFlag() {
    String[] r = CliRun.exec(2, "label", "--corpus", corpus.toString(), "--task", "lexical",
        "--out", tmp.resolve("nan").toString(), "--dev", "NaN", "--test", "NaN");
    assertTrue(r[1].contains("--dev") && r[1].contains("NaN"), r[1]);
    r = CliRun.exec(2, "label", "--corpus", corpus.toString(), "--task", "lexical",
        "--out", tmp.resolve("nan").toString(), "--test", "Infinity");
    assertTrue(r[1].contains("--test") && r[1].contains("finite"), r[1]);
    assertFalse(Files.exists(tmp.resolve("nan")));
  }

  @Test
  void analyze_resultsCarryPathsRelativeToOut_unlessAsked() throws Exception {
    Path out = tmp.resolve("rel-out");
    String[] base = {"analyze", "--model", model.toString(), "--corpus", corpus.toString(), "--tasks", "lexical",
        "--pipeline", "none", "--skip-redundancy", "--epochs", "1", "--quiet"};
    CliRun.exec(0, concat(base, "--out", out.toString()));
    JsonNode r = Json.MAPPER.readTree(out.resolve("results.json").toFile());
    assertEquals("../src", r.path("corpus").path("spec").asText());
    assertEquals("../tiny-model", r.path("model").path("id").asText());
    assertEquals("store", r.path("extraction").path("store").asText());
    String html = Files.readString(out.resolve("report.html"));
    assertFalse(html.contains(tmp.toAbsolutePath().toString()), "report.html names the local folder");
    Path abs = tmp.resolve("abs-out");
    CliRun.exec(0, concat(base, "--out", abs.toString(), "--absolute-paths"));
    JsonNode a = Json.MAPPER.readTree(abs.resolve("results.json").toFile());
    assertEquals(corpus.toString(), a.path("corpus").path("spec").asText());
  }

  /**
   * A child JVM with a 24 MB heap labelling a JSONL corpus of 12 MB of code (2,400 distinct
   * 5 KB snippets, all held once read): one line naming the file being read, status 2, no labels written.
   */
  @Test
  void outOfMemory_isOneLineWithStatusTwo() throws Exception {
    Path jsonl = tmp.resolve("big.jsonl");
    String body = "x = x * 31 + 7; ".repeat(300);
    try (var w = Files.newBufferedWriter(jsonl)) {
      for (int i = 0; i < 2400; i++) {
        w.write(Json.line(java.util.Map.of("code", "int m" + i + "(int x) { " + body + "return x; }", "lang", "java")));
        w.write('\n');
      }
    }
    Path out = tmp.resolve("oom-out");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx24m", "-XX:+UseParallelGC", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "label", "--corpus", jsonl.toString(), "--max-snippets", "0", "--task", "lexical",
        "--out", out.toString(), "--quiet"));
    Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(2, p.exitValue(), err);
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.startsWith("neurolens: error: out of memory while ") && err.contains("NEUROLENS_HEAP"), err);
    assertTrue(err.contains("big.jsonl"), "names the input being read: " + err);
    assertFalse(Files.exists(out.resolve("labels.jsonl")));
  }

  private static String[] concat(String[] a, String... b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

}
