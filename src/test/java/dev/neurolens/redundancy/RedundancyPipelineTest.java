package dev.neurolens.redundancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.activation.DenseActivations;
import dev.neurolens.probe.LayerLayout;
import dev.neurolens.probe.ProbeOptions;
import dev.neurolens.probe.ProbeTask;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RedundancyPipelineTest {
  static final int LAYERS = 3;
  static final int HIDDEN = 100;

  /**
   * 4 classes = the sign quadrant of neurons (0, 5) and (0, 17): exactly these two neurons are
   * needed (one of them gives at most 50%). Neuron (0, 40) duplicates (0, 5); layer 1 is a noisy
   * copy of layer 0; layer 2 is noise.
   */
  static float[][] data(int n, int[] labels, long seed) {
    Random rnd = new Random(seed);
    float[][] x = new float[n][LAYERS * HIDDEN];
    for (int i = 0; i < n; i++) {
      int s0 = rnd.nextBoolean() ? 1 : -1;
      int s1 = rnd.nextBoolean() ? 1 : -1;
      labels[i] = (s0 > 0 ? 1 : 0) + (s1 > 0 ? 2 : 0);
      for (int j = 0; j < LAYERS * HIDDEN; j++) {
        x[i][j] = (float) rnd.nextGaussian();
      }
      x[i][5] = (float) (s0 * (1 + rnd.nextDouble()) * 2);
      x[i][17] = (float) (s1 * (1 + rnd.nextDouble()) * 2);
      x[i][40] = (float) (0.98 * x[i][5] + 0.05 * rnd.nextGaussian());
      for (int j = 0; j < HIDDEN; j++) {
        x[i][HIDDEN + j] = (float) (x[i][j] + 0.3 * rnd.nextGaussian());
      }
    }
    return x;
  }

  @Test
  void run_syntheticTaskWithTwoNeededNeurons_findsMinimalSetOfTwo() {
    int n = 2400;
    int[] labels = new int[n];
    DenseActivations x = DenseActivations.of(data(n, labels, 3));
    ProbeTask task = ProbeTask.classification("quadrant", 4, labels);
    int[] train = IntStream.range(0, 2000).toArray();
    int[] test = IntStream.range(2000, n).toArray();
    PipelineOptions defaults = PipelineOptions.defaults(7);
    ProbeOptions probe = defaults.probe().toBuilder().optEpochs(20).optLearningRate(0.01).build();
    PipelineOptions opts =
        new PipelineOptions(probe, defaults.thresholds(), defaults.ccThresholds(), defaults.stride(),
            defaults.percentages(), defaults.devFraction(), defaults.seed(), defaults.cluster());
    TaskRedundancy res =
        RedundancyPipeline.run(x, task, train, test, LayerLayout.of(LAYERS, HIDDEN), opts, s -> {});
    assertEquals(200, res.devRows());
    assertEquals(1800, res.trainRows());
    assertTrue(res.oracleTestScore() > 0.9, "oracle " + res.oracleTestScore());
    assertEquals(6, res.rows().size());
    for (PipelineRow row : res.rows()) {
      assertEquals(0, row.selectedLayer(), row.toString());
      assertEquals(2, row.minimalNeurons(), row.toString());
      assertEquals(100.0 * (1 - 2.0 / 300), row.percentRemovable(), 1e-9);
      assertTrue(row.minimalTestScore() > 0.9, row.toString());
      Set<LayerNeuron> set = Set.copyOf(row.minimalSet());
      assertTrue(set.contains(new LayerNeuron(0, 17)), set.toString());
      assertTrue(set.contains(new LayerNeuron(0, 5)) || set.contains(new LayerNeuron(0, 40)), set.toString());
      if (row.ccThreshold() == PipelineOptions.NO_CC) {
        assertEquals(100, row.neuronsAfterCc());
      } else {
        assertTrue(row.neuronsAfterCc() <= 99, "CC must merge (0,5) and (0,40): " + row.neuronsAfterCc());
      }
    }
  }

  @Test
  void devSplit_seeded_disjointTenPercent() {
    int[] rows = IntStream.range(100, 200).toArray();
    int[][] a = RedundancyPipeline.devSplit(rows, 0.1, 5);
    int[][] b = RedundancyPipeline.devSplit(rows, 0.1, 5);
    assertEquals(10, a[1].length);
    assertEquals(90, a[0].length);
    assertTrue(Arrays.equals(a[1], b[1]));
    assertTrue(Arrays.stream(a[1]).noneMatch(r -> Arrays.stream(a[0]).anyMatch(t -> t == r)));
  }

  /** Issue 15: the dev split takes whole snippets (groups of rows), never part of one. */
  @Test
  void devSplit_byGroup_takesWholeGroupsSeeded() {
    int[] groupOfRow = new int[200];
    for (int i = 0; i < 200; i++) {
      groupOfRow[i] = i / 5; // 40 snippets of 5 tokens
    }
    int[] rows = IntStream.range(0, 200).filter(i -> i % 7 != 0).toArray(); // some rows are test rows elsewhere
    int[][] a = RedundancyPipeline.devSplit(rows, groupOfRow, 0.1, 5);
    int[][] b = RedundancyPipeline.devSplit(rows, groupOfRow, 0.1, 5);
    assertTrue(Arrays.equals(a[1], b[1]));
    java.util.Set<Integer> devGroups = new java.util.HashSet<>();
    Arrays.stream(a[1]).forEach(r -> devGroups.add(groupOfRow[r]));
    assertEquals(4, devGroups.size(), "10% of 40 snippets");
    assertTrue(Arrays.stream(a[0]).noneMatch(r -> devGroups.contains(groupOfRow[r])), "a dev snippet has train rows");
    assertEquals(rows.length, a[0].length + a[1].length);
    int[][] c = RedundancyPipeline.devSplit(rows, groupOfRow, 0.1, 6);
    assertTrue(!Arrays.equals(a[1], c[1]), "another seed, another dev split");
  }

  @Test
  void defaults_paperSettings() {
    PipelineOptions o = PipelineOptions.defaults(1);
    assertEquals(List.of(new PipelineOptions.Thresholds(3, 1), new PipelineOptions.Thresholds(2, 1), new PipelineOptions.Thresholds(1, 1)), o.thresholds());
    assertEquals(List.of(0.0, 0.3), o.ccThresholds());
    assertEquals(1000, o.stride());
    assertEquals(27, o.percentages().size());
    assertEquals(0.001, o.percentages().get(0));
    assertEquals(0.9, o.percentages().get(26));
  }
}
