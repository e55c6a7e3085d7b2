package dev.neurolens.cli;

import dev.neurolens.analysis.Baselines;
import dev.neurolens.analysis.StoreTask;
import dev.neurolens.activation.ActivationStore;
import dev.neurolens.model.Torch;
import dev.neurolens.probe.LayerwiseProber;
import dev.neurolens.probe.LayerwiseProber.Mode;
import dev.neurolens.probe.LayerwiseResult;
import dev.neurolens.probe.Probe;
import dev.neurolens.probe.ProbeIO;
import dev.neurolens.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code neurolens probe}: layer-wise probing of one stored task (ALGORITHMS.md sections 2-3).
 * Writes {@code OUT/probe.json} (the result) and {@code OUT/probes/<name>.json} (every trained
 * probe); files are written only after all probes are trained.
 */
@Command(name = "probe", description = "Train layer-wise probes (and control-task probes) on a stored task.")
final class ProbeCommand implements Callable<Integer> {

  /** Which probes to train. */
  enum Layers {
    /** each layer + the oracle */
    all,
    each,
    incremental
  }

  @Option(names = "--store", required = true, description = "Activation store directory.")
  Path store;

  @Option(names = "--task", required = true, description = "Task name in the store.")
  String task;

  @Option(names = "--layers", defaultValue = "all", description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}: each + oracle).")
  Layers layers;

  @Option(names = "--control", description = "Also train control-task probes and report selectivity.")
  boolean control;

  @Option(names = "--out", required = true, description = "Output directory (created; files in it are replaced).")
  Path out;

  @Mixin ProbeOptionsMixin probe = new ProbeOptionsMixin();

  @Mixin OutputOptions output = new OutputOptions();

  @Override
  public Integer call() {
    OutPaths.directory("--out", out);
    probe.check();
    Set<Mode> modes =
        switch (layers) {
          case all -> EnumSet.of(Mode.EACH, Mode.ORACLE);
          case each -> EnumSet.of(Mode.EACH);
          case incremental -> EnumSet.of(Mode.INCREMENTAL);
        };
    Baselines[] baselines = new Baselines[1];
    LayerwiseResult result = Torch.withThreads(probe.threads(), () -> {
      try (ActivationStore s = ActivationStore.open(store)) {
        StoreTask st = StoreTask.load(s, task, probe.splitRule(), control ? StoreTask.Control.FIT : StoreTask.Control.NONE);
        if (!st.task().isRegression()) {
          baselines[0] = st.isSnippetLevel() ? Baselines.majorityOnly(st.task(), st.splits())
              : Baselines.of(st.task(), st.control(), st.splits(), st.tokenTexts());
        }
        return LayerwiseProber.run(st.x(), st.layout(), st.splits(), st.task(), st.control(), modes,
            probe.options(st.layout()), output.quiet() ? null : output::info);
      }
    });
    for (Map.Entry<String, Probe> e : result.probes().entrySet()) {
      ProbeIO.save(e.getValue(), out.resolve("probes").resolve(e.getKey() + ".json"));
    }
    Json.writeAtomically(out.resolve("probe.json"), result);
    Map<String, Object> summary = summary(result);
    if (baselines[0] != null) {
      summary.put("baselines", baselines[0]);
    }
    output.emit(summary, human(result, baselines[0]));
    return 0;
  }

  /** The --json summary: task, per-layer (or incremental) entries and the oracle. */
  static Map<String, Object> summary(LayerwiseResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("task", r.task());
    List<Map<String, Object>> layers = new ArrayList<>();
    for (LayerwiseResult.Entry e : r.layers().isEmpty() ? r.incremental() : r.layers()) {
      layers.add(entry(e));
    }
    m.put("layers", layers);
    if (r.oracle() != null) {
      m.put("oracle", entry(r.oracle()));
    }
    return m;
  }

  /** One probe result as a results map (name, layer, hook, scores, control score, selectivity). */
  static Map<String, Object> entry(LayerwiseResult.Entry e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", e.name());
    m.put("layer", e.layer());
    m.put("hook", e.hook());
    m.put("train", e.train());
    m.put("dev", e.dev());
    m.put("test", e.test());
    m.put("control_test", e.controlTest());
    m.put("selectivity", e.selectivity());
    return m;
  }

  private String human(LayerwiseResult r, Baselines baselines) {
    StringBuilder b = new StringBuilder("task " + r.task() + ":\n");
    List<LayerwiseResult.Entry> all = new ArrayList<>(r.layers().isEmpty() ? r.incremental() : r.layers());
    if (r.oracle() != null) {
      all.add(r.oracle());
    }
    for (LayerwiseResult.Entry e : all) {
      b.append(String.format("  %-12s %-24s train %.3f  test %.3f", e.name(), e.hook(), e.train(), e.test()));
      if (e.selectivity() != null) {
        b.append(String.format("  control %.3f  selectivity %+.3f", e.controlTest(), e.selectivity()));
      }
      b.append('\n');
    }
    if (baselines != null && baselines.typeLookup() == null) {
      b.append(String.format(java.util.Locale.ROOT, "  without activations (test): majority class %.3f%n",
          baselines.majority()));
    } else if (baselines != null) {
      b.append(String.format(java.util.Locale.ROOT,
          "  without activations (test): majority class %.3f, token-type lookup %.3f%s; test tokens of seen types %.3f%n",
          baselines.majority(), baselines.typeLookup(), baselines.controlTypeLookup() == null ? ""
              : String.format(java.util.Locale.ROOT, ", control lookup %.3f", baselines.controlTypeLookup()),
          baselines.seenTypes()));
    }
    b.append("written: ").append(out.resolve("probe.json"));
    return b.toString();
  }
}
