package dev.neurolens.ablation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.activation.DenseActivations;
import dev.neurolens.probe.ColumnSubset;
import dev.neurolens.probe.LayerLayout;
import dev.neurolens.probe.Probe;
import dev.neurolens.probe.ProbeEvaluator;
import dev.neurolens.probe.ProbeOptions;
import dev.neurolens.probe.ProbeTask;
import dev.neurolens.probe.ProbeTrainer;
import dev.neurolens.probe.Synthetic;
import dev.neurolens.rank.LcaRanker;
import dev.neurolens.rank.NeuronRanking;
import org.junit.jupiter.api.Test;

class ProbeAblationTest {
  private static final ProbeOptions FAST =
      ProbeOptions.builder().optEpochs(15).optLearningRate(1e-2).optBatchSize(32).build();

  @Test
  void run_plantedNeurons_topBeatsRandomBeatsBottom() {
    Synthetic s = Synthetic.planted(800, 40, 4, 3f, 41);
    ProbeTask task = ProbeTask.classification("planted", 4, s.labels);
    int[] train = Synthetic.range(0, 600);
    int[] test = Synthetic.range(600, 800);
    Probe probe = ProbeTrainer.train(s.x, train, task, FAST);
    NeuronRanking ranking = LcaRanker.ordering(probe);
    ProbeAblation.Options o = new ProbeAblation.Options(new double[] {10}, ProbeAblation.Retrain.YES, 3, FAST);
    AblationResult r = ProbeAblation.run(s.x, train, test, task, probe, ranking, o);
    AblationResult.Entry top = r.entry("top", 10);
    AblationResult.Entry random = r.entry("random", 10);
    AblationResult.Entry bottom = r.entry("bottom", 10);
    assertEquals(4, top.neurons());
    assertTrue(r.baseline() > 0.85);
    assertTrue(top.keepZeroed() > 0.8, "top kept " + top.keepZeroed());
    assertTrue(top.keepRetrained() > 0.8, "top retrained " + top.keepRetrained());
    assertTrue(top.keepRetrained() > random.keepRetrained() + 0.15, "top vs random");
    assertTrue(random.keepRetrained() >= bottom.keepRetrained() - 0.05, "random vs bottom");
    assertTrue(bottom.keepRetrained() < 0.4, "bottom " + bottom.keepRetrained());
    assertTrue(top.removeZeroed() < 0.4, "removing the planted neurons breaks the probe");
    assertTrue(bottom.removeZeroed() > 0.8, "removing bottom neurons changes little");
  }

  @Test
  void zeroOut_equalsFeedingZeroActivations() {
    Synthetic s = Synthetic.planted(200, 10, 2, 2f, 42);
    ProbeTask task = ProbeTask.classification("t", 2, s.labels);
    int[] rows = Synthetic.range(0, 200);
    Probe probe = ProbeTrainer.train(s.x, rows, task, FAST);
    float[] data = new float[200 * 10];
    s.x.read(0, 200, data);
    for (int i = 0; i < 200; i++) {
      data[i * 10 + 3] = 0f;
      data[i * 10 + 7] = 0f;
    }
    ActivationMatrix zeroed = new DenseActivations(data, 200, 10);
    assertEquals(
        ProbeEvaluator.evaluate(probe, zeroed, rows, task).accuracy(),
        ProbeAblation.zeroOut(probe, s.x, rows, task, new int[] {3, 7}).accuracy());
  }

  @Test
  void keepOnlyAndRemove_columnsByFeatureId_layerFilter() {
    Synthetic s = Synthetic.planted(10, 6, 2, 1f, 43);
    LayerLayout layout = LayerLayout.of(3, 2);
    int[] layer1 = ProbeAblation.layerFeatures(layout, 1);
    assertArrayEquals(new int[] {2, 3}, layer1);
    ActivationMatrix kept = ProbeAblation.keepOnly(s.x, layer1);
    assertArrayEquals(new int[] {2, 3}, ColumnSubset.featureIds(kept));
    ActivationMatrix removed = ProbeAblation.remove(s.x, layer1);
    assertArrayEquals(new int[] {0, 1, 4, 5}, ColumnSubset.featureIds(removed));
    float[] row = new float[4];
    removed.read(2, 1, row);
    float[] full = new float[6];
    s.x.read(2, 1, full);
    assertArrayEquals(new float[] {full[0], full[1], full[4], full[5]}, row);
    // a view of a view keeps the original ids
    assertArrayEquals(new int[] {4}, ColumnSubset.featureIds(ProbeAblation.keepOnly(removed, new int[] {4})));
  }
}
