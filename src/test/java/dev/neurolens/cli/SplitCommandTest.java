package dev.neurolens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.activation.ActivationStore;
import dev.neurolens.analysis.StoreTask;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Models;
import dev.neurolens.model.TinyModels;
import dev.neurolens.util.Json;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One train/dev/test split everywhere: label, probe/rank, the store and its export; and the type-disjoint split. */
class SplitCommandTest {
  @TempDir static Path tmp;
  static Path corpus;
  static Path store;

  @BeforeAll
  static void buildStore() throws Exception {
    Path model = tmp.resolve("tiny-model");
    try (EncoderModel m = TinyModels.random(6)) {
      Models.export(m, model);
    }
    corpus = tmp.resolve("src");
    Files.createDirectories(corpus);
    String[] types = {"int", "long", "String", "boolean", "double"};
    for (int i = 0; i < 30; i++) {
      String t = types[i % types.length];
      Files.writeString(corpus.resolve("K" + i + ".java"), """
          class K%d {
            %s f%d(%s x, int n) { if (n > 0 && x != null) { return x; } while (n < 3) { n += 1; } return null; }
            public static boolean g%d(long v) { return v >= %d || v == 7 ? true : false; }
          }
          """.formatted(i, t, i, t, i, i));
    }
    store = tmp.resolve("store");
    assertEquals(0, Main.commandLine().execute("extract", "--model", model.toString(), "--corpus", corpus.toString(),
        "--lang", "java", "--task", "lexical,syntactic", "--out", store.toString(), "--quiet"));
  }

  private static Set<String> snippetIds(ActivationStore s, int[] rows) {
    int[] rowSnippet = s.rowSnippets();
    return Arrays.stream(rows).mapToObj(r -> s.snippets().get(rowSnippet[r]).id()).collect(Collectors.toSet());
  }

  @Test
  void labelAndProbe_sameSeed_sameTestSnippets_recordedInTheStoreAndExported() throws Exception {
    Path labels = tmp.resolve("labels");
    CliRun.exec(0, "label", "--corpus", corpus.toString(), "--task", "lexical", "--seed", "42", "--out",
        labels.toString(), "--quiet");
    Map<String, Set<String>> labelParts = new HashMap<>();
    for (String line : Files.readAllLines(labels.resolve("labels.jsonl"))) {
      JsonNode n = Json.MAPPER.readTree(line);
      labelParts.computeIfAbsent(n.get("split").asText(), k -> new TreeSet<>()).add(n.get("id").asText());
    }
    try (ActivationStore s = ActivationStore.open(store)) {
      assertEquals(42, s.manifest().split().seed(), "the extraction records the split");
      StoreTask st = StoreTask.load(s, "lexical", StoreTask.SplitRule.snippet(42), StoreTask.Control.NONE);
      assertEquals(labelParts.get("test"), new TreeSet<>(snippetIds(s, st.splits().test())));
      assertEquals(labelParts.get("dev"), new TreeSet<>(snippetIds(s, st.splits().dev())));
      assertEquals(labelParts.get("train"), new TreeSet<>(snippetIds(s, st.splits().train())));
      // null split seed = the store's recorded one
      StoreTask byStore = StoreTask.load(s, "lexical", new StoreTask.SplitRule(StoreTask.SplitRule.Kind.SNIPPET, null),
          StoreTask.Control.NONE);
      assertEquals(Arrays.toString(st.splits().test()), Arrays.toString(byStore.splits().test()));
      StoreTask other = StoreTask.load(s, "lexical", StoreTask.SplitRule.snippet(7), StoreTask.Control.NONE);
      assertNotEquals(snippetIds(s, st.splits().test()), snippetIds(s, other.splits().test()));
      // token texts: read when first asked for (no control task) = read for the control task = the store's tokens
      String[] lazy = st.tokenTexts();
      String[] eager = StoreTask.load(s, "lexical", StoreTask.SplitRule.snippet(42), StoreTask.Control.FIT).tokenTexts();
      assertEquals(s.tokenCount(), lazy.length);
      assertEquals(Arrays.asList(eager), Arrays.asList(lazy));
      for (int r : new int[] {0, s.tokenCount() / 2, s.tokenCount() - 1}) {
        assertEquals(s.tokens(r, 1).get(0).text(), lazy[r], "row " + r);
      }

      // store export: split.npy gives the same rows, one int per token row (0 train, 1 dev, 2 test)
      Path exported = tmp.resolve("npy");
      CliRun.exec(0, "store", "export", "--format", "npy", store.toString(), exported.toString(), "--quiet");
      byte[] npy = Files.readAllBytes(exported.resolve("split.npy"));
      int header = 10 + (npy[8] & 0xff) + ((npy[9] & 0xff) << 8);
      ByteBuffer b = ByteBuffer.wrap(npy, header, npy.length - header).order(ByteOrder.LITTLE_ENDIAN);
      int[] part = new int[s.tokenCount()];
      for (int i = 0; i < part.length; i++) {
        part[i] = b.getInt();
      }
      int[] testRows = java.util.stream.IntStream.range(0, part.length).filter(i -> part[i] == 2).toArray();
      assertEquals(Arrays.toString(st.splits().test()), Arrays.toString(testRows));
    }
  }

