package dev.neurolens.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.activation.DenseActivations;
import dev.neurolens.util.Json;
import java.util.EnumSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LayerwiseProberTest {
  private static final ProbeOptions FAST =
      ProbeOptions.builder().optEpochs(15).optLearningRate(1e-2).optBatchSize(32).build();

  /** 3 layers x 6 neurons of noise; only layer 1 carries the label (neuron 1*6 + 2). */
  private static DenseActivations layered(int n, int[] labels, Random r) {
    float[] data = new float[n * 18];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 18; j++) {
        data[i * 18 + j] = (float) r.nextGaussian();
      }
      data[i * 18 + 8] += labels[i] == 1 ? 3f : 0f;
    }
    return new DenseActivations(data, n, 18);
  }

  @Test
  void run_signalInOneLayer_thatLayerAndItsSupersetsScoreHigh_controlSelectivity() {
    int n = 600;
    Random r = new Random(31);
    int[] labels = new int[n];
    int[] control = new int[n];
    int[] typeLabel = new int[30];
    for (int t = 0; t < 30; t++) {
      typeLabel[t] = r.nextInt(2);
    }
    for (int i = 0; i < n; i++) {
      labels[i] = r.nextInt(2);
      control[i] = typeLabel[i % 30]; // one random label per token type, independent of the features
    }
    DenseActivations x = layered(n, labels, r);
    ProbeTask task = ProbeTask.classification("kind", 2, labels);
    ProbeTask ctrl = ProbeTask.classification("kind_control", 2, control);
    Splits splits = Splits.random(n, 0.1, 0.3, 1);
    LayerwiseResult res =
        LayerwiseProber.run(
            x, LayerLayout.of(3, 6), splits, task, ctrl, EnumSet.allOf(LayerwiseProber.Mode.class), FAST, null);
    assertEquals(3, res.layers().size());
    assertTrue(res.layers().get(1).test() > 0.85, "layer 1 " + res.layers().get(1).test());
    assertTrue(res.layers().get(0).test() < 0.65, "layer 0 " + res.layers().get(0).test());
    assertTrue(res.layers().get(2).test() < 0.65, "layer 2 " + res.layers().get(2).test());
    assertTrue(res.incremental().get(1).test() > 0.85);
    assertTrue(res.oracle().test() > 0.85);
    // control labels are random w.r.t. the features: selectivity ~ 0 where there is no signal
    assertEquals(0.0, res.layers().get(0).selectivity(), 0.15);
    assertEquals(0.0, res.layers().get(2).selectivity(), 0.15);
    assertTrue(res.layers().get(1).selectivity() > 0.25, "selectivity " + res.layers().get(1).selectivity());
    assertEquals(3 * 2 + 3 * 2 + 2, res.probes().size());
    assertEquals(6, res.probes().get("layer_1").numFeatures());
    assertEquals(6, res.probes().get("layer_1").featureIds()[0]);
    String json = Json.line(res);
    assertTrue(json.contains("\"control_test\""), json.substring(0, 200));
    assertTrue(!json.contains("\"probes\""));
  }

  @Test
  void run_withoutControlOrDev_nullFields() {
    int n = 200;
    Random r = new Random(32);
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = r.nextInt(2);
    }
    Splits splits = new Splits(Synthetic.range(0, 150), new int[0], Synthetic.range(150, 200));
    LayerwiseResult res =
        LayerwiseProber.run(
            layered(n, labels, r), LayerLayout.of(3, 6), splits, ProbeTask.classification("k", 2, labels), null,
            EnumSet.of(LayerwiseProber.Mode.EACH), FAST, null);
    assertNull(res.layers().get(0).dev());
    assertNull(res.layers().get(0).selectivity());
    assertNull(res.oracle());
  }

  @Test
  void byGroup_rowsOfAGroupStayTogether() {
    int[] groups = new int[100];
    for (int i = 0; i < 100; i++) {
      groups[i] = i / 5;
    }
    Splits s = Splits.byGroup(groups, 0.1, 0.2, 3);
    assertEquals(100, s.train().length + s.dev().length + s.test().length);
    assertEquals(20, s.test().length);
    for (int row : s.test()) {
      for (int other = groups[row] * 5; other < groups[row] * 5 + 5; other++) {
        assertTrue(java.util.Arrays.binarySearch(s.test(), other) >= 0);
      }
    }
  }
}
