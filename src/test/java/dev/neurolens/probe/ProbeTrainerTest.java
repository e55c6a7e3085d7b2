package dev.neurolens.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.activation.DenseActivations;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProbeTrainerTest {
  private static final ProbeOptions FAST =
      ProbeOptions.builder().optEpochs(20).optLearningRate(1e-2).optBatchSize(32).optSeed(7).build();

  @Test
  void train_plantedClasses_highTestAccuracy() {
    Synthetic s = Synthetic.planted(600, 20, 3, 3f, 1);
    ProbeTask task = ProbeTask.classification("planted", 3, s.labels);
    Probe probe = ProbeTrainer.train(s.x, Synthetic.range(0, 400), task, FAST);
    ProbeScores test = ProbeEvaluator.evaluate(probe, s.x, Synthetic.range(400, 600), task);
    assertTrue(test.accuracy() > 0.85, "accuracy " + test.accuracy());
    assertEquals(200, test.rows());
    // the weight of class c on its planted feature beats every noise feature of that row
    java.util.Set<Integer> plantedSet = java.util.Set.of(s.planted[0], s.planted[1], s.planted[2]);
    for (int c = 0; c < 3; c++) {
      float planted = probe.weight(c, s.planted[c]);
      for (int j = 0; j < 20; j++) {
        if (!plantedSet.contains(j)) {
          assertTrue(planted > Math.abs(probe.weight(c, j)), "class " + c + " feature " + j);
        }
      }
    }
  }

  @Test
  void train_sameSeed_identicalWeights_differentSeed_differentWeights() {
    Synthetic s = Synthetic.planted(200, 8, 2, 2f, 2);
    ProbeTask task = ProbeTask.classification("t", 2, s.labels);
    int[] rows = Synthetic.range(0, 200);
    Probe a = ProbeTrainer.train(s.x, rows, task, FAST);
    Probe b = ProbeTrainer.train(s.x, rows, task, FAST);
    Probe c = ProbeTrainer.train(s.x, rows, task, FAST.toBuilder().optSeed(8).build());
    assertArrayEquals(a.weights()[0], b.weights()[0]);
    assertTrue(a.weights()[0][0] != c.weights()[0][0]);
  }

  @Test
  void train_streamedChunks_learnsLikeInMemory() {
    Synthetic s = Synthetic.planted(600, 20, 3, 3f, 3);
    ProbeTask task = ProbeTask.classification("planted", 3, s.labels);
    Probe probe =
        ProbeTrainer.train(s.x, Synthetic.range(0, 400), task, FAST.toBuilder().optMaxInMemoryBytes(0).build());
    ProbeScores test = ProbeEvaluator.evaluate(probe, s.x, Synthetic.range(400, 600), task);
    assertTrue(test.accuracy() > 0.85, "accuracy " + test.accuracy());
  }

  @Test
  void train_regression_recoversPlantedLinearRelation() {
    int n = 800;
    int f = 10;
    Random r = new Random(5);
    float[] data = new float[n * f];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < f; j++) {
        data[i * f + j] = (float) r.nextGaussian();
      }
      y[i] = 2f * data[i * f + 3] - data[i * f + 7] + 0.5f + 0.05f * (float) r.nextGaussian();
    }
    DenseActivations x = new DenseActivations(data, n, f);
    ProbeTask task = ProbeTask.regression("depth", y);
    ProbeOptions o = FAST.toBuilder().optEpochs(60).optLearningRate(3e-2).build();
    Probe probe = ProbeTrainer.train(x, Synthetic.range(0, 600), task, o);
    assertTrue(probe.regression());
    assertEquals(2.0, probe.weight(0, 3), 0.1);
    assertEquals(-1.0, probe.weight(0, 7), 0.1);
    assertEquals(0.5, probe.bias()[0], 0.1);
    assertEquals(0.0, probe.weight(0, 0), 0.1);
    ProbeScores test = ProbeEvaluator.evaluate(probe, x, Synthetic.range(600, n), task);
    assertTrue(test.pearson() > 0.99, "pearson " + test.pearson());
    assertTrue(test.spearman() > 0.98, "spearman " + test.spearman());
    assertTrue(test.mse() < 0.05, "mse " + test.mse());
  }

  @Test
  void train_standardized_recordsStatsAndStillLearns() {
    Synthetic s = Synthetic.planted(600, 20, 3, 3f, 4);
    ProbeTask task = ProbeTask.classification("planted", 3, s.labels);
    Probe probe =
        ProbeTrainer.train(s.x, Synthetic.range(0, 400), task, FAST.toBuilder().optStandardize(true).build());
    assertEquals(20, probe.featureMean().length);
    assertTrue(ProbeEvaluator.evaluate(probe, s.x, Synthetic.range(400, 600), task).accuracy() > 0.85);
  }

  @Test
  void train_classWithOneRow_droppedWithWarningOrError() {
    Synthetic s = Synthetic.planted(100, 6, 2, 3f, 6);
    int[] labels = s.labels.clone();
    labels[0] = 2; // the only row of class 2
    ProbeTask task = ProbeTask.classification("t", List.of("a", "b", "rare"), labels);
    Probe probe = ProbeTrainer.train(s.x, Synthetic.range(0, 100), task, FAST);
    assertEquals(List.of("rare"), probe.droppedClasses());
    assertTrue(probe.provenance().warnings().get(0).contains("'rare'"));
    assertEquals(99, probe.provenance().trainRows());
    ProbeScores scores = ProbeEvaluator.evaluate(probe, s.x, Synthetic.range(0, 100), task);
    assertEquals(1, scores.skippedRows());
    assertEquals(0, scores.confusion()[0][2] + scores.confusion()[1][2], "rare class never predicted");
    ProbeOptions strict = FAST.toBuilder().optSmallClasses(ProbeOptions.SmallClassPolicy.ERROR).build();
    NeuroLensException e =
        assertThrows(NeuroLensException.class, () -> ProbeTrainer.train(s.x, Synthetic.range(0, 100), task, strict));
    assertTrue(e.getMessage().contains("class 'rare' has 1 training rows"), e.getMessage());
  }

  @Test
  void train_balance_undersamplesToSmallestClass() {
    int[] labels = new int[100];
    for (int i = 0; i < 100; i++) {
      labels[i] = i < 80 ? 0 : 1; // 80 vs 20
    }
    Synthetic s = Synthetic.planted(100, 4, 2, 1f, 9);
    Probe probe =
        ProbeTrainer.train(s.x, Synthetic.range(0, 100), ProbeTask.classification("task", 2, labels), FAST.toBuilder().optBalance(true).build());
    assertEquals(40, probe.provenance().trainRows());
    assertEquals(List.of("0", "1"), probe.labelNames());
  }

  @Test
  void train_nanActivation_errorNamesRowAndLayer() {
    float[] data = new float[10 * 6];
    data[5 * 6 + 4] = Float.NaN;
    DenseActivations x = new DenseActivations(data, 10, 6);
    ProbeTask task = ProbeTask.classification("t", 2, new int[] {0, 1, 0, 1, 0, 1, 0, 1, 0, 1});
    ProbeOptions o = FAST.toBuilder().optLayout(LayerLayout.of(3, 2)).build();
    NeuroLensException e =
        assertThrows(NeuroLensException.class, () -> ProbeTrainer.train(x, Synthetic.range(0, 10), task, o));
    assertEquals(
        "activations: row 5, feature 4 (layer 2, index 0) is NaN; activations must be finite "
            + "(re-extract or drop the row)",
        e.getMessage());
  }

  @Test
  void train_emptySplit_clearError() {
    Synthetic s = Synthetic.planted(10, 4, 2, 1f, 7);
    ProbeTask task = ProbeTask.classification("t", 2, s.labels);
    NeuroLensException e =
        assertThrows(NeuroLensException.class, () -> ProbeTrainer.train(s.x, new int[0], task, FAST));
    assertEquals("train split: is empty; it needs at least one row", e.getMessage());
  }

  @Test
  void saveLoad_roundTrip_samePredictions(@TempDir Path dir) {
    Synthetic s = Synthetic.planted(200, 10, 3, 3f, 8);
    ProbeTask task = ProbeTask.classification("kind", List.of("x", "y", "z"), s.labels);
    Probe probe =
        ProbeTrainer.train(s.x, Synthetic.range(0, 200), task, FAST.toBuilder().optStandardize(true).build(), "test");
    Path file = dir.resolve("probe.json");
    ProbeIO.save(probe, file);
    Probe loaded = ProbeIO.load(file);
    assertEquals(probe.labelNames(), loaded.labelNames());
    assertEquals(probe.provenance(), loaded.provenance());
    assertArrayEquals(probe.featureIds(), loaded.featureIds());
    int[] rows = Synthetic.range(0, 200);
    assertArrayEquals(
        ProbeEvaluator.scores(probe, s.x, rows, null), ProbeEvaluator.scores(loaded, s.x, rows, null));
  }
}
