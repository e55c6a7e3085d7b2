package dev.neurolens.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.activation.DenseActivations;
import dev.neurolens.probe.ProbeTask;
import dev.neurolens.util.NeuroLensException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ConceptSearchTest {
  private static final List<String> NAMES = List.of("IDENT", "NUMBER", "STRING", "RARE");

  /** Rows with labels drawn 60/25/14/1 %, activations Gaussian (or rounded to create ties). */
  private static float[][] data(int n, int f, long seed, boolean ties, int[] labels) {
    Random r = new Random(seed);
    float[][] x = new float[n][f];
    for (int i = 0; i < n; i++) {
      double u = r.nextDouble();
      labels[i] = u < 0.60 ? 0 : u < 0.85 ? 1 : u < 0.99 ? 2 : 3;
      for (int j = 0; j < f; j++) {
        double v = r.nextGaussian() + (j == 0 && labels[i] == 1 ? 1.5 : 0);
        x[i][j] = ties ? Math.round(v * 2) / 2f : (float) v;
      }
    }
    return x;
  }

  private static double[] column(float[][] x, int j, int sign) {
    return Arrays.stream(x).mapToDouble(row -> sign * row[j]).toArray();
  }

  /** Precision among the k highest scores (no ties in the data this is used on). */
  private static double precisionAt(double[] score, int[] labels, int c, int k) {
    Integer[] order = IntStream.range(0, score.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]));
    int hits = 0;
    for (int i = 0; i < k; i++) {
      hits += labels[order[i]] == c ? 1 : 0;
    }
    return hits / (double) k;
  }

  /** IoU of {score >= the count-th largest score} with the concept's rows. */
  private static double iou(double[] score, int[] labels, int c) {
    int count = (int) Arrays.stream(labels).filter(y -> y == c).count();
    double[] sorted = score.clone();
    Arrays.sort(sorted);
    double threshold = sorted[sorted.length - count];
    int inter = 0;
    int union = 0;
    for (int i = 0; i < score.length; i++) {
      boolean a = score[i] >= threshold;
      boolean b = labels[i] == c;
      inter += a && b ? 1 : 0;
      union += a || b ? 1 : 0;
    }
    return inter / (double) union;
  }

  private static double ap(double[] score, int[] labels, int c) {
    float[] s = new float[score.length];
    boolean[] pos = new boolean[score.length];
    int p = 0;
    for (int i = 0; i < s.length; i++) {
      s[i] = (float) score[i];
      pos[i] = labels[i] == c;
      p += pos[i] ? 1 : 0;
    }
    return ApRanker.averagePrecision(s, pos, p);
  }

  private static ConceptSearch.Score find(ConceptSearch.Result r, String concept, int feature, int sign) {
    return r.concept(concept).best().stream().filter(s -> s.feature() == feature && s.sign() == sign).findFirst()
        .orElseThrow();
  }

  @Test
  void scores_matchDirectComputation_bothSigns_withAndWithoutTies() {
    for (boolean ties : new boolean[] {false, true}) {
      int n = 700;
      int[] labels = new int[n];
      float[][] x = data(n, 6, ties ? 5 : 4, ties, labels);
      ProbeTask task = ProbeTask.classification("lexical", NAMES, labels);
      int[] rows = IntStream.range(0, n).toArray();
      ConceptSearch.Result r = ConceptSearch.search(DenseActivations.of(x), rows, task,
          new ConceptSearch.Options(1000, 1, 1), line -> {});
      for (int concept = 0; concept < NAMES.size(); concept++) {
        final int c = concept;
        for (int j = 0; j < 6; j++) {
          for (int sign : new int[] {1, -1}) {
            double[] score = column(x, j, sign);
            ConceptSearch.Score s = find(r, NAMES.get(c), j, sign);
            String where = "ties " + ties + " concept " + NAMES.get(c) + " neuron " + j + " sign " + sign;
            assertEquals(ap(score, labels, c), s.ap(), 1e-9, where);
            assertEquals(iou(score, labels, c), s.iou(), 1e-9, where);
            if (!ties) {
              int count = (int) Arrays.stream(labels).filter(y -> y == c).count();
              assertEquals(precisionAt(score, labels, c, count), s.precisionAtCount(), 1e-12, where);
              assertEquals(precisionAt(score, labels, c, 100), s.precisionAt100(), 1e-12, where);
            }
          }
        }
      }
    }
  }

  @Test
  void plantedDetectors_foundFirst_withTheirSign_andBaselinesNearTheBaseRate() {
    int n = 3000;
    int f = 40;
    Random r = new Random(9);
    int[] labels = new int[n];
    float[][] x = new float[n][f];
    for (int i = 0; i < n; i++) {
      double u = r.nextDouble();
      labels[i] = u < 0.7 ? 0 : u < 0.85 ? 1 : u < 0.97 ? 2 : 3;
      for (int j = 0; j < f; j++) {
        x[i][j] = (float) r.nextGaussian();
      }
      x[i][17] += labels[i] == 1 ? 6f : 0f; // a NUMBER neuron
      x[i][31] -= labels[i] == 2 ? 6f : 0f; // a STRING neuron that fires negative
    }
    ProbeTask task = ProbeTask.classification("lexical", NAMES, labels);
    ConceptSearch.Result res = ConceptSearch.search(DenseActivations.of(x), IntStream.range(0, n).toArray(), task,
        ConceptSearch.Options.defaults(3), line -> {});
    ConceptSearch.Concept number = res.concept("NUMBER");
    assertEquals(17, number.best().get(0).feature());
    assertEquals(1, number.best().get(0).sign());
    assertTrue(number.best().get(0).ap() > 0.98, "planted AP " + number.best().get(0).ap());
    ConceptSearch.Concept string = res.concept("STRING");
    assertEquals(31, string.best().get(0).feature());
    assertEquals(-1, string.best().get(0).sign());
    assertTrue(string.best().get(0).precisionAtCount() > 0.95);
    assertEquals("NUMBER", res.detections().get(17).concept());
    assertEquals("STRING", res.detections().get(31).concept());
    for (ConceptSearch.Concept c : res.concepts()) {
      double p = c.baseRate();
      assertEquals(p, c.expected().ap(), 1e-12);
      assertEquals(p / (2 - p), c.expected().iou(), 1e-12);
      // 16 random detectors: their mean AP and precision sit near the base rate
      assertEquals(p, c.random().ap(), Math.max(0.02, p * 0.3), c.name());
      assertEquals(p, c.random().precisionAtCount(), Math.max(0.02, p * 0.3), c.name());
      assertTrue(c.best().get(0).ap() >= c.best().get(c.best().size() - 1).ap());
    }
    assertEquals(res, ConceptSearch.search(DenseActivations.of(x), IntStream.range(0, n).toArray(), task,
        ConceptSearch.Options.defaults(3), line -> {}), "same seed, same result");
  }

  @Test
  void detect_subsetOfColumns_agreesWithTheFullSearch() {
    int n = 500;
    int[] labels = new int[n];
    float[][] x = data(n, 8, 11, false, labels);
    ProbeTask task = ProbeTask.classification("lexical", NAMES, labels);
    int[] rows = IntStream.range(0, n).toArray();
    var full = ConceptSearch.search(DenseActivations.of(x), rows, task, ConceptSearch.Options.defaults(1), l -> {});
    var some = ConceptSearch.detect(DenseActivations.of(x), new int[] {5, 0}, rows, task,
        ConceptSearch.Options.defaults(1));
    assertEquals(full.detections().get(5), some.get(0));
    assertEquals(full.detections().get(0), some.get(1));
    assertEquals("NUMBER", full.detections().get(0).concept());
  }

  @Test
  void regressionTask_isOneClearError() {
    ProbeTask reg = ProbeTask.regression("ast-depth", new float[] {1, 2});
    var e = assertThrows(NeuroLensException.class, () -> ConceptSearch.search(
        DenseActivations.of(new float[][] {{1}, {2}}), new int[] {0, 1}, reg, ConceptSearch.Options.defaults(1), l -> {}));
    assertTrue(e.getMessage().contains("regression"), e.getMessage());
  }
}
