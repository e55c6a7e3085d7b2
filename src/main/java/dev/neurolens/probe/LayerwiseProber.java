package dev.neurolens.probe;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Layer-wise probing (ALGORITHMS.md sections 2-3): a probe on each layer's D features, the oracle
 * on all L * D features, and incremental probes on layers 0..l; with a control task (Hewitt and
 * Liang), the same probe setup is trained on the control labels and selectivity = task test score
 * - control test score is reported for every entry.
 *
 * <p>Usage: {@code LayerwiseResult r = LayerwiseProber.run(x, layout, splits, task, null,
 * EnumSet.of(LayerwiseProber.Mode.EACH, LayerwiseProber.Mode.ORACLE), ProbeOptions.defaults(), null)}
 */
public final class LayerwiseProber {

  /** Which probes to train. */
  public enum Mode {
    /** One probe per layer. */
    EACH,
    /** One probe on all layers. */
    ORACLE,
    /** One probe on layers 0..l for every l. */
    INCREMENTAL
  }

  private LayerwiseProber() {}

  /**
   * Trains and scores the probes of {@code modes}.
   *
   * @param x N x (L * D) activations, layer-major
   * @param layout L and D of x
   * @param control control task over the same rows (classification), or null
   * @param progress receives one line per trained probe (may be null)
   */
  public static LayerwiseResult run(
      ActivationMatrix x, LayerLayout layout, Splits splits, ProbeTask task, ProbeTask control,
      Set<Mode> modes, ProbeOptions options, Consumer<String> progress) {
    if (x.cols() != layout.features()) {
      throw new NeuroLensException(
          "layer layout: " + layout.numLayers() + " x " + layout.neuronsPerLayer() + " = "
              + layout.features() + " features, the activations have " + x.cols());
    }
    if (control != null && control.rows() != task.rows()) {
      throw new NeuroLensException(
          "control task " + control.name() + ": has " + control.rows() + " rows, task has " + task.rows());
    }
    ProbeOptions o = options.layout() == null ? options.toBuilder().optLayout(layout).build() : options;
    Set<Mode> m = modes.isEmpty() ? EnumSet.noneOf(Mode.class) : EnumSet.copyOf(modes);
    List<Planned> plan = new ArrayList<>();
    int last = layout.numLayers() - 1;
    if (m.contains(Mode.EACH)) {
      for (int l = 0; l <= last; l++) {
        plan.add(new Planned("layer_" + l, l, layout.hookName(l), l, l));
      }
    }
    if (m.contains(Mode.INCREMENTAL)) {
      for (int l = 0; l <= last; l++) {
        plan.add(new Planned("layers_0-" + l, l, layout.hookName(0) + ".." + layout.hookName(l), 0, l));
      }
    }
    if (m.contains(Mode.ORACLE)) {
      plan.add(new Planned("oracle", -1, "all", 0, last));
    }
    if (plan.isEmpty()) {
      return new LayerwiseResult(task.name(), List.of(), null, List.of(), Map.of());
    }
    // one pass trains every probe (and its control twin): one read of each minibatch for all
    List<BlockTrainer.Spec> specs = new ArrayList<>();
    for (Planned p : plan) {
      specs.add(new BlockTrainer.Spec(p.name, task, p.first, p.last, p.name));
      if (control != null) {
        specs.add(new BlockTrainer.Spec("control_" + p.name, control, p.first, p.last, p.name + " (control)"));
      }
    }
    if (progress != null) {
      progress.accept("training " + specs.size() + " probes of " + task.name() + " in one pass over "
          + splits.train().length + " rows");
    }
    List<Probe> trained = BlockTrainer.train(x, layout.numLayers(), layout.neuronsPerLayer(), splits.train(),
        specs, o, progress == null ? null : line -> progress.accept(task.name() + " " + line));
    Map<String, Probe> probes = new LinkedHashMap<>();
    for (int i = 0; i < specs.size(); i++) {
      probes.put(specs.get(i).name(), trained.get(i));
    }
    Scorer scorer = new Scorer(x, layout, specs, trained);
    List<float[]> onTrain = scorer.outputs(splits.train());
    List<float[]> onDev = splits.dev().length == 0 ? null : scorer.outputs(splits.dev());
    List<float[]> onTest = scorer.outputs(splits.test());
    List<LayerwiseResult.Entry> layers = new ArrayList<>();
    List<LayerwiseResult.Entry> incremental = new ArrayList<>();
    LayerwiseResult.Entry oracle = null;
    int step = control == null ? 1 : 2;
    for (int i = 0; i < plan.size(); i++) {
      Planned p = plan.get(i);
      int k = i * step;
      Probe probe = trained.get(k);
      double train = ProbeEvaluator.fromOutputs(probe, onTrain.get(k), splits.train(), task, "train").score();
      Double dev = onDev == null ? null : ProbeEvaluator.fromOutputs(probe, onDev.get(k), splits.dev(), task, "dev").score();
      ProbeScores test = ProbeEvaluator.fromOutputs(probe, onTest.get(k), splits.test(), task, "test");
      Double controlTest = null;
      Double selectivity = null;
      if (control != null) {
        controlTest = ProbeEvaluator.fromOutputs(trained.get(k + 1), onTest.get(k + 1), splits.test(), control, "test").score();
        selectivity = test.score() - controlTest;
      }
      if (progress != null) {
        progress.accept(
            task.name() + " " + p.name + ": test " + String.format("%.4f", test.score())
                + (selectivity == null ? "" : ", selectivity " + String.format("%.4f", selectivity)));
      }
      LayerwiseResult.Entry e =
          new LayerwiseResult.Entry(p.name, p.layer, p.hook, train, dev, test.score(), controlTest, selectivity, test);
      if (p.name.equals("oracle")) {
        oracle = e;
      } else if (p.first == p.last && p.name.startsWith("layer_")) {
        layers.add(e);
      } else {
        incremental.add(e);
      }
    }
    return new LayerwiseResult(task.name(), layers, oracle, incremental, probes);
  }

  /** One entry to probe: its name, layer (-1: all), hook description and layer range. */
  private record Planned(String name, int layer, String hook, int first, int last) {}

  /**
   * Scores the trained probes on a split: all of them in one read of its rows, or each alone when
   * they standardise their inputs.
   */
  private record Scorer(ActivationMatrix x, LayerLayout layout, List<BlockTrainer.Spec> specs, List<Probe> probes) {

    List<float[]> outputs(int[] rows) {
      int d = layout.neuronsPerLayer();
      if (probes.get(0).featureMean() == null) {
        return BlockTrainer.outputs(x, layout.numLayers(), d, rows, probes,
            specs.stream().mapToInt(BlockTrainer.Spec::first).toArray(),
            specs.stream().mapToInt(BlockTrainer.Spec::last).toArray());
      }
      List<float[]> out = new ArrayList<>();
      for (int i = 0; i < probes.size(); i++) {
        Probe p = probes.get(i);
        BlockTrainer.Spec s = specs.get(i);
        ActivationMatrix view = s.first() == 0 && s.last() == layout.numLayers() - 1
            ? x : ColumnSubset.of(x, layout.layerRange(s.first(), s.last()));
        if (p.regression()) {
          out.add(ProbeEvaluator.scores(p, view, rows, layout));
          continue;
        }
        int[] pred = ProbeEvaluator.predict(p, view, rows, layout);
        float[] o = new float[rows.length];
        for (int r = 0; r < rows.length; r++) {
          o[r] = pred[r];
        }
        out.add(o);
      }
      return out;
    }
  }
}
