package dev.neurolens.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.ablation.AblationResult;
import dev.neurolens.ablation.ProbeAblation;
import dev.neurolens.activation.ActivationStore;
import dev.neurolens.probe.Probe;
import dev.neurolens.probe.ProbeOptions;
import dev.neurolens.probe.ProbeTrainer;
import dev.neurolens.rank.NeuronRanking;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code neurolens ablate}: probe-level ablation (ALGORITHMS.md section 5) of the oracle probe of a
 * stored task with the neuron ordering of a {@code ranking.json} written by {@code neurolens rank}.
 */
@Command(name = "ablate", description = "Ablate the top/random/bottom k% neurons of a ranking in the oracle probe.")
public final class AblateCommand implements Callable<Integer> {

  @Option(names = "--store", required = true, description = "Activation store directory.")
  Path store;

  @Option(names = "--task", required = true, description = "Task name in the store.")
  String task;

  @Option(names = "--ranking", required = true, description = "ranking.json written by `neurolens rank`.")
  Path ranking;

  @Option(names = "--percents", split = ",", defaultValue = "1,5,10,20", description = "k% values (default ${DEFAULT-VALUE}).")
  double[] percents;

  @Option(names = "--no-retrain", description = "Skip retraining a probe on each kept set.")
  boolean noRetrain;

  @Option(names = "--out", description = "Optional output directory for ablation.json.")
  Path out;

  @Mixin ProbeOptionsMixin probe = new ProbeOptionsMixin();

  @Mixin OutputOptions output = new OutputOptions();

  @Override
  public Integer call() {
    NeuronRanking order = readRanking(ranking);
    AblationResult result;
    try (ActivationStore s = ActivationStore.open(store)) {
      StoreTask st = StoreTask.load(s, task, probe.seed(), false);
      if (order.size() != st.x().cols()) {
        throw new NeuroLensException(
            ranking + ": ranks " + order.size() + " neurons, the store's task has " + st.x().cols());
      }
      ProbeOptions po = probe.options(st.layout());
      Probe p = ProbeTrainer.train(st.x(), st.splits().train(), st.task(), po, store + " all layers");
      result =
          ProbeAblation.run(st.x(), st.splits().train(), st.splits().test(), st.task(), p, order,
              new ProbeAblation.Options(percents, !noRetrain, probe.seed(), po));
    }
    if (out != null) {
      Json.writeAtomically(out.resolve("ablation.json"), result);
    }
    output.emit(result, human(result));
    return 0;
  }

  /** Reads the method and ordering of a ranking.json; one-line errors for a bad file. */
  static NeuronRanking readRanking(Path file) {
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new NeuroLensException(file + ": cannot read ranking (" + e.getMessage() + ")", e);
    }
    JsonNode ord = n == null ? null : n.get("ordering");
    if (ord == null || !ord.isArray()) {
      throw new NeuroLensException(file + ": not a ranking.json (no \"ordering\" array)");
    }
    int[] ids = new int[ord.size()];
    for (int i = 0; i < ids.length; i++) {
      if (!ord.get(i).canConvertToInt()) {
        throw new NeuroLensException(file + ": ordering entry " + i + " is not a feature id, found " + ord.get(i));
      }
      ids[i] = ord.get(i).asInt();
    }
    String method = n.has("method") ? n.get("method").asText() : "ranking";
    try {
      return new NeuronRanking(method, ids, null, null, null, null);
    } catch (IllegalArgumentException e) {
      throw new NeuroLensException(file + ": " + e.getMessage(), e);
    }
  }

  private static String human(AblationResult r) {
    StringBuilder b = new StringBuilder(String.format(
        "ablation of task %s with ranking %s (%d neurons), baseline %.3f%n", r.task(), r.ranking(), r.features(), r.baseline()));
    b.append("  selection  k%     neurons  keep-zeroed  keep-retrained  remove-zeroed\n");
    List<AblationResult.Entry> es = r.entries();
    for (AblationResult.Entry e : es) {
      b.append(String.format("  %-9s %5.1f  %7d  %11.3f  %14s  %13.3f%n", e.selection(), e.percent(), e.neurons(),
          e.keepZeroed(), e.keepRetrained() == null ? "-" : String.format("%.3f", e.keepRetrained()), e.removeZeroed()));
    }
    return b.toString().stripTrailing();
  }
}