  @Test
  void probe_seedAndSplitSeedAreSeparate() throws Exception {
    JsonNode a = probe("--seed", "1", "--split-seed", "5");
    JsonNode b = probe("--seed", "2", "--split-seed", "5");
    JsonNode c = probe("--seed", "1", "--split-seed", "6");
    // the same split: the same baselines (no activations involved); another split: other test rows
    assertEquals(a.get("baselines"), b.get("baselines"));
    assertNotEquals(a.get("baselines"), c.get("baselines"));
  }

  private static JsonNode probe(String... seeds) throws Exception {
    String[] args = {"probe", "--store", store.toString(), "--task", "syntactic", "--control", "--layers", "each",
        "--epochs", "1", "--out", tmp.resolve("p" + String.join("", seeds)).toString(), "--json", "--quiet"};
    String[] all = java.util.stream.Stream.concat(Arrays.stream(args), Arrays.stream(seeds)).toArray(String[]::new);
    return Json.MAPPER.readTree(CliRun.exec(0, all)[0]);
  }

  @Test
  void typeDisjoint_noClosedWordOnBothSides_openWordsKept_everyClosedClassOnBothSides() throws Exception {
    try (ActivationStore s = ActivationStore.open(store)) {
      StoreTask bySnippet = StoreTask.load(s, "syntactic", StoreTask.SplitRule.snippet(42), StoreTask.Control.FIT);
      StoreTask disjoint = StoreTask.load(s, "syntactic",
          new StoreTask.SplitRule(StoreTask.SplitRule.Kind.TYPE_DISJOINT, 42L), StoreTask.Control.FIT);
      assertEquals("type-disjoint", disjoint.split().kindName());
      int[] lexical = s.labels("lexical");
      List<String> names = s.labelNames("lexical");
      Set<String> closed = Set.of("KEYWORD", "OPERATOR", "PUNCTUATION", "BOOLEAN_NULL", "TYPE_IDENTIFIER");
      String[] texts = disjoint.tokenTexts();
      Map<String, Set<String>> trainTypes = new HashMap<>();
      Map<String, Set<String>> heldTypes = new HashMap<>();
      for (int r : disjoint.splits().train()) {
        if (closed.contains(names.get(lexical[r]))) {
          trainTypes.computeIfAbsent(names.get(lexical[r]), k -> new HashSet<>()).add(texts[r]);
        }
      }
      for (int[] part : List.of(disjoint.splits().dev(), disjoint.splits().test())) {
        for (int r : part) {
          if (closed.contains(names.get(lexical[r]))) {
            heldTypes.computeIfAbsent(names.get(lexical[r]), k -> new HashSet<>()).add(texts[r]);
          }
        }
      }
      Set<String> allTrain = trainTypes.values().stream().flatMap(Set::stream).collect(Collectors.toSet());
      Set<String> allHeld = heldTypes.values().stream().flatMap(Set::stream).collect(Collectors.toSet());
      Set<String> both = new HashSet<>(allTrain);
      both.retainAll(allHeld);
      assertTrue(both.isEmpty(), "closed words in training and in dev/test: " + both);
      for (String cls : List.of("KEYWORD", "OPERATOR", "PUNCTUATION")) {
        assertTrue(trainTypes.containsKey(cls) && heldTypes.containsKey(cls), cls + " on both sides");
      }
      // rows of open classes stay where the snippet split put them
      Set<Integer> disjointTest = Arrays.stream(disjoint.splits().test()).boxed().collect(Collectors.toSet());
      for (int r : bySnippet.splits().test()) {
        if (!closed.contains(names.get(lexical[r]))) {
          assertTrue(disjointTest.contains(r), "open-class row " + r + " (" + texts[r] + ") kept in test");
        }
      }
      assertTrue(disjoint.splits().train().length < bySnippet.splits().train().length);
      // the control task keeps the task's label distribution (drawn per word type from the training counts)
      int[] control = disjoint.control().labels();
      int k = disjoint.task().numClasses();
      double[] real = new double[k];
      double[] drawn = new double[k];
      Map<String, Integer> typeLabel = new HashMap<>();
      for (int r : disjoint.splits().train()) {
        real[disjoint.task().labels()[r]]++;
        typeLabel.put(texts[r], control[r]);
      }
      for (int r : disjoint.splits().train()) {
        assertEquals(typeLabel.get(texts[r]).intValue(), control[r], "one control label per word type");
      }
      typeLabel.values().forEach(y -> drawn[y]++);
      int top = 0;
      for (int y = 1; y < k; y++) {
        top = real[y] > real[top] ? y : top;
      }
      int drawnTop = 0;
      for (int y = 1; y < k; y++) {
        drawnTop = drawn[y] > drawn[drawnTop] ? y : drawnTop;
      }
      assertEquals(top, drawnTop, "the most frequent label is the most drawn control label");
    }
    String[] err = CliRun.exec(2, "probe", "--store", store.toString(), "--task", "lexical", "--split", "by-word",
        "--out", tmp.resolve("bad").toString());
    assertTrue(err[1].contains("--split: must be snippet or type-disjoint, found 'by-word'"), err[1]);
  }
  @Test
  void probeOnAFloat16Store_heldAsFloat16_trainsExactlyAsOnFloat32Rows() {
    try (ActivationStore s = ActivationStore.open(store)) {
      StoreTask st = StoreTask.load(s, "lexical", StoreTask.SplitRule.snippet(42), StoreTask.Control.NONE);
      assertTrue(st.x().storesHalf());
      float[] all = new float[st.x().rows() * st.x().cols()];
      st.x().read(0, st.x().rows(), all);
      float[][] m = new float[st.x().rows()][];
      for (int r = 0; r < m.length; r++) {
        m[r] = Arrays.copyOfRange(all, r * st.x().cols(), (r + 1) * st.x().cols());
      }
      dev.neurolens.activation.DenseActivations dense = dev.neurolens.activation.DenseActivations.of(m);
      assertTrue(!dense.storesHalf());
      dev.neurolens.probe.ProbeOptions o = dev.neurolens.probe.ProbeOptions.builder().optEpochs(2).optSeed(3).build();
      dev.neurolens.probe.Probe fromStore = dev.neurolens.probe.ProbeTrainer.train(st.x(), st.splits().train(), st.task(), o);
      dev.neurolens.probe.Probe fromFloats = dev.neurolens.probe.ProbeTrainer.train(dense, st.splits().train(), st.task(), o);
      for (int c = 0; c < st.task().numClasses(); c++) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(fromFloats.weights()[c], fromStore.weights()[c], "class " + c);
      }
    }
  }
}
