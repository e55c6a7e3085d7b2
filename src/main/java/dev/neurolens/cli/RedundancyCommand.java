package dev.neurolens.cli;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.activation.ActivationStore;
import dev.neurolens.activation.SentenceRep;
import dev.neurolens.activation.TaskSpec;
import dev.neurolens.model.HookName;
import dev.neurolens.model.Torch;
import dev.neurolens.probe.LayerLayout;
import dev.neurolens.probe.ProbeTask;
import dev.neurolens.probe.Splits;
import dev.neurolens.redundancy.PipelineOptions;
import dev.neurolens.redundancy.PipelineRow;
import dev.neurolens.redundancy.RedundancyPipeline;
import dev.neurolens.redundancy.TaskRedundancy;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code neurolens redundancy}: the LayerSelector -> CC -> LCA minimal-neuron pipeline for one
 * task of a store (ALGORITHMS.md 6). Rows without a label are left out; the test split is taken
 * by snippet (seeded) so that tokens of one snippet never straddle train and test; the dev split
 * is 10% of the training rows.
 */
@Command(
    name = "redundancy",
    description = "Task-specific redundancy: LayerSelector -> CC -> LCA minimal neuron sets.")
final class RedundancyCommand implements Callable<Integer> {
  @Option(names = "--store", required = true, description = "Activation store directory.")
  Path store;

  @Option(names = "--task", required = true, description = "Task name in the store.")
  String task;

  @Option(names = "--test-fraction", defaultValue = "0.2", description = "Snippets held out for test (default ${DEFAULT-VALUE}).")
  double testFraction;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of splits, probes, clustering (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--epochs", defaultValue = "10", description = "Probe epochs (default ${DEFAULT-VALUE}).")
  int epochs;

  @Option(
      names = "--threads",
      defaultValue = "1",
      description = "PyTorch intra-op threads while probes train and neurons are clustered "
          + "(default ${DEFAULT-VALUE}: the probes' products are small).")
  int threads;

  @Option(names = "--out", description = "Write redundancy-<task>.json into this directory.")
  Path out;

  @Mixin OutputOptions output = new OutputOptions();

  @Override
  public Integer call() {
    OutPaths.directory("--out", out);
    OutPaths.atLeast("--epochs", epochs, 1);
    OutPaths.atLeast("--threads", threads, 1);
    if (!(testFraction > 0 && testFraction < 1)) {
      throw new NeuroLensException("--test-fraction: must be in (0, 1), found " + testFraction);
    }
    return Torch.withThreads(threads, this::run);
  }

  private int run() {
    try (ActivationStore s = ActivationStore.open(store)) {
      List<HookName> hooks = StoreLayers.select(s, null);
      int hidden = StoreLayers.hidden(s, hooks);
      TaskSpec spec =
          s.tasks().stream()
              .filter(t -> t.name().equals(task))
              .findFirst()
              .orElseThrow(() -> new NeuroLensException(
                  "--task: no task '" + task + "' in " + store + " (tasks: " + s.tasks().stream().map(TaskSpec::name).toList() + ")"));
      boolean token = spec.level() == TaskSpec.Level.TOKEN;
      ActivationMatrix x = token ? s.view(hooks) : s.sentenceView(SentenceRep.MEAN, hooks, null);
      ProbeTask probeTask;
      boolean[] labelled = new boolean[x.rows()];
      if (spec.kind() == TaskSpec.Kind.CATEGORICAL) {
        int[] labels = s.labels(task);
        for (int i = 0; i < labels.length; i++) {
          labelled[i] = labels[i] >= 0;
          labels[i] = Math.max(0, labels[i]); // unlabelled rows are never used
        }
        probeTask = ProbeTask.classification(task, s.labelNames(task), labels);
      } else {
        float[] targets = s.targets(task);
        for (int i = 0; i < targets.length; i++) {
          labelled[i] = !Float.isNaN(targets[i]);
          targets[i] = labelled[i] ? targets[i] : 0f;
        }
        probeTask = ProbeTask.regression(task, targets);
      }
      int[] rows = IntStream.range(0, x.rows()).filter(i -> labelled[i]).toArray();
      if (rows.length < 10) {
        throw new NeuroLensException("--task " + task + ": needs at least 10 labelled rows, found " + rows.length);
      }
      int[] group = token ? s.rowSnippets() : IntStream.range(0, x.rows()).toArray();
      int[] groupOfRow = Arrays.stream(rows).map(r -> group[r]).toArray();
      Splits split = Splits.byGroup(groupOfRow, 0.0, testFraction, seed);
      int[] train = Arrays.stream(split.train()).map(i -> rows[i]).toArray();
      int[] test = Arrays.stream(split.test()).map(i -> rows[i]).toArray();
      PipelineOptions defaults = PipelineOptions.defaults(seed);
      PipelineOptions opts =
          new PipelineOptions(
              defaults.probe().toBuilder().optEpochs(epochs).build(), defaults.thresholds(),
              defaults.ccThresholds(), defaults.stride(), defaults.percentages(),
              defaults.devFraction(), seed, defaults.cluster());
      LayerLayout layout = new LayerLayout(hooks.size(), hidden, ClusterCommand.hookNames(hooks));
      TaskRedundancy res =
          RedundancyPipeline.run(x, probeTask, train, test, group, layout, opts, output.quiet() ? t -> {} : output::info);
      if (out != null) {
        Json.writeAtomically(out.resolve("redundancy-" + task.replaceAll("[^A-Za-z0-9_.-]", "_") + ".json"), res);
      }
      output.emit(res, table(res));
      return 0;
    }
  }

  /** The pipeline table, one line per (thresholds, CC). */
  static String table(TaskRedundancy r) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("task %s (%s): oracle dev %.4f test %.4f on %d neurons%n", r.task(), r.metric(),
        r.oracleDevScore(), r.oracleTestScore(), r.numLayers() * r.hidden()));
    sb.append(String.format("%-8s %-5s %6s %8s %8s %11s %9s %9s%n",
        "thresh", "CC", "layers", "after CC", "minimal", "removable", "oracle", "minimal"));
    for (PipelineRow row : r.rows()) {
      sb.append(String.format("%-8s %-5s %6s %8d %8d %10.2f%% %9.4f %9.4f%n",
          String.format("(%.0f,%.0f)", row.layerDelta(), row.neuronDelta()),
          row.ccThreshold() == PipelineOptions.NO_CC ? "none" : String.valueOf(row.ccThreshold()),
          "0.." + row.selectedLayer(), row.neuronsAfterCc(), row.minimalNeurons(), row.percentRemovable(),
          row.oracleTestScore(), row.minimalTestScore()));
    }
    return sb.toString().stripTrailing();
  }
}
