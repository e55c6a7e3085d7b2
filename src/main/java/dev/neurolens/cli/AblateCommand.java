package dev.neurolens.cli;

import dev.neurolens.analysis.StoreTask;
import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.ablation.AblationResult;
import dev.neurolens.ablation.ModelAblation;
import dev.neurolens.ablation.ModelAblationResult;
import dev.neurolens.ablation.NeuronSet;
import dev.neurolens.ablation.ProbeAblation;
import dev.neurolens.activation.ActivationStore;
import dev.neurolens.corpus.CorpusReader;
import dev.neurolens.corpus.Snippet;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Models;
import dev.neurolens.model.Torch;
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
 * stored task with the neuron ordering of a {@code ranking.json} written by {@code neurolens rank};
 * with {@code --model}, model-level ablation of a neuron set inside the forward pass
 * ({@link ModelAblation}).
 */
@Command(name = "ablate", description = "Ablate the top/random/bottom k%% neurons of a ranking in the oracle probe (--store), or a neuron set inside a model (--model).")
final class AblateCommand implements Callable<Integer> {

  @Option(names = "--store", description = "Activation store directory.")
  Path store;

  @Option(names = "--task", description = "Task name in the store.")
  String task;

  @Option(names = "--ranking", description = "ranking.json written by `neurolens rank`.")
  Path ranking;

  @Option(names = "--percents", split = ",", defaultValue = "1,5,10,20", description = "k%% values (default ${DEFAULT-VALUE}).")
  double[] percents;

  @Option(names = "--no-retrain", description = "Skip retraining a probe on each kept set.")
  boolean noRetrain;

  @Option(names = "--out", description = "Optional output directory for ablation.json.")
  Path out;

  @Option(names = "--model", description = "Model-level mode: 'default', a model directory or .onnx file.")
  String model;

  @Option(names = "--neurons", description = "Model-level: a ranking.json, a text file of 'hook index' lines, or hook:index,...")
  String neurons;

  @Option(names = "--top", defaultValue = "0", description = "Model-level: use only the first N neurons of the set (0 = all).")
  int top;

  @Option(names = "--mode", defaultValue = "zero", description = "Model-level: zero or mean (default ${DEFAULT-VALUE}).")
  String mode;

  @Option(names = "--corpus", defaultValue = "default", description = "Model-level: corpus spec (default ${DEFAULT-VALUE}).")
  String corpus;

  @Option(names = "--lang", defaultValue = "java", description = "Model-level: language (default ${DEFAULT-VALUE}).")
  String lang;

  @Option(names = "--max-snippets", defaultValue = "100", description = "Model-level: snippets (default ${DEFAULT-VALUE}).")
  int maxSnippets;

  @Option(names = "--random-baseline", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Model-level: also ablate as many random neurons at the same hooks (default on).")
  boolean randomBaseline;

  @Mixin ProbeOptionsMixin probe = new ProbeOptionsMixin();

  @Mixin OutputOptions output = new OutputOptions();

  @Override
  public Integer call() {
    OutPaths.directory("--out", out);
    probe.check();
    if (model != null) {
      return modelLevel();
    }
    if (store == null || task == null || ranking == null) {
      throw new NeuroLensException(
          "ablate: needs --store, --task and --ranking (probe level) or --model and --neurons (model level)");
    }
    for (double p : percents) {
      if (!(p > 0 && p <= 100)) {
        throw new NeuroLensException("--percents: every value must be in (0, 100], found " + p);
      }
    }
    NeuronRanking order = readRanking(ranking);
    AblationResult result = Torch.withThreads(probe.threads(), () -> {
      try (ActivationStore s = ActivationStore.open(store)) {
        StoreTask st = StoreTask.load(s, task, probe.splitRule(), StoreTask.Control.NONE);
        if (order.size() != st.x().cols()) {
          throw new NeuroLensException(
              ranking + ": ranks " + order.size() + " neurons, the store's task has " + st.x().cols());
        }
        ProbeOptions po = probe.options(st.layout());
        Probe p = ProbeTrainer.train(st.x(), st.splits().train(), st.task(), po, store + " all layers");
        return ProbeAblation.run(st.x(), st.splits().train(), st.splits().test(), st.task(), p, order,
            new ProbeAblation.Options(percents, noRetrain ? ProbeAblation.Retrain.NO : ProbeAblation.Retrain.YES, probe.seed(), po));
      }
    });
    if (out != null) {
      Json.writeAtomically(out.resolve("ablation.json"), result);
    }
    output.emit(result, human(result));
    return 0;
  }

  private int modelLevel() {
    if (neurons == null) {
      throw new NeuroLensException("ablate --model: needs --neurons (a ranking.json, a text file or hook:index,...)");
    }
    ModelAblation.Mode m = switch (mode) {
      case "zero" -> ModelAblation.Mode.ZERO;
      case "mean" -> ModelAblation.Mode.MEAN;
      default -> throw new NeuroLensException("--mode: must be zero or mean, found '" + mode + "'");
    };
    if (maxSnippets < 1) {
      throw new NeuroLensException("--max-snippets: must be >= 1, found " + maxSnippets);
    }
    var set = NeuronSet.parse(neurons, top);
    List<String> codes = CorpusReader.builder().optLang(lang).optMaxSnippets(maxSnippets).optSeed(probe.seed())
        .build().read(corpus).snippets().stream().map(Snippet::code).toList();
    ModelAblationResult r;
    try (EncoderModel em = Models.load(model)) {
      r = ModelAblation.run(em, codes, set, new ModelAblation.Options(m, randomBaseline ? ModelAblation.Baseline.RANDOM : ModelAblation.Baseline.NONE, probe.seed(), 4, 0.15));
    }
    if (out != null) {
      Json.writeAtomically(out.resolve("model-ablation.json"), r);
    }
    output.emit(r, human(r));
    return 0;
  }

  private static String human(ModelAblationResult r) {
    StringBuilder b = new StringBuilder(String.format("model-level %s ablation of %d neurons in %s (%d snippets, %d tokens)%n",
        r.mode(), r.neurons(), r.model(), r.snippets(), r.tokens()));
    if (r.cleanLoss() != null) {
      b.append(String.format("  clean masked-LM loss %.4f over %d masked tokens%n", r.cleanLoss(), r.maskedTokens()));
    }
    b.append("  set      loss-delta      CKA   mean-cos\n");
    line(b, "target", r.target());
    if (r.random() != null) {
      line(b, "random", r.random());
    }
    return b.toString().stripTrailing();
  }

  private static void line(StringBuilder b, String name, ModelAblationResult.Effect e) {
    b.append(String.format("  %-7s %11s  %7.4f  %9.4f%n", name,
        e.lossDelta() == null ? "-" : String.format("%+.4f", e.lossDelta()), e.cka(), e.meanCosine()));
  }

  /** Reads the method and ordering of a ranking.json; one-line errors for a bad file. */
  static NeuronRanking readRanking(Path file) {
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new NeuroLensException(file + ": cannot read ranking (" + NeuroLensException.reason(e) + ")", e);
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
