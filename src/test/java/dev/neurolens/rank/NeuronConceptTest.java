package dev.neurolens.rank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.activation.DenseActivations;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class NeuronConceptTest {
  private static final List<String> LABELS = List.of("IDENTIFIER", "KEYWORD", "NUMBER", "PUNCT");
  private static final String[][] VOCAB = {
    {"x", "y", "foo", "bar", "count"}, {"int", "return", "if"}, {"0", "1", "42"}, {"=", ";", "("}
  };
  private static final int NUMBER_NEURON = 0;
  private static final int NOISE_NEURON = 1;
  private static final int ZERO_NEURON = 2;
  private static final int KEYWORD_NEURON = 3;

  /**
   * A seeded synthetic corpus: 80 snippets of 8..15 tokens (5% numbers, 5% keywords) and 4
   * neurons: +3 on numbers, Gaussian noise, all zero, -2 on keywords (small noise on the first
   * and last).
   */
  private record Synthetic(float[][] matrix, String[] texts, int[] labels, int[] snippets) {
    static Synthetic make(long seed) {
      Random rnd = new Random(seed);
      List<String> texts = new ArrayList<>();
      List<Integer> labels = new ArrayList<>();
      List<Integer> snippets = new ArrayList<>();
      List<float[]> rows = new ArrayList<>();
      for (int s = 0; s < 80; s++) {
        int len = 8 + rnd.nextInt(8);
        for (int t = 0; t < len; t++) {
          double u = rnd.nextDouble();
          int label = u < 0.05 ? 2 : u < 0.10 ? 1 : u < 0.6 ? 0 : 3;
          String text = VOCAB[label][rnd.nextInt(VOCAB[label].length)];
          float noise = (float) (0.1 * rnd.nextGaussian());
          float[] row = {
            (label == 2 ? 3f : 0f) + noise,
            (float) rnd.nextGaussian(),
            0f,
            (label == 1 ? -2f : 0f) + (float) (0.1 * rnd.nextGaussian())
          };
          texts.add(text);
          labels.add(label);
          snippets.add(100 + s);
          rows.add(row);
        }
      }
      return new Synthetic(rows.toArray(float[][]::new), texts.toArray(String[]::new),
          labels.stream().mapToInt(Integer::intValue).toArray(),
          snippets.stream().mapToInt(Integer::intValue).toArray());
    }

    ConceptAnalyzer.TokenTable table() {
      return new ConceptAnalyzer.TokenTable(texts, labels, LABELS, snippets);
    }

    int count(int label) {
      return (int) Arrays.stream(labels).filter(l -> l == label).count();
    }
  }

  private static ConceptAnalyzer analyzer(int conceptRows) {
    return new ConceptAnalyzer(new ConceptAnalyzer.Options(10, 0.1, 3, 3, conceptRows));
  }

  @Test
  void analyze_plantedNumberNeuron_conceptNumberWithNumericTopTokens() {
    Synthetic d = Synthetic.make(7);
    int rows = d.count(2);
    NeuronProfile p = analyzer(rows)
        .analyze(DenseActivations.of(d.matrix()), new int[] {NUMBER_NEURON}, d.table()).get(0);

    assertEquals(NUMBER_NEURON, p.feature());
    assertEquals("NUMBER", p.concept());
    assertEquals(1.0, p.purity(), 1e-12);
    List<String> tops = p.topTokens().stream().map(NeuronProfile.TokenScore::token).toList();
    assertEquals(Set.of("0", "1", "42"), Set.copyOf(tops), "only numbers score above 0.1: " + p.topTokens());
    assertEquals(1.0, p.topTokens().get(0).score(), 1e-12);
    assertEquals(3, p.contexts().size());
    for (NeuronProfile.Context c : p.contexts()) {
      assertTrue(c.tokens().stream().anyMatch(t -> Set.of("0", "1", "42").contains(t)), c.toString());
    }
  }

  @Test
  void analyze_negativeKeywordNeuron_conceptKeywordByAbsoluteZ() {
    Synthetic d = Synthetic.make(11);
    NeuronProfile p = analyzer(d.count(1))
        .analyze(DenseActivations.of(d.matrix()), new int[] {KEYWORD_NEURON}, d.table()).get(0);

    assertEquals("KEYWORD", p.concept());
    assertEquals(1.0, p.purity(), 1e-12);
    assertEquals(Set.of("int", "return", "if"),
        Set.copyOf(p.topTokens().stream().map(NeuronProfile.TokenScore::token).toList()));
  }

  @Test
  void analyze_moreConceptRowsThanConceptTokens_purityIsShare() {
    Synthetic d = Synthetic.make(7);
    int numbers = d.count(2);
    NeuronProfile p = analyzer(2 * numbers)
        .analyze(DenseActivations.of(d.matrix()), new int[] {NUMBER_NEURON}, d.table()).get(0);

    assertEquals("NUMBER", p.concept());
    assertEquals(0.5, p.purity(), 1e-12);
  }

  @Test
  void analyze_tinyCase_zScoresHandChecked() {
    // a = [1, 2, 3, 4]: mean 2.5, population std sqrt(1.25); |z| = [3, 1, 1, 3] / sqrt(5).
    // Type "a" (rows 0, 3): mean |z| 3/sqrt(5); type "b" (rows 1, 2): 1/sqrt(5) -> normalised 1/3.
    float[][] m = {{1}, {2}, {3}, {4}};
    var table = new ConceptAnalyzer.TokenTable(
        new String[] {"a", "b", "b", "a"}, new int[] {0, 1, 1, 0}, List.of("A", "B"), new int[] {0, 0, 0, 0});
    NeuronProfile p = new ConceptAnalyzer(new ConceptAnalyzer.Options(10, 0.1, 1, 1, 2))
        .analyze(DenseActivations.of(m), new int[] {0}, table).get(0);

    assertEquals(2, p.topTokens().size());
    assertEquals(new NeuronProfile.TokenScore("a", 1.0, 2), p.topTokens().get(0));
    assertEquals("b", p.topTokens().get(1).token());
    assertEquals(1.0 / 3, p.topTokens().get(1).score(), 1e-9);
    assertEquals("A", p.concept()); // top-2 |z| rows are rows 0 and 3, both labelled A
    assertEquals(1.0, p.purity(), 1e-12);
  }

  @Test
  void analyze_minScoreAndMinOccurrences_filterTypes() {
    float[][] m = {{1}, {2}, {3}, {4}};
    var table = new ConceptAnalyzer.TokenTable(
        new String[] {"a", "b", "b", "c"}, new int[] {0, 0, 0, 0}, List.of("A"), new int[] {0, 0, 0, 0});
    // minOccurrences 2 leaves only "b", which becomes the maximum (score 1).
    NeuronProfile p = new ConceptAnalyzer(new ConceptAnalyzer.Options(10, 0.1, 1, 2, 1))
        .analyze(DenseActivations.of(m), new int[] {0}, table).get(0);
    assertEquals(List.of(new NeuronProfile.TokenScore("b", 1.0, 2)), p.topTokens());
    // minScore 0.5 drops "b" (1/3) when all types are scored.
    NeuronProfile q = new ConceptAnalyzer(new ConceptAnalyzer.Options(10, 0.5, 1, 1, 1))
        .analyze(DenseActivations.of(m), new int[] {0}, new ConceptAnalyzer.TokenTable(
            new String[] {"a", "b", "b", "a"}, new int[] {0, 0, 0, 0}, List.of("A"), new int[] {0, 0, 0, 0}))
        .get(0);
    assertEquals(List.of("a"), q.topTokens().stream().map(NeuronProfile.TokenScore::token).toList());
  }

  @Test
  void analyze_randomData_matchesNaiveReference() {
    Random rnd = new Random(3);
    int n = 300;
    int f = 5;
    float[][] m = new float[n][f];
    String[] texts = new String[n];
    int[] labels = new int[n];
    int[] snippets = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < f; j++) {
        m[i][j] = (float) (rnd.nextGaussian() * (j + 1) + j);
      }
      texts[i] = "t" + rnd.nextInt(40);
      labels[i] = rnd.nextInt(3);
      snippets[i] = i / 17;
    }
    var table = new ConceptAnalyzer.TokenTable(texts, labels, List.of("A", "B", "C"), snippets);
    var options = new ConceptAnalyzer.Options(5, 0.1, 2, 4, 30);
    int[] feats = {4, 1};
    List<NeuronProfile> got = new ConceptAnalyzer(options).analyze(DenseActivations.of(m), feats, table);
    for (int q = 0; q < feats.length; q++) {
      int j = feats[q];
      double mean = 0;
      for (float[] row : m) {
        mean += row[j];
      }
      mean /= n;
      double var = 0;
      for (float[] row : m) {
        var += (row[j] - mean) * (row[j] - mean);
      }
      double std = Math.sqrt(var / n);
      Map<String, double[]> agg = new TreeMap<>();
      double[] z = new double[n];
      for (int i = 0; i < n; i++) {
        z[i] = Math.abs((m[i][j] - mean) / std);
        agg.computeIfAbsent(texts[i], k -> new double[2]);
        agg.get(texts[i])[0] += z[i];
        agg.get(texts[i])[1] += 1;
      }
      agg.values().removeIf(v -> v[1] < 4);
      double max = agg.values().stream().mapToDouble(v -> v[0] / v[1]).max().orElseThrow();
      List<Map.Entry<String, Double>> expected = agg.entrySet().stream()
          .map(e -> Map.entry(e.getKey(), e.getValue()[0] / e.getValue()[1] / max))
          .filter(e -> e.getValue() > 0.1)
          .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
          .limit(5).toList();
      List<NeuronProfile.TokenScore> tops = got.get(q).topTokens();
      assertEquals(expected.size(), tops.size());
      for (int t = 0; t < tops.size(); t++) {
        assertEquals(expected.get(t).getKey(), tops.get(t).token());
        assertEquals(expected.get(t).getValue(), tops.get(t).score(), 1e-9);
      }
      Integer[] order = new Integer[n];
      Arrays.setAll(order, i -> i);
      Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -z[i]).thenComparing(i -> i));
      int[] counts = new int[3];
      for (int i = 0; i < 30; i++) {
        counts[labels[order[i]]]++;
      }
      int best = 0;
      for (int c = 1; c < 3; c++) {
        best = counts[c] > counts[best] ? c : best;
      }
      assertEquals(List.of("A", "B", "C").get(best), got.get(q).concept());
      assertEquals(counts[best] / 30.0, got.get(q).purity(), 1e-12);
    }
  }

  @Test
  void analyze_tinyChunks_sameAsOneChunk() {
    Synthetic d = Synthetic.make(5);
    ActivationMatrix x = DenseActivations.of(d.matrix());
    int[] all = {0, 1, 2, 3};
    var options = new ConceptAnalyzer.Options(10, 0.1, 3, 3, 50);
    List<NeuronProfile> oneChunk = new ConceptAnalyzer(options).analyze(x, all, d.table());
    List<NeuronProfile> rowChunks = new ConceptAnalyzer(options, 4 * 3).analyze(x, all, d.table());
    assertEquals(oneChunk.size(), rowChunks.size());
    for (int j = 0; j < all.length; j++) {
      NeuronProfile a = oneChunk.get(j);
      NeuronProfile b = rowChunks.get(j);
      assertEquals(a.concept(), b.concept());
      assertEquals(a.purity(), b.purity(), 1e-12);
      assertEquals(a.contexts(), b.contexts());
      assertEquals(a.topTokens().size(), b.topTokens().size());
      for (int t = 0; t < a.topTokens().size(); t++) {
        assertEquals(a.topTokens().get(t).token(), b.topTokens().get(t).token());
        assertEquals(a.topTokens().get(t).score(), b.topTokens().get(t).score(), 1e-9);
      }
    }
  }

  @Test
  void analyze_contexts_groupBySnippetWithMatrixValues() {
    // Snippets 10 (rows 0-2), 3 (rows 3-4), 7 (rows 5-8); peaks |a|: 7, 9, 5.
    float[][] m = {{1, 0}, {-7, 0}, {2, 0}, {9, 0}, {0, 0}, {5, 0}, {1, 0}, {0, 0}, {-1, 0}};
    String[] texts = {"a", "b", "c", "d", "e", "f", "g", "h", "i"};
    int[] snippets = {10, 10, 10, 3, 3, 7, 7, 7, 7};
    var table = new ConceptAnalyzer.TokenTable(texts, new int[9], List.of("L"), snippets);
    NeuronProfile p = new ConceptAnalyzer(new ConceptAnalyzer.Options(10, 0.1, 2, 1, 3))
        .analyze(DenseActivations.of(m), new int[] {0}, table).get(0);

    assertEquals(2, p.contexts().size());
    NeuronProfile.Context first = p.contexts().get(0);
    assertEquals(3, first.snippet());
    assertEquals(3, first.firstRow());
    assertEquals(List.of("d", "e"), first.tokens());
    assertArrayEquals(new double[] {9, 0}, first.values());
    NeuronProfile.Context second = p.contexts().get(1);
    assertEquals(10, second.snippet());
    assertEquals(0, second.firstRow());
    assertEquals(List.of("a", "b", "c"), second.tokens());
    assertArrayEquals(new double[] {1, -7, 2}, second.values());
    assertArrayEquals(new double[] {1 / 7.0, 1, 2 / 7.0}, second.opacities(), 1e-12);
    assertEquals(7.0, second.maxAbs());
  }

  @Test
  void analyze_allZeroNeuron_noNaNAndNoConcept() {
    Synthetic d = Synthetic.make(7);
    NeuronProfile p = analyzer(50)
        .analyze(DenseActivations.of(d.matrix()), new int[] {ZERO_NEURON}, d.table()).get(0);

    assertNull(p.concept());
    assertEquals(0.0, p.purity());
    assertTrue(p.topTokens().isEmpty());
    assertEquals(3, p.contexts().size());
    for (NeuronProfile.Context c : p.contexts()) {
      assertEquals(0.0, c.maxAbs());
      for (double o : c.opacities()) {
        assertEquals(0.0, o);
      }
    }
    String json = Json.line(p);
    assertFalse(json.contains("NaN") || json.contains("Infinity"), json);
  }

  @Test
  void analyze_any_inputsNotMutated() {
    Synthetic d = Synthetic.make(9);
    String[] texts = d.texts().clone();
    int[] labels = d.labels().clone();
    int[] snippets = d.snippets().clone();
    int[] feats = {3, 0, 2};
    float[] flat = new float[d.matrix().length * 4];
    for (int i = 0; i < d.matrix().length; i++) {
      System.arraycopy(d.matrix()[i], 0, flat, i * 4, 4);
    }
    float[] flatCopy = flat.clone();
    ActivationMatrix x = new DenseActivations(flat, d.matrix().length, 4);
    List<NeuronProfile> out = analyzer(20).analyze(x, feats, d.texts(), d.labels(), LABELS, d.snippets());

    assertArrayEquals(texts, d.texts());
    assertArrayEquals(labels, d.labels());
    assertArrayEquals(snippets, d.snippets());
    assertArrayEquals(new int[] {3, 0, 2}, feats);
    assertArrayEquals(flatCopy, flat);
    assertEquals(List.of(3, 0, 2), out.stream().map(NeuronProfile::feature).toList());
  }

  @Test
  void matchClasses_lcaStyleRanking_reportsWhetherConceptMatchesClass() {
    Synthetic d = Synthetic.make(7);
    Map<String, int[]> ranking = new LinkedHashMap<>();
    ranking.put("NUMBER", new int[] {NUMBER_NEURON, KEYWORD_NEURON, NOISE_NEURON});
    ranking.put("KEYWORD", new int[] {KEYWORD_NEURON});
    List<ConceptAnalyzer.ClassMatch> matches =
        analyzer(d.count(1)).matchClasses(DenseActivations.of(d.matrix()), ranking, 2, d.table());

    assertEquals(3, matches.size());
    assertEquals(List.of("NUMBER", "NUMBER", "KEYWORD"),
        matches.stream().map(ConceptAnalyzer.ClassMatch::rankedClass).toList());
    assertEquals(List.of(0, 1, 0), matches.stream().map(ConceptAnalyzer.ClassMatch::rank).toList());
    assertEquals(List.of(NUMBER_NEURON, KEYWORD_NEURON, KEYWORD_NEURON),
        matches.stream().map(m -> m.profile().feature()).toList());
    assertEquals(List.of(true, false, true),
        matches.stream().map(ConceptAnalyzer.ClassMatch::matches).toList());
    assertEquals(2 / 3.0, ConceptAnalyzer.matchRate(matches), 1e-12);
  }

  @Test
  void tokenTable_badInput_namesTheRule() {
    List<String> l = List.of("A");
    var e = assertThrows(NeuroLensException.class, () -> new ConceptAnalyzer.TokenTable(
        new String[] {"a", "b", "c"}, new int[] {0, 0, 0}, l, new int[] {1, 2, 1}));
    assertTrue(e.getMessage().contains("snippet 1 must be contiguous"), e.getMessage());
    e = assertThrows(NeuroLensException.class, () -> new ConceptAnalyzer.TokenTable(
        new String[] {"a"}, new int[] {1}, l, new int[] {0}));
    assertTrue(e.getMessage().contains("labelIds[0] must be in [-1, 1), found 1"), e.getMessage());
    assertThrows(NeuroLensException.class, () -> new ConceptAnalyzer.TokenTable(
        new String[] {"a"}, new int[] {0, 0}, l, new int[] {0}));
    var ok = new ConceptAnalyzer.TokenTable(new String[] {"a", "b"}, new int[] {0, -1}, l, new int[] {0, 0});
    ConceptAnalyzer a = analyzer(1);
    ActivationMatrix three = DenseActivations.of(new float[][] {{1}, {2}, {3}});
    e = assertThrows(NeuroLensException.class, () -> a.analyze(three, new int[] {0}, ok));
    assertTrue(e.getMessage().contains("has 2 rows but the activation matrix has 3"), e.getMessage());
    ActivationMatrix two = DenseActivations.of(new float[][] {{1}, {2}});
    e = assertThrows(NeuroLensException.class, () -> a.analyze(two, new int[] {1}, ok));
    assertTrue(e.getMessage().contains("feature id must be in [0, 1), found 1"), e.getMessage());
    assertThrows(NeuroLensException.class, () -> a.analyze(two, new int[] {0, 0}, ok));
    assertThrows(NeuroLensException.class, () -> new ConceptAnalyzer.Options(0, 0.1, 3, 3, 200));
  }

  @Test
  void topK_randomScoresWithTies_keepsBestByScoreThenLowerId() {
    Random rnd = new Random(1);
    NeuronTopK heap = new NeuronTopK(7);
    double[] scores = new double[200];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = rnd.nextInt(10);
      heap.offer(scores[i], i);
    }
    heap.offer(Double.NaN, 999);
    int[] expected = java.util.stream.IntStream.range(0, scores.length).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparing(i -> i))
        .limit(7).mapToInt(Integer::intValue).toArray();
    assertArrayEquals(expected, heap.idsBestFirst());
    assertEquals(0, new NeuronTopK(0).idsBestFirst().length);
  }

  @Test
  void analyze_emptyMatrix_profilesWithoutConcept() {
    var table = new ConceptAnalyzer.TokenTable(new String[0], new int[0], List.of("A"), new int[0]);
    NeuronProfile p = analyzer(5)
        .analyze(new DenseActivations(new float[0], 0, 2), new int[] {1}, table).get(0);
    assertNull(p.concept());
    assertTrue(p.topTokens().isEmpty() && p.contexts().isEmpty());
  }
}
