package dev.neurolens.rank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.activation.DenseActivations;
import dev.neurolens.probe.ColumnSubset;
import dev.neurolens.probe.ProbeTask;
import dev.neurolens.probe.Synthetic;
import dev.neurolens.util.NeuroLensException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DataRankersTest {
  private static Set<Integer> set(int[] ids) {
    return Arrays.stream(ids).boxed().collect(Collectors.toSet());
  }

  @Test
  void probeless_handComputedMeans_scoresArePairwiseDistances() {
    // feature 0: class means 0, 2, 4 -> |0-2| + |0-4| + |2-4| = 8; feature 1: means 1, 1, 0 -> 2
    DenseActivations x = DenseActivations.of(new float[][] {{0, 1}, {0, 1}, {2, 1}, {2, 1}, {4, 0}, {4, 0}});
    ProbeTask task = ProbeTask.classification("t", List.of("a", "b", "c"), new int[] {0, 0, 1, 1, 2, 2});
    NeuronRanking r = ProbelessRanker.rank(x, Synthetic.range(0, 6), task);
    assertArrayEquals(new int[] {0, 1}, r.ordering());
    assertArrayEquals(new double[] {8, 2}, r.scores(), 1e-12);
    assertArrayEquals(new int[] {0, 1}, r.perClass().get("c")); // c: |4-0|+|4-2| = 6 vs |0-1|+|0-1| = 2
  }

  @Test
  void probeless_plantedNeurons_rankedFirst() {
    Synthetic s = Synthetic.planted(600, 30, 3, 2f, 21);
    ProbeTask task = ProbeTask.classification("t", 3, s.labels);
    NeuronRanking r = ProbelessRanker.rank(s.x, Synthetic.range(0, 600), task);
    assertEquals(set(s.planted), set(r.top(3)));
    assertEquals(s.planted[1], r.perClass().get("1")[0]);
  }

  @Test
  void averagePrecision_handComputed_matchesStepwiseDefinition() {
    // descending 0.9(+) 0.8(-) 0.7(+) 0.6(-): 0.5 * 1 + 0.5 * 2/3
    assertEquals(0.5 + 1.0 / 3, ApRanker.averagePrecision(
        new float[] {0.6f, 0.9f, 0.7f, 0.8f}, new boolean[] {false, true, true, false}, 2), 1e-12);
    // a tie at 1: threshold 1 gives P 1/2 R 1/2; threshold 0 gives P 2/3 R 1
    assertEquals(0.25 + 1.0 / 3, ApRanker.averagePrecision(
        new float[] {1f, 1f, 0f}, new boolean[] {true, false, true}, 2), 1e-12);
  }

  @Test
  void ap_plantedConcept_detectorNeuronFirst_inputUnchanged() {
    Synthetic s = Synthetic.planted(500, 20, 2, 2f, 22);
    ProbeTask task = ProbeTask.classification("t", List.of("other", "number"), s.labels);
    float[] before = new float[500 * 20];
    s.x.read(0, 500, before);
    NeuronRanking r = ApRanker.rank(s.x, Synthetic.range(0, 500), task, "number");
    assertEquals(s.planted[1], r.ordering()[0]);
    float[] after = new float[500 * 20];
    s.x.read(0, 500, after);
    assertArrayEquals(before, after);
    assertThrows(NeuroLensException.class, () -> ApRanker.rank(s.x, Synthetic.range(0, 500), task, "string"));
  }

  @Test
  void gaussian_plantedNeurons_selectedFirst() {
    Synthetic s = Synthetic.planted(600, 60, 4, 2.5f, 23);
    ProbeTask task = ProbeTask.classification("t", 4, s.labels);
    NeuronRanking r =
        GaussianRanker.rank(s.x, Synthetic.range(0, 600), task, GaussianRanker.Options.of(4, 400, 1));
    assertEquals(set(s.planted), set(r.top(4)));
    double[] scores = r.scores();
    for (int t = 1; t < 4; t++) {
      assertTrue(scores[t] > scores[t - 1], "mutual information grows with each planted neuron");
    }
    int[] sorted = r.ordering();
    Arrays.sort(sorted);
    assertArrayEquals(Synthetic.range(0, 60), sorted);
  }

  @Test
  void gaussian_candidatePool_sameSelectionAsExact_permutation() {
    Synthetic s = Synthetic.planted(600, 60, 4, 2.5f, 23);
    ProbeTask task = ProbeTask.classification("t", 4, s.labels);
    int[] rows = Synthetic.range(0, 600);
    NeuronRanking exact = GaussianRanker.rank(s.x, rows, task, GaussianRanker.Options.of(4, 1000, 1));
    NeuronRanking pooled = GaussianRanker.rank(s.x, rows, task, new GaussianRanker.Options(4, 1000, 8, 1));
    assertArrayEquals(exact.top(4), pooled.top(4));
    assertEquals(exact.scores()[3], pooled.scores()[3], 1e-4);
    assertEquals("8", pooled.parameters().get("pool"));
    int[] sorted = pooled.ordering();
    Arrays.sort(sorted);
    assertArrayEquals(Synthetic.range(0, 60), sorted);
  }

  @Test
  void gaussian_duplicateOfSelectedNeuron_notChosenSecond() {
    // feature 1 duplicates feature 0 (plus tiny noise); feature 2 carries independent information
    java.util.Random rnd = new java.util.Random(5);
    int n = 400;
    float[][] m = new float[n][4];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = rnd.nextInt(4);
      m[i][0] = (labels[i] & 1) * 2f + (float) rnd.nextGaussian() * 0.5f;
      m[i][1] = m[i][0] + (float) rnd.nextGaussian() * 0.01f;
      m[i][2] = (labels[i] >> 1) * 2f + (float) rnd.nextGaussian() * 0.5f;
      m[i][3] = (float) rnd.nextGaussian();
    }
    ProbeTask task = ProbeTask.classification("t", 4, labels);
    NeuronRanking r =
        GaussianRanker.rank(DenseActivations.of(m), Synthetic.range(0, n), task, GaussianRanker.Options.of(2, 1000, 1));
    Set<Integer> firstTwo = set(r.top(2));
    assertTrue(firstTwo.contains(2), "independent feature chosen, got " + firstTwo);
    assertTrue(!firstTwo.equals(Set.of(0, 1)), "duplicate pair chosen: " + firstTwo);
  }

  @Test
  void gaussian_scores_matchDirectReferenceComputation() {
    Synthetic s = Synthetic.planted(300, 12, 3, 1.5f, 25);
    ProbeTask task = ProbeTask.classification("t", 3, s.labels);
    NeuronRanking r =
        GaussianRanker.rank(s.x, Synthetic.range(0, 300), task, GaussianRanker.Options.of(4, 1000, 1));
    float[][] m = new float[300][12];
    float[] buf = new float[300 * 12];
    s.x.read(0, 300, buf);
    for (int i = 0; i < 300; i++) {
      System.arraycopy(buf, i * 12, m[i], 0, 12);
    }
    for (int t = 1; t <= 4; t++) {
      double reference = GaussianReference.mutualInformation(m, s.labels, 3, r.top(t));
      assertEquals(reference, r.scores()[t - 1], 1e-3, "mutual information after " + t + " neurons");
    }
    // the greedy choice at step 2 is the best pair containing the first choice
    int first = r.top(1)[0];
    double best = Double.NEGATIVE_INFINITY;
    int arg = -1;
    for (int d = 0; d < 12; d++) {
      double v = d == first ? Double.NEGATIVE_INFINITY : GaussianReference.mutualInformation(m, s.labels, 3, new int[] {first, d});
      if (v > best) {
        best = v;
        arg = d;
      }
    }
    assertEquals(arg, r.top(2)[1]);
  }

  @Test
  void rankers_columnSubset_reportOriginalFeatureIds() {
    Synthetic s = Synthetic.planted(300, 20, 2, 3f, 24);
    ProbeTask task = ProbeTask.classification("t", 2, s.labels);
    int[] keep = {s.planted[0], 0, 1, s.planted[1]};
    NeuronRanking r = ProbelessRanker.rank(ColumnSubset.of(s.x, keep), Synthetic.range(0, 300), task);
    assertEquals(set(s.planted), set(r.top(2)));
  }
}
