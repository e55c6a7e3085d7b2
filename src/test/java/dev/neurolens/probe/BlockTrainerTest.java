package dev.neurolens.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.activation.DenseActivations;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Probes trained together in one pass ({@link BlockTrainer}) against probes trained one by one,
 * and against a double-precision transcription of full-batch Adam on the elastic-net objective.
 */
class BlockTrainerTest {
  private static final int L = 3;
  private static final int D = 5;

  /** L x D noise; layer 1 neuron 2 carries class 1, layer 2 neuron 0 class 2. */
  private static DenseActivations data(int n, int[] labels, Random r) {
    float[] x = new float[n * L * D];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < L * D; j++) {
        x[i * L * D + j] = (float) r.nextGaussian();
      }
      x[i * L * D + D + 2] += labels[i] == 1 ? 2.5f : 0f;
      x[i * L * D + 2 * D] += labels[i] == 2 ? 2.5f : 0f;
    }
    return new DenseActivations(x, n, L * D);
  }

  @Test
  void layerwise_oneJointPass_equalsEachProbeTrainedAlone() {
    int n = 500;
    Random r = new Random(5);
    int[] labels = new int[n];
    int[] ctrl = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = r.nextInt(3);
      ctrl[i] = r.nextInt(3);
    }
    DenseActivations x = data(n, labels, r);
    ProbeTask task = ProbeTask.classification("k", 3, labels);
    ProbeTask control = ProbeTask.classification("k_control", 3, ctrl);
    Splits splits = Splits.random(n, 0.1, 0.2, 4);
    ProbeOptions o = ProbeOptions.builder().optEpochs(4).optLearningRate(1e-2).optBatchSize(32).build();
    LayerLayout layout = LayerLayout.of(L, D);
    LayerwiseResult joint = LayerwiseProber.run(x, layout, splits, task, control,
        EnumSet.allOf(LayerwiseProber.Mode.class), o, null);
    assertEquals(2 * (L + L + 1), joint.probes().size());
    for (var e : joint.probes().entrySet()) {
      String name = e.getKey();
      boolean isControl = name.startsWith("control_");
      String base = isControl ? name.substring("control_".length()) : name;
      int[] cols = base.equals("oracle") ? layout.layerRange(0, L - 1)
          : base.startsWith("layers_0-") ? layout.layerRange(0, Integer.parseInt(base.substring(9)))
          : layout.layerFeatures(Integer.parseInt(base.substring(6)));
      // alone: one block of the selected columns (a plain (n, F) x (F, C) product per step)
      ActivationMatrix view = ColumnSubset.of(x, cols);
      Probe alone = ProbeTrainer.train(view, splits.train(), isControl ? control : task,
          o.toBuilder().optLayout(null).build());
      Probe together = e.getValue();
      assertEquals(alone.numFeatures(), together.numFeatures(), name);
      for (int c = 0; c < 3; c++) {
        for (int j = 0; j < alone.numFeatures(); j++) {
          assertEquals(alone.weight(c, j), together.weight(c, j), 2e-4, name + " class " + c + " feature " + j);
        }
        assertEquals(alone.bias()[c], together.bias()[c], 2e-4, name);
      }
      assertEquals(alone.provenance().finalLoss(), together.provenance().finalLoss(), 1e-4, name);
      if (!isControl) {
        // the joint scoring of a split equals the one-probe evaluator on the same probe
        double test = ProbeEvaluator.evaluate(together, view, splits.test(), task).score();
        LayerwiseResult.Entry entry = base.equals("oracle") ? joint.oracle()
            : (base.startsWith("layer_") ? joint.layers() : joint.incremental()).stream()
                .filter(en -> en.name().equals(base)).findFirst().orElseThrow();
        assertEquals(test, entry.test(), 1e-12, name);
      }
    }
    // the signal: layer 1 and 2 probes learn, layer 0 is at chance; control is near chance
    assertTrue(joint.layers().get(0).test() < 0.55, "layer 0 " + joint.layers().get(0).test());
    assertTrue(joint.oracle().test() > 0.8, "oracle " + joint.oracle().test());
  }

  @Test
  void controlWithADroppedClass_trainsInItsOwnPass_stillEqualsAlone() {
    int n = 300;
    Random r = new Random(9);
    int[] labels = new int[n];
    int[] ctrl = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = r.nextInt(3);
      ctrl[i] = r.nextInt(2); // class 2 of the control never occurs: dropped, its rows differ
    }
    Splits splits = Splits.random(n, 0.0, 0.2, 1);
    ctrl[splits.train()[0]] = 2; // one training row of class 2: dropped with its row
    DenseActivations x = data(n, labels, r);
    ProbeTask task = ProbeTask.classification("k", 3, labels);
    ProbeTask control = ProbeTask.classification("k_control", 3, ctrl);
    ProbeOptions o = ProbeOptions.builder().optEpochs(3).optLearningRate(1e-2).optBatchSize(16).build();
    List<BlockTrainer.Spec> specs = List.of(
        new BlockTrainer.Spec("a", task, 0, L - 1, ""), new BlockTrainer.Spec("b", control, 0, L - 1, ""));
    List<Probe> both = BlockTrainer.train(x, L, D, splits.train(), specs, o, null);
    assertEquals(List.of("2"), both.get(1).droppedClasses());
    assertEquals(splits.train().length - 1, both.get(1).provenance().trainRows());
    Probe alone = BlockTrainer.train(x, L, D, splits.train(), List.of(specs.get(1)), o, null).get(0);
    for (int c = 0; c < 3; c++) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(alone.weights()[c], both.get(1).weights()[c]);
    }
  }

  @Test
  void fullBatchSteps_equalADoublePrecisionAdamOnTheElasticNetObjective() {
    int n = 64;
    Random r = new Random(11);
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = r.nextInt(3);
    }
    DenseActivations x = data(n, labels, r);
    ProbeTask task = ProbeTask.classification("k", 3, labels);
    int[] rows = Synthetic.range(0, n);
    double lr = 0.05;
    double l1 = 1e-3;
    double l2 = 1e-2;
    int steps = 4; // one full-batch minibatch per epoch: the order cannot matter
    ProbeOptions o = ProbeOptions.builder().optEpochs(steps).optBatchSize(n).optLearningRate(lr)
        .optLambda1(l1).optLambda2(l2).optSeed(7).build();
    List<BlockTrainer.Spec> specs = List.of(
        new BlockTrainer.Spec("layer_1", task, 1, 1, ""), new BlockTrainer.Spec("oracle", task, 0, L - 1, ""),
        new BlockTrainer.Spec("layers_0-1", task, 0, 1, ""));
    List<Probe> trained = BlockTrainer.train(x, L, D, rows, specs, o, null);
    for (int p = 0; p < specs.size(); p++) {
      BlockTrainer.Spec s = specs.get(p);
      int f = (s.last() - s.first() + 1) * D;
      double[][] xs = new double[n][f];
      float[] buf = new float[L * D];
      for (int i = 0; i < n; i++) {
        x.read(i, 1, buf);
        for (int j = 0; j < f; j++) {
          xs[i][j] = buf[s.first() * D + j];
        }
      }
      double[][] w = reference(xs, labels, 3, f, 7, lr, l1, l2, steps);
      Probe probe = trained.get(p);
      for (int c = 0; c < 3; c++) {
        for (int j = 0; j < f; j++) {
          assertEquals(w[c][j], probe.weight(c, j), 1e-5, s.name() + " class " + c + " feature " + j);
        }
        assertEquals(w[3][c], probe.bias()[c], 1e-5, s.name() + " bias " + c);
      }
    }
    // the three probes did move, differently
    assertNotEquals(trained.get(0).weight(0, 0), trained.get(2).weight(0, D));
  }

  /**
   * torch.optim.Adam (beta 0.9/0.999, eps 1e-8) on mean cross-entropy + l1 sum|W| + l2 ||W||, full
   * batch, in double; weights initialised as nn.Linear from new Random(seed). Returns W (C rows)
   * and the bias as row C.
   */
  private static double[][] reference(double[][] xs, int[] gold, int c, int f, long seed, double lr,
      double l1, double l2, int steps) {
    Random random = new Random(seed);
    double bound = 1 / Math.sqrt(f);
    double[] theta = new double[c * f + c];
    for (int i = 0; i < theta.length; i++) {
      theta[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
    }
    double[] m = new double[theta.length];
    double[] v = new double[theta.length];
    int n = xs.length;
    for (int t = 1; t <= steps; t++) {
      double[] g = new double[theta.length];
      for (int i = 0; i < n; i++) {
        double[] s = new double[c];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < c; k++) {
          s[k] = theta[c * f + k];
          for (int j = 0; j < f; j++) {
            s[k] += theta[k * f + j] * xs[i][j];
          }
          max = Math.max(max, s[k]);
        }
        double z = 0;
        for (int k = 0; k < c; k++) {
          z += Math.exp(s[k] - max);
        }
        for (int k = 0; k < c; k++) {
          double d = (Math.exp(s[k] - max) / z - (k == gold[i] ? 1 : 0)) / n;
          for (int j = 0; j < f; j++) {
            g[k * f + j] += d * xs[i][j];
          }
          g[c * f + k] += d;
        }
      }
      double norm = 0;
      for (int i = 0; i < c * f; i++) {
        norm += theta[i] * theta[i];
      }
      norm = Math.sqrt(norm);
      for (int i = 0; i < c * f; i++) {
        g[i] += l1 * Math.signum(theta[i]) + l2 * theta[i] / norm;
      }
      for (int i = 0; i < theta.length; i++) {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
        double mh = m[i] / (1 - Math.pow(0.9, t));
        double vh = v[i] / (1 - Math.pow(0.999, t));
        theta[i] -= lr * mh / (Math.sqrt(vh) + 1e-8);
      }
    }
    double[][] out = new double[c + 1][];
    for (int k = 0; k < c; k++) {
      out[k] = java.util.Arrays.copyOfRange(theta, k * f, (k + 1) * f);
    }
    out[c] = java.util.Arrays.copyOfRange(theta, c * f, c * f + c);
    return out;
  }

  @Test
  void sideBySidePasses_giveTheProbesOfOnePass_bitForBit() {
    int n = 400;
    Random r = new Random(21);
    int[] labels = new int[n];
    int[] ctrl = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = r.nextInt(3);
      ctrl[i] = r.nextInt(3);
    }
    DenseActivations x = data(n, labels, r);
    ProbeTask task = ProbeTask.classification("k", 3, labels);
    ProbeTask control = ProbeTask.classification("k_control", 3, ctrl);
    Splits splits = Splits.random(n, 0.1, 0.2, 4);
    ProbeOptions o = ProbeOptions.builder().optEpochs(3).optLearningRate(1e-2).optBatchSize(32).build();
    String before = System.getProperty("neurolens.probeWorkers");
    try {
      System.setProperty("neurolens.probeWorkers", "1");
      LayerwiseResult one = LayerwiseProber.run(x, LayerLayout.of(L, D), splits, task, control,
          EnumSet.allOf(LayerwiseProber.Mode.class), o, null);
      System.setProperty("neurolens.probeWorkers", "2");
      List<String> lines = new ArrayList<>();
      LayerwiseResult two = LayerwiseProber.run(x, LayerLayout.of(L, D), splits, task, control,
          EnumSet.allOf(LayerwiseProber.Mode.class), o, lines::add);
      assertEquals(List.copyOf(one.probes().keySet()), List.copyOf(two.probes().keySet()));
      for (String k : one.probes().keySet()) {
        for (int c = 0; c < 3; c++) {
          org.junit.jupiter.api.Assertions.assertArrayEquals(one.probes().get(k).weights()[c],
              two.probes().get(k).weights()[c], k);
        }
      }
      assertEquals(dev.neurolens.util.Json.line(one.layers()), dev.neurolens.util.Json.line(two.layers()));
      // one progress line per epoch, once both passes have finished it
      assertEquals(List.of("k epoch 1/3 of 14 probes", "k epoch 2/3 of 14 probes", "k epoch 3/3 of 14 probes"),
          lines.stream().filter(l -> l.contains("epoch")).toList());
    } finally {
      if (before == null) {
        System.clearProperty("neurolens.probeWorkers");
      } else {
        System.setProperty("neurolens.probeWorkers", before);
      }
    }
  }

  @Test
  void float16Rows_widenedPerMinibatch_giveTheProbeOfTheirFloat32Values() {
    int n = 300;
    Random r = new Random(8);
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = r.nextInt(3);
    }
    HalfMatrix x = HalfMatrix.of(data(n, labels, r));
    ProbeTask task = ProbeTask.classification("k", 3, labels);
    int[] rows = Synthetic.range(0, 240);
    ProbeOptions o = ProbeOptions.builder().optEpochs(3).optLearningRate(1e-2).optBatchSize(32).build();
    Probe half = ProbeTrainer.train(x, rows, task, o);
    float[] wide = new float[n * L * D];
    x.read(0, n, wide);
    Probe f32 = ProbeTrainer.train(new DenseActivations(wide, n, L * D), rows, task, o);
    for (int c = 0; c < 3; c++) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(f32.weights()[c], half.weights()[c]);
    }
    assertEquals(f32.provenance().finalLoss(), half.provenance().finalLoss(), 0.0);
  }
}
