package dev.neurolens.redundancy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.activation.DenseActivations;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class CorrelationClusteringTest {

  /**
   * Brute-force average linkage: repeatedly merge the two clusters with the smallest mean pairwise
   * distance (recomputed from the leaves, O(n^2) per step), until that distance exceeds t.
   */
  static Set<Set<Integer>> bruteForce(CorrelationMatrix r, ClusterOptions.Distance kind, double t) {
    ClusterOptions o = new ClusterOptions(kind, ClusterOptions.Representative.CENTRE, 0);
    List<List<Integer>> clusters = new ArrayList<>();
    Set<Integer> constant = new HashSet<>();
    for (int c : r.constantPositions()) {
      constant.add(c);
    }
    Set<Set<Integer>> out = new HashSet<>();
    for (int i = 0; i < r.size(); i++) {
      if (constant.contains(i)) {
        out.add(Set.of(r.feature(i)));
      } else {
        clusters.add(new ArrayList<>(List.of(i)));
      }
    }
    while (clusters.size() > 1) {
      double best = Double.POSITIVE_INFINITY;
      int bi = -1;
      int bj = -1;
      for (int i = 0; i < clusters.size(); i++) {
        for (int j = i + 1; j < clusters.size(); j++) {
          double s = 0;
          for (int a : clusters.get(i)) {
            for (int b : clusters.get(j)) {
              s += o.distance(r.get(a, b));
            }
          }
          s /= clusters.get(i).size() * clusters.get(j).size();
          if (s < best) {
            best = s;
            bi = i;
            bj = j;
          }
        }
      }
      if (best > t) {
        break;
      }
      clusters.get(bi).addAll(clusters.remove(bj));
    }
    for (List<Integer> c : clusters) {
      Set<Integer> s = new TreeSet<>();
      c.forEach(i -> s.add(r.feature(i)));
      out.add(s);
    }
    return out;
  }

  static Set<Set<Integer>> partition(ThresholdClusters tc) {
    Set<Set<Integer>> out = new HashSet<>();
    for (int[] c : tc.clusters()) {
      Set<Integer> s = new TreeSet<>();
      Arrays.stream(c).forEach(s::add);
      out.add(s);
    }
    return out;
  }

  @Test
  void cluster_randomInputs_equalsBruteForceAtEveryThreshold() {
    for (long seed = 1; seed <= 4; seed++) {
      float[][] x = NeuronCorrelationTest.correlated(40, 36, 4, 0.0, seed);
      CorrelationMatrix r = NeuronCorrelation.compute(DenseActivations.of(x));
      for (ClusterOptions.Distance kind : ClusterOptions.Distance.values()) {
        ClusterOptions opts = new ClusterOptions(kind, ClusterOptions.Representative.CENTRE, 7);
        List<Double> ts = List.of(0.1, 0.3, 0.5, 0.7, 0.9, 1.2);
        ClusterSweep sweep = CorrelationClustering.cluster(r, ts, opts, 4, 9);
        Set<Integer> sizes = new HashSet<>();
        for (int i = 0; i < ts.size(); i++) {
          ThresholdClusters tc = sweep.results().get(i);
          assertEquals(bruteForce(r, kind, ts.get(i)), partition(tc), "seed " + seed + " " + kind + " t " + ts.get(i));
          assertEquals(tc.independent(), Arrays.stream(tc.independentPerLayer()).sum());
          sizes.add(tc.independent());
        }
        assertTrue(sizes.size() >= 3, "thresholds should give different partitions: " + sizes);
      }
    }
  }

  @Test
  void cluster_constantNeuron_ownClusterEvenAtLargeThreshold() {
    float[][] x = NeuronCorrelationTest.correlated(60, 6, 1, 0.0, 5);
    for (float[] row : x) {
      row[4] = 2f;
    }
    CorrelationMatrix r = NeuronCorrelation.compute(DenseActivations.of(x));
    ClusterSweep sweep =
        CorrelationClustering.cluster(r, List.of(1.9), ClusterOptions.defaults(), 2, 3);
    assertArrayEquals(new int[] {4}, sweep.constantNeurons());
    Set<Set<Integer>> p = partition(sweep.results().get(0));
    assertEquals(Set.of(Set.of(0, 1, 2, 3, 5), Set.of(4)), p);
  }

  @Test
  void cut_centreRepresentative_isMemberMostCorrelatedWithOthers() {
    // neuron 1 = a + b is the hub between a (neuron 0) and b (neuron 2)
    java.util.Random rnd = new java.util.Random(9);
    float[][] x = new float[400][3];
    for (float[] row : x) {
      double a = rnd.nextGaussian();
      double b = rnd.nextGaussian();
      row[0] = (float) (a + 0.3 * b);
      row[1] = (float) (a + b);
      row[2] = (float) (b + 0.3 * a);
    }
    CorrelationMatrix r = NeuronCorrelation.compute(DenseActivations.of(x));
    ClusterSweep sweep = CorrelationClustering.cluster(r, List.of(0.9), ClusterOptions.defaults(), 1, 3);
    ThresholdClusters tc = sweep.results().get(0);
    assertEquals(1, tc.independent());
    assertArrayEquals(new int[] {1}, tc.representatives());
    assertArrayEquals(new int[] {1}, tc.independentPerLayer());
  }

  /**
   * Issue 15: 40 pairs of identical neurons, one in layer 0 and its twin in layer 1, plus noise.
   * The centre of a pair is a tie; it must not always credit the lower layer (the old rule gave
   * layer 0 all 40). Over 20 seeds, layer 1 gets about half of the 800 credits; each seed is
   * reproducible.
   */
  @Test
  void cut_centreRepresentative_pairsAcrossLayers_creditEachLayerHalfTheTime() {
    java.util.Random rnd = new java.util.Random(4);
    int pairs = 40;
    float[][] x = new float[300][2 * pairs];
    for (float[] row : x) {
      for (int p = 0; p < pairs; p++) {
        float v = (float) rnd.nextGaussian();
        row[p] = v; // layer 0, neuron p
        row[pairs + p] = v; // layer 1, neuron p
      }
    }
    CorrelationMatrix r = NeuronCorrelation.compute(DenseActivations.of(x));
    int layer1 = 0;
    for (long seed = 0; seed < 20; seed++) {
      ClusterOptions o = new ClusterOptions(ClusterOptions.Distance.ABS, ClusterOptions.Representative.CENTRE, seed);
      ThresholdClusters tc = CorrelationClustering.cluster(r, List.of(0.05), o, 2, pairs).results().get(0);
      assertEquals(pairs, tc.independent(), "one cluster per pair");
      ThresholdClusters again = CorrelationClustering.cluster(r, List.of(0.05), o, 2, pairs).results().get(0);
      assertArrayEquals(tc.representatives(), again.representatives(), "seed " + seed);
      layer1 += tc.independentPerLayer()[1];
    }
    // Binomial(800, 1/2): mean 400, sd 14; [340, 460] is more than 4 sd either side
    assertTrue(layer1 >= 340 && layer1 <= 460, "layer 1 credited " + layer1 + " of 800");
  }

  @Test
  void cut_randomRepresentative_seededAndAMember() {
    float[][] x = NeuronCorrelationTest.correlated(50, 20, 2, 0.0, 11);
    CorrelationMatrix r = NeuronCorrelation.compute(DenseActivations.of(x));
    ClusterOptions o = new ClusterOptions(ClusterOptions.Distance.ABS, ClusterOptions.Representative.RANDOM, 3);
    ThresholdClusters a = CorrelationClustering.cluster(r, List.of(0.5), o, 2, 10).results().get(0);
    ThresholdClusters b = CorrelationClustering.cluster(r, List.of(0.5), o, 2, 10).results().get(0);
    assertArrayEquals(a.representatives(), b.representatives());
    for (int c = 0; c < a.independent(); c++) {
      int rep = a.representatives()[c];
      assertTrue(Arrays.stream(a.clusters()[c]).anyMatch(m -> m == rep));
    }
  }

  @Test
  void cluster_thresholdOutsideOpenInterval_clearError() {
    CorrelationMatrix r = NeuronCorrelation.compute(DenseActivations.of(NeuronCorrelationTest.correlated(20, 4, 1, 0, 1)));
    for (double t : new double[] {0, 2, -0.1, 2.5, Double.NaN}) {
      NeuroLensException e =
          assertThrows(NeuroLensException.class,
              () -> CorrelationClustering.cluster(r, List.of(t), ClusterOptions.defaults(), 1, 4));
      assertTrue(e.getMessage().contains("threshold"), e.getMessage());
    }
  }
}
