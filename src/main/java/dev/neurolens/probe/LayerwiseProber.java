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
    Map<String, Probe> probes = new LinkedHashMap<>();
    List<LayerwiseResult.Entry> layers = new ArrayList<>();
    List<LayerwiseResult.Entry> incremental = new ArrayList<>();
    LayerwiseResult.Entry oracle = null;
    Runner runner = new Runner(x, splits, task, control, o, probes, progress);
    if (m.contains(Mode.EACH)) {
      layers.addAll(eachLayer(runner, layout));
    }
    for (int l = 0; l < layout.numLayers(); l++) {
      if (m.contains(Mode.INCREMENTAL)) {
        incremental.add(
            runner.entry("layers_0-" + l, l, layout.hookName(0) + ".." + layout.hookName(l), layout.layerRange(0, l)));
      }
    }
    if (m.contains(Mode.ORACLE)) {
      oracle = runner.entry("oracle", -1, "all", null);
    }
    return new LayerwiseResult(task.name(), layers, oracle, incremental, probes);
  }

  /**
   * The per-layer probes, trained on as many Java threads as the cores hold PyTorch's intra-op
   * thread count (system property {@code neurolens.layerWorkers} overrides) (each probe is single-threaded and seeded, so the results do not depend on
   * the order they finish in); probes are recorded in layer order.
   */
  private static List<LayerwiseResult.Entry> eachLayer(Runner runner, LayerLayout layout) {
    ai.djl.engine.Engine.getEngine("PyTorch"); // loads the native library before the thread query
    int free = Runtime.getRuntime().availableProcessors() / Math.max(1, ai.djl.pytorch.jni.JniUtils.getNumThreads());
    int workers = Math.max(1, Math.min(layout.numLayers(), Integer.getInteger("neurolens.layerWorkers", free)));
    Map<String, Probe> own = new LinkedHashMap<>();
    List<java.util.concurrent.Callable<LayerwiseResult.Entry>> jobs = new ArrayList<>();
    List<Map<String, Probe>> perLayer = new ArrayList<>();
    for (int l = 0; l < layout.numLayers(); l++) {
      int layer = l;
      Map<String, Probe> mine = new LinkedHashMap<>();
      perLayer.add(mine);
      Runner r = runner.withProbes(mine);
      jobs.add(() -> r.entry("layer_" + layer, layer, layout.hookName(layer), layout.layerFeatures(layer)));
    }
    List<LayerwiseResult.Entry> out = new ArrayList<>();
    if (workers == 1) {
      for (var job : jobs) {
        try {
          out.add(job.call());
        } catch (Exception e) {
          throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
      }
    } else {
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(workers, t -> {
        Thread th = new Thread(t, "layer-probe");
        th.setDaemon(true);
        return th;
      });
      try {
        for (var f : pool.invokeAll(jobs)) {
          out.add(f.get());
        }
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while probing layers", e);
      } finally {
        pool.shutdownNow();
      }
    }
    perLayer.forEach(own::putAll);
    runner.probes().putAll(own);
    return out;
  }

  /** Trains and scores the task (and control) probes of one feature selection. */
  private record Runner(
      ActivationMatrix x, Splits splits, ProbeTask task, ProbeTask control, ProbeOptions options,
      Map<String, Probe> probes, Consumer<String> progress) {

    /** The same runner recording its probes in {@code other}. */
    Runner withProbes(Map<String, Probe> other) {
      return new Runner(x, splits, task, control, options, other, progress);
    }

    LayerwiseResult.Entry entry(String name, int layer, String hook, int[] columns) {
      ActivationMatrix view = columns == null ? x : ColumnSubset.of(x, columns);
      Probe probe = ProbeTrainer.train(view, splits.train(), task, options, name);
      probes.put(name, probe);
      double train = ProbeEvaluator.evaluate(probe, view, splits.train(), task, "train").score();
      Double dev =
          splits.dev().length == 0 ? null : ProbeEvaluator.evaluate(probe, view, splits.dev(), task, "dev").score();
      ProbeScores test = ProbeEvaluator.evaluate(probe, view, splits.test(), task, "test");
      Double controlTest = null;
      Double selectivity = null;
      if (control != null) {
        Probe cp = ProbeTrainer.train(view, splits.train(), control, options, name + " (control)");
        probes.put("control_" + name, cp);
        controlTest = ProbeEvaluator.evaluate(cp, view, splits.test(), control, "test").score();
        selectivity = test.score() - controlTest;
      }
      if (progress != null) {
        progress.accept(
            task.name() + " " + name + ": test " + String.format("%.4f", test.score())
                + (selectivity == null ? "" : ", selectivity " + String.format("%.4f", selectivity)));
      }
      return new LayerwiseResult.Entry(name, layer, hook, train, dev, test.score(), controlTest, selectivity, test);
    }
  }
}
