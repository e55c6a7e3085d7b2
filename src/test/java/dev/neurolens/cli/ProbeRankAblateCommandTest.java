package dev.neurolens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Models;
import dev.neurolens.model.TinyModels;
import dev.neurolens.probe.Probe;
import dev.neurolens.probe.ProbeIO;
import dev.neurolens.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProbeRankAblateCommandTest {
  static final int LAYERS = TinyModels.LAYERS + 1;
  static final int FEATURES = LAYERS * TinyModels.HIDDEN;

  @TempDir static Path tmp;
  static Path store;

  @BeforeAll
  static void buildStore() throws Exception {
    Path model = tmp.resolve("tiny-model");
    try (EncoderModel m = TinyModels.random(5)) {
      Models.export(m, model);
    }
    Path corpus = tmp.resolve("src");
    Files.createDirectories(corpus);
    for (int i = 0; i < 6; i++) {
      Files.writeString(corpus.resolve("A" + i + ".java"), """
          class A%d {
            int twice(int x) { return 2 * x + %d; }
            void loop(int n) { for (int i = 0; i < n; i++) { System.out.println(i); } }
            String name() { return "a" + %d; }
          }
          """.formatted(i, i, i));
    }
    store = tmp.resolve("store");
    assertEquals(0, Main.commandLine().execute("extract", "--model", model.toString(), "--corpus",
        corpus.toString(), "--lang", "java", "--task", "lexical", "--out", store.toString(), "--quiet"));
  }

  private static String[] exec(int expectedStatus, String... args) {
    return CliRun.exec(expectedStatus, args);
  }

  private static JsonNode json(String... args) throws Exception {
    return Json.MAPPER.readTree(exec(0, args)[0]);
  }

  private static void assertScore(JsonNode v) {
    assertTrue(v.isNumber() && v.asDouble() >= 0 && v.asDouble() <= 1, "score " + v);
  }

  @Test
  void probe_allLayersWithControl_reportsEachLayerOracleAndWritesProbes() throws Exception {
    Path out = tmp.resolve("probe-out");
    JsonNode r = json("probe", "--store", store.toString(), "--task", "lexical", "--control",
        "--epochs", "3", "--out", out.toString(), "--json", "--quiet");
    assertEquals("lexical", r.get("task").asText());
    assertEquals(LAYERS, r.get("layers").size());
    for (int l = 0; l < LAYERS; l++) {
      JsonNode e = r.get("layers").get(l);
      assertEquals(l, e.get("layer").asInt());
      for (String k : new String[] {"train", "test", "control_test"}) {
        assertScore(e.get(k));
      }
      assertEquals(e.get("test").asDouble() - e.get("control_test").asDouble(),
          e.get("selectivity").asDouble(), 1e-9);
    }
    assertScore(r.get("oracle").get("test"));
    assertEquals(-1, r.get("oracle").get("layer").asInt());
    for (String k : new String[] {"majority", "type_lookup", "control_type_lookup", "seen_types"}) {
      assertScore(r.get("baselines").get(k));
    }
    JsonNode file = Json.MAPPER.readTree(out.resolve("probe.json").toFile());
    assertEquals(LAYERS, file.get("layers").size());
    Probe oracle = ProbeIO.load(out.resolve("probes/oracle.json"));
    assertEquals(FEATURES, oracle.featureIds().length);
    assertEquals(TinyModels.HIDDEN, ProbeIO.load(out.resolve("probes/layer_1.json")).featureIds().length);
  }

  @Test
  void probe_incremental_listsOneEntryPerLastLayerAndNoOracle() throws Exception {
    JsonNode r = json("probe", "--store", store.toString(), "--task", "lexical", "--layers", "incremental",
        "--epochs", "1", "--out", tmp.resolve("inc").toString(), "--json", "--quiet");
    assertEquals(LAYERS, r.get("layers").size());
    assertFalse(r.has("oracle"));
    assertTrue(r.get("layers").get(0).get("control_test").isNull());
    String human = exec(0, "probe", "--store", store.toString(), "--task", "lexical", "--layers", "each",
        "--epochs", "1", "--out", tmp.resolve("each").toString(), "--quiet")[0];
    assertTrue(human.contains("layer_0") && human.contains("probe.json"), human);
  }

  @Test
  void rankThenAblate_lca_fullPermutationAndAblationCurve() throws Exception {
    Path out = tmp.resolve("rank-lca");
    JsonNode r = json("rank", "--store", store.toString(), "--task", "lexical", "--method", "lca",
        "--top", "10", "--epochs", "2", "--out", out.toString(), "--json");
    assertEquals(10, r.get("top").size());
    int sum = 0;
    for (JsonNode c : r.get("layer_distribution")) {
      sum += c.asInt();
    }
    assertEquals(10, sum);
    assertEquals(LAYERS, r.get("layer_distribution").size());
    JsonNode n0 = r.get("top").get(0);
    assertTrue(n0.get("layer").asInt() >= 0 && n0.get("layer").asInt() < LAYERS);
    assertTrue(n0.get("index").asInt() >= 0 && n0.get("index").asInt() < TinyModels.HIDDEN);
    assertEquals(n0.get("layer").asInt() * TinyModels.HIDDEN + n0.get("index").asInt(), n0.get("feature").asInt());
    JsonNode file = Json.MAPPER.readTree(out.resolve("ranking.json").toFile());
    Set<Integer> ids = new HashSet<>();
    for (JsonNode id : file.get("ordering")) {
      ids.add(id.asInt());
    }
    assertEquals(FEATURES, file.get("ordering").size());
    assertEquals(FEATURES, ids.size());
    assertEquals(0, ids.stream().mapToInt(Integer::intValue).min().getAsInt());
    assertEquals(FEATURES - 1, ids.stream().mapToInt(Integer::intValue).max().getAsInt());

    JsonNode a = json("ablate", "--store", store.toString(), "--task", "lexical", "--ranking",
        out.resolve("ranking.json").toString(), "--percents", "10,50", "--epochs", "1", "--json");
    assertEquals(6, a.get("entries").size());
    assertScore(a.get("baseline"));
    for (JsonNode e : a.get("entries")) {
      assertScore(e.get("keep_zeroed"));
      assertScore(e.get("keep_retrained"));
      assertScore(e.get("remove_zeroed"));
      int expected = (int) Math.round(e.get("percent").asDouble() / 100 * FEATURES);
      assertEquals(expected, e.get("neurons").asInt());
    }
    String human = exec(0, "ablate", "--store", store.toString(), "--task", "lexical", "--ranking",
        out.resolve("ranking.json").toString(), "--percents", "10", "--no-retrain", "--epochs", "1")[0];
    assertTrue(human.contains("baseline") && human.contains("bottom"), human);
  }

  @Test
  void rank_otherMethods_rankEveryFeature() throws Exception {
    for (String m : new String[] {"probeless", "random", "gaussian"}) {
      Path out = tmp.resolve("rank-" + m);
      JsonNode r = json("rank", "--store", store.toString(), "--task", "lexical", "--method", m,
          "--top", "5", "--out", out.toString(), "--json");
      assertEquals(5, r.get("top").size(), m);
      JsonNode file = Json.MAPPER.readTree(out.resolve("ranking.json").toFile());
      assertEquals(FEATURES, file.get("ordering").size(), m);
    }
    String human = exec(0, "rank", "--store", store.toString(), "--task", "lexical", "--method", "probeless",
        "--top", "3", "--out", tmp.resolve("rank-human").toString())[0];
    assertTrue(human.contains("layer distribution of the top"), human);
    // ap needs a class
    exec(2, "rank", "--store", store.toString(), "--task", "lexical", "--method", "ap",
        "--out", tmp.resolve("rank-ap").toString());
  }

  @Test
  void probe_unknownTask_exits2WithOneLineAndWritesNothing() {
    Path out = tmp.resolve("bad");
    String[] r = exec(2, "probe", "--store", store.toString(), "--task", "nope", "--out", out.toString(), "--json");
    assertEquals("", r[0]);
    assertEquals(1, r[1].lines().count(), r[1]);
    assertTrue(r[1].contains("no task 'nope'"), r[1]);
    assertFalse(Files.exists(out.resolve("probe.json")));
  }

  @Test
  void ablate_badRankingFile_exits2() throws Exception {
    Path bad = tmp.resolve("bad-ranking.json");
    Files.writeString(bad, "{\"method\":\"lca\",\"ordering\":[1,1]}");
    String[] r = exec(2, "ablate", "--store", store.toString(), "--task", "lexical", "--ranking", bad.toString());
    assertEquals(1, r[1].lines().count(), r[1]);
  }

  @Test
  void ablateModel_rankingTopNeurons_reportsLossCkaAndRandomBaseline() throws Exception {
    Path ranking = tmp.resolve("model-ranking.json");
    Files.writeString(ranking, "{\"top\":[{\"hook\":\"blocks.0.resid_post\",\"index\":3,\"layer\":1},"
        + "{\"hook\":\"blocks.1.resid_post\",\"index\":7,\"layer\":2},"
        + "{\"hook\":\"blocks.1.resid_post\",\"index\":9,\"layer\":2}]}");
    JsonNode r = json("ablate", "--model", tmp.resolve("tiny-model").toString(), "--neurons", ranking.toString(),
        "--top", "2", "--mode", "mean", "--corpus", tmp.resolve("src").toString(), "--max-snippets", "4", "--json");
    assertEquals("mean", r.get("mode").asText());
    assertEquals(2, r.get("neurons").asInt());
    assertEquals(1, r.get("perHook").get("blocks.0.resid_post").asInt());
    assertTrue(r.get("maskedTokens").asInt() > 0);
    for (String k : new String[] {"target", "random"}) {
      JsonNode e = r.get(k);
      assertScore(e.get("cka"));
      assertTrue(e.get("lossDelta").isNumber(), k + " " + e);
      assertEquals(e.get("loss").asDouble() - r.get("cleanLoss").asDouble(), e.get("lossDelta").asDouble(), 1e-9);
    }
  }

  @Test
  void ablateModel_badNeuronSpec_exits2OneLine() {
    String[] r = exec(2, "ablate", "--model", tmp.resolve("tiny-model").toString(), "--neurons", "blocks.0.resid_post=3");
    assertEquals(1, r[1].lines().count(), r[1]);
    assertTrue(r[1].contains("hook:index"), r[1]);
    String[] none = exec(2, "ablate", "--neurons", "blocks.0.resid_post:3");
    assertEquals(1, none[1].lines().count(), none[1]);
    assertTrue(none[1].contains("--model"), none[1]);
  }
  @Test
  void concepts_everyValueSearched_bestNeuronsScoredAsTheStoreSays() throws Exception {
    Path out = tmp.resolve("concepts-out");
    JsonNode r = json("concepts", "--store", store.toString(), "--task", "lexical", "--top", "3", "--out",
        out.toString(), "--json", "--quiet");
    assertEquals(r, Json.MAPPER.readTree(out.resolve("concepts.json").toFile()));
    assertEquals(FEATURES, r.get("neurons_searched").asInt());
    try (dev.neurolens.activation.ActivationStore s = dev.neurolens.activation.ActivationStore.open(store)) {
      int[] labels = s.labels("lexical");
      java.util.List<String> names = s.labelNames("lexical");
      int rows = r.get("rows").asInt();
      int counted = 0;
      var x = s.view(dev.neurolens.analysis.StoreTask.uniformHooks(s));
      float[] all = new float[x.rows() * x.cols()];
      x.read(0, x.rows(), all);
      for (JsonNode c : r.get("concepts")) {
        int label = names.indexOf(c.get("concept").asText());
        int count = (int) java.util.Arrays.stream(labels).filter(y -> y == label).count();
        assertEquals(count, c.get("count").asInt(), c.toString());
        counted += count;
        assertEquals(3, c.get("neurons").size());
        JsonNode best = c.get("neurons").get(0);
        int feature = best.get("layer").asInt() * TinyModels.HIDDEN + best.get("index").asInt();
        float[] score = new float[x.rows()];
        boolean[] positive = new boolean[x.rows()];
        for (int i = 0; i < x.rows(); i++) {
          score[i] = best.get("sign").asInt() * all[i * x.cols() + feature];
          positive[i] = labels[i] == label;
        }
        assertEquals(dev.neurolens.rank.ApRankerAccess.averagePrecision(score, positive, count),
            best.get("ap").asDouble(), 1e-6, c.get("concept").asText());
        assertTrue(best.get("ap").asDouble() >= c.get("neurons").get(2).get("ap").asDouble());
        assertTrue(best.get("top_tokens").size() > 0);
        assertTrue(best.get("precision_at_100").isNumber() && best.get("precision_at_k").isNumber(), best.toString());
        assertTrue(best.get("examples").size() > 0);
        assertEquals(c.get("base_rate").asDouble(), c.get("expected").get("ap").asDouble(), 1e-12);
      }
      assertEquals(rows, counted);
    }
    String[] bad = exec(2, "concepts", "--store", store.toString(), "--task", "nope");
    assertEquals(1, bad[1].lines().count(), bad[1]);
    assertTrue(bad[1].contains("no task 'nope'"), bad[1]);
  }
  @Test
  void rankRuns_stabilityMatchesSeparateRuns() throws Exception {
    int k = dev.neurolens.rank.RankingStability.topCount(FEATURES);
    List<Set<Integer>> tops = new java.util.ArrayList<>();
    for (int seed = 42; seed < 45; seed++) {
      JsonNode one = json("rank", "--store", store.toString(), "--task", "lexical", "--epochs", "2", "--seed",
          Integer.toString(seed), "--out", tmp.resolve("rank-seed-" + seed).toString(), "--json", "--quiet");
      JsonNode file = Json.MAPPER.readTree(tmp.resolve("rank-seed-" + seed).resolve("ranking.json").toFile());
      Set<Integer> top = new HashSet<>();
      for (int i = 0; i < k; i++) {
        top.add(file.get("ordering").get(i).asInt());
      }
      tops.add(top);
      assertEquals("lca", one.get("method").asText());
    }
    double jaccard = 0;
    for (int a = 0; a < 3; a++) {
      for (int b = a + 1; b < 3; b++) {
        Set<Integer> inter = new HashSet<>(tops.get(a));
        inter.retainAll(tops.get(b));
        Set<Integer> union = new HashSet<>(tops.get(a));
        union.addAll(tops.get(b));
        jaccard += inter.size() / (double) union.size() / 3;
      }
    }
    JsonNode r = json("rank", "--store", store.toString(), "--task", "lexical", "--epochs", "2", "--runs", "3",
        "--out", tmp.resolve("rank-runs").toString(), "--json", "--quiet");
    assertEquals("lca-consensus", r.get("method").asText());
    JsonNode st = r.get("stability");
    assertEquals(3, st.get("runs").asInt());
    assertEquals(k, st.get("top_k").asInt());
    assertEquals(jaccard, st.get("mean_jaccard").asDouble(), 1e-12);
    for (JsonNode n : st.get("top")) {
      int f = n.get("feature").asInt();
      long in = tops.stream().filter(t -> t.contains(f)).count();
      assertEquals(in / 3.0, n.get("selected").asDouble(), 1e-12, n.toString());
    }
    String[] bad = exec(2, "rank", "--store", store.toString(), "--task", "lexical", "--method", "probeless", "--runs",
        "2", "--out", tmp.resolve("rank-bad").toString());
    assertTrue(bad[1].contains("--runs 2: only --method lca"), bad[1]);
  }
}
