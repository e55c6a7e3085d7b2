package dev.neurolens.concept;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.corpus.Corpus;
import dev.neurolens.corpus.CorpusStats;
import dev.neurolens.corpus.Snippet;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ControlSplitsTest {
  private static LabelledSnippet ls(String id, List<String> words, List<String> labels) {
    List<CodeToken> toks = new ArrayList<>();
    int pos = 0;
    for (String w : words) {
      toks.add(new CodeToken(w, pos, pos + w.length(), 0, "identifier", "x", 0, 1));
      pos += w.length() + 1;
    }
    Snippet s = new Snippet(id, "t", "java", String.join(" ", words), 1, 0, null);
    return new LabelledSnippet(s, toks, Map.of("t", labels), Map.of(), 0);
  }

  @Test
  void controlTask_sameType_sameLabelEverywhereAndEmpiricalDistribution() {
    List<String> words = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      words.add("w" + i);
      labels.add(i % 10 == 0 ? "B" : "A"); // 10% B
    }
    LabelledSnippet train = ls("a", words, labels);
    ControlTasks.ControlTask c = ControlTasks.fit(List.of(train), "t", ControlTasks.Distribution.SAME, 5);
    assertEquals(List.of("A", "B"), c.labels());
    List<String> ctl = c.labels(train);
    long b = ctl.stream().filter("B"::equals).count();
    assertTrue(b > 140 && b < 260, "B drawn " + b + " times of 2000, expected ~200");
    LabelledSnippet other = ls("b", List.of("w7", "w7", "new"), List.of("A", "B", "A"));
    assertEquals(ctl.get(7), c.labels(other).get(0));
    assertEquals(c.labels(other).get(0), c.labels(other).get(1));
    ControlTasks.ControlTask again = ControlTasks.fit(List.of(train), "t", ControlTasks.Distribution.SAME, 5);
    assertEquals(ctl, again.labels(train));
    ControlTasks.ControlTask uniform = ControlTasks.fit(List.of(train), "t", ControlTasks.Distribution.UNIFORM, 5);
    long ub = uniform.labels(train).stream().filter("B"::equals).count();
    assertTrue(ub > 850 && ub < 1150, "uniform B drawn " + ub);
  }

  @Test
  void split_bySnippet_disjointCompleteAndOrderIndependent() {
    List<LabelledSnippet> all = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      all.add(ls("s" + i, List.of("x"), List.of("A")));
    }
    SnippetSplits.Split s = SnippetSplits.split(all, 0.1, 0.2, 9);
    assertEquals(70, s.train().size());
    assertEquals(10, s.dev().size());
    assertEquals(20, s.test().size());
    Set<String> ids = new HashSet<>();
    for (String part : List.of("train", "dev", "test")) {
      s.part(part).forEach(x -> assertTrue(ids.add(x.snippet().id()), "in two splits: " + x.snippet().id()));
    }
    assertEquals(100, ids.size());
    List<LabelledSnippet> shuffled = new ArrayList<>(all);
    Collections.reverse(shuffled);
    assertEquals(s, SnippetSplits.split(shuffled, 0.1, 0.2, 9));
    assertThrows(NeuroLensException.class, () -> SnippetSplits.split(all, 0.5, 0.5, 1));
  }

  @Test
  void labelCorpus_errorRatioAndRareFolding_skipsAndFolds() {
    List<Snippet> snippets = List.of(
        new Snippet("a", "a", "java", "int f() { return 1; }", 1, 0, null),
        new Snippet("b", "b", "java", "int g( { return 1 +; }", 1, 0, null),
        new Snippet("c", "c", "java", "int h() { return 2; }", 1, 0, null));
    Corpus corpus = new Corpus("test", snippets, new CorpusStats(3, Map.of(), List.of(), 3, 0, 0, 0, 3, 27));
    LabelledCorpus strict = CodeLabeller.builder().optMinCount(2).build().labelCorpus(corpus, Set.of("lexical-fine"));
    assertEquals(List.of("a", "c"), strict.snippets().stream().map(s -> s.snippet().id()).toList());
    assertEquals(Map.of("errors", 1), strict.skipped());
    // every leaf type occurs twice except the names f/h (identifier twice) -> nothing folded; a min count of 3 folds all
    assertEquals(Set.of("(", ")", ";", "decimal_integer_literal", "identifier", "int", "return", "{", "}"),
        strict.frequencies().get("lexical-fine").keySet());
    LabelledCorpus folded = CodeLabeller.builder().optMinCount(3).build().labelCorpus(corpus, Set.of("lexical-fine"));
    assertEquals(Set.of(Tasks.OTHER), folded.frequencies().get("lexical-fine").keySet());
    LabelledCorpus lenient = CodeLabeller.builder().optMaxErrorRatio(1.0).build().labelCorpus(corpus, Set.of("lexical"));
    assertEquals(3, lenient.snippets().size());
    assertEquals(Map.of("(", 0, ")", 1), Map.of("(", strict.labelIds("lexical-fine").get("("), ")", strict.labelIds("lexical-fine").get(")")));
  }

  @Test
  void tasks_parse_knownUnknownAndBinary() {
    LabelTask t = Tasks.parse("lexical:NUMBER");
    assertTrue(t.isBinary() && t.isTokenLevel() && !t.isRegression());
    assertTrue(Tasks.parse("ast-depth").isRegression());
    assertTrue(!Tasks.parse("loops").isTokenLevel());
    assertEquals("lexical_NUMBER", t.fileName());
    assertThrows(NeuroLensException.class, () -> Tasks.parse("colour"));
    assertThrows(NeuroLensException.class, () -> Tasks.parse("lexical:NUMBR"));
    assertThrows(NeuroLensException.class, () -> Tasks.parse("ast-depth:3"));
  }
}
