package dev.neurolens.rank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.probe.LayerLayout;
import dev.neurolens.probe.Probe;
import dev.neurolens.probe.ProbeOptions;
import dev.neurolens.probe.ProbeProvenance;
import dev.neurolens.probe.ProbeTask;
import dev.neurolens.probe.ProbeTrainer;
import dev.neurolens.probe.Synthetic;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LcaRankerTest {
  /**
   * Hand-computed case. Positions 0..3 carry feature ids 100..103. |W|: class a = (3, 0, 4, 1),
   * mass 8, descending 2,0,3,1; class b = (1, 2, 0, 2), mass 5, descending 1,3,0,2 (tie 1/3: lower
   * position first). max|w| per position = (3, 2, 4, 2).
   */
  static Probe handProbe() {
    float[][] w = {{-3f, 0f, 4f, 1f}, {1f, 2f, 0f, -2f}};
    return new Probe(
        false, List.of("a", "b"), w, new float[2], new int[] {100, 101, 102, 103}, null, null,
        List.of(), new ProbeProvenance("hand", ProbeOptions.defaults(), 0, 0, "test", "none", "", List.of()));
  }

  @Test
  void ordering_handComputedCase_orderAndCutoffs() {
    // stride 4, p = 0: a -> {2}, b -> {1}; new {2, 1} by max|w| -> 2 (4), 1 (2)       cutoff 2
    // p = .25: a needs 2 (has 4), b needs 1.25 (has 2): nothing new                      cutoff 2
    // p = .5: a needs 4 (has 4); b needs 2.5: adds 3 (cum 4)                             cutoff 3
    // p = .75: a needs 6: adds 0 (cum 7); b needs 3.75 (has 4)                           cutoff 4
    // p = 1: a adds 3 (cum 8), b adds 0 (cum 5), both already taken                      cutoff 4
    NeuronRanking r = LcaRanker.ordering(handProbe(), 4);
    assertArrayEquals(new int[] {102, 101, 103, 100}, r.ordering());
    assertArrayEquals(new int[] {2, 2, 3, 4, 4}, r.cutoffs());
    assertArrayEquals(new double[] {4, 2, 2, 3}, r.scores());
    String json = dev.neurolens.util.Json.line(r);
    assertTrue(json.startsWith("{\"method\":\"lca\",\"ordering\":[102,101,103,100]"), json);
  }

  @Test
  void topNeurons_handComputedCase_weightMassPrefixes() {
    Map<String, int[]> perClass = LcaRanker.topNeuronsPerClass(handProbe(), 0.5);
    assertArrayEquals(new int[] {102}, perClass.get("a")); // 4 >= 0.5 * 8
    assertArrayEquals(new int[] {101, 103}, perClass.get("b")); // 2 < 2.5, 4 >= 2.5
    assertArrayEquals(new int[] {102, 101, 103}, LcaRanker.topNeurons(handProbe(), 0.5));
    assertArrayEquals(new int[] {102, 101}, LcaRanker.topNeurons(handProbe(), 0.0)); // >= 1 per class
  }

  @Test
  void baselines_handComputedCase_bottomAndHardThreshold() {
    // bottom p = 0: a ascending starts at 1 (|w| 0), b at 2 (|w| 0); by max|w| ascending: 1 (2), 2 (4)
    assertArrayEquals(new int[] {101, 102}, LcaRanker.bottomNeurons(handProbe(), 0.0));
    // threshold max/2: a -> |w| > 2: {0, 2}; b -> |w| > 1: {1, 3}; by max|w| desc
    assertArrayEquals(new int[] {102, 100, 101, 103}, LcaRanker.hardThresholdNeurons(handProbe(), 2));
    // threshold max/1.2: a -> |w| > 3.33: {2}; b -> |w| > 1.67: {1, 3}
    assertArrayEquals(new int[] {102, 101, 103}, LcaRanker.hardThresholdNeurons(handProbe(), 1.2));
  }

  @Test
  void granularOrdering_handComputedCase_chunksRecomputeMass() {
    // g = 1: chunk 1 = first new of the full sweep (2); then over {0,1,3}: p = 0 gives a -> 0 and
    // b -> 1, max|w| 3 > 2 -> 0; then over {1,3}: a -> 3, b -> 1, tie at 2 -> 1; then 3.
    NeuronRanking r = LcaRanker.granularOrdering(handProbe(), 1, 4);
    assertArrayEquals(new int[] {102, 100, 101, 103}, r.ordering());
    assertArrayEquals(new int[] {1, 2, 3, 4}, r.cutoffs());
  }

  @Test
  void ordering_zeroColumn_stillAPermutation() {
    float[][] w = {{0f, 1f, 0f}, {0f, -2f, 0.5f}};
    Probe p =
        new Probe(false, List.of("a", "b"), w, new float[2], new int[] {0, 1, 2}, null, null, List.of(),
            handProbe().provenance());
    NeuronRanking r = LcaRanker.ordering(p, 10);
    assertArrayEquals(new int[] {1, 2, 0}, r.ordering());
    assertEquals(3, r.cutoffs()[r.cutoffs().length - 1]);
  }

  @Test
  void ordering_trainedProbe_plantedNeuronsFirstAndPermutation() {
    Synthetic s = Synthetic.planted(800, 40, 4, 3f, 11);
    ProbeTask task = ProbeTask.classification("planted", 4, s.labels);
    ProbeOptions o = ProbeOptions.builder().optEpochs(20).optLearningRate(1e-2).optBatchSize(32).build();
    Probe probe = ProbeTrainer.train(s.x, Synthetic.range(0, 800), task, o);
    NeuronRanking r = LcaRanker.ordering(probe);
    Set<Integer> first = Arrays.stream(r.top(4)).boxed().collect(Collectors.toSet());
    assertEquals(Arrays.stream(s.planted).boxed().collect(Collectors.toSet()), first);
    int[] sorted = r.ordering();
    Arrays.sort(sorted);
    assertArrayEquals(Synthetic.range(0, 40), sorted);
    LayerLayout layout = LayerLayout.of(4, 10);
    // planted features 3, 10, 17, 24 lie in layers 0, 1, 1, 2
    assertArrayEquals(new int[] {1, 2, 1, 0}, r.layerDistribution(layout, 4));
    assertEquals(r.top(1)[0] / 10, r.neurons(layout, 1).get(0).layer());
  }

  @Test
  void random_seeded_reproduciblePermutation() {
    int[] ids = Synthetic.range(0, 50);
    NeuronRanking a = LcaRanker.random(ids, 3);
    assertArrayEquals(a.ordering(), LcaRanker.random(ids, 3).ordering());
    assertTrue(!Arrays.equals(a.ordering(), LcaRanker.random(ids, 4).ordering()));
    int[] sorted = a.ordering();
    Arrays.sort(sorted);
    assertArrayEquals(ids, sorted);
  }
}
