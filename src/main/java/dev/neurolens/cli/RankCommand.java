package dev.neurolens.cli;

import dev.neurolens.analysis.StoreTask;
import dev.neurolens.activation.ActivationStore;
import dev.neurolens.model.Torch;
import dev.neurolens.probe.Probe;
import dev.neurolens.probe.ProbeTrainer;
import dev.neurolens.rank.ApRanker;
import dev.neurolens.rank.GaussianRanker;
import dev.neurolens.rank.LcaRanker;
import dev.neurolens.rank.NeuronRanking;
import dev.neurolens.rank.ProbelessRanker;
import dev.neurolens.rank.RankingStability;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code neurolens rank}: ranks all neurons of the store's layers for one task (ALGORITHMS.md
 * section 4) and writes {@code OUT/ranking.json}: the full ordering (feature ids = layer * D +
 * index), the top K neurons located as (layer, index, hook) and their layer distribution.
 */
@Command(name = "rank", description = "Rank neurons for a stored task (LCA, probeless, Gaussian, AP or random).")
final class RankCommand implements Callable<Integer> {

  /** Ranking methods. */
  enum Method {
    lca,
    probeless,
    gaussian,
    ap,
    random
  }

  @Option(names = "--store", required = true, description = "Activation store directory.")
  Path store;

  @Option(names = "--task", required = true, description = "Task name in the store.")
  String task;

  @Option(names = "--method", defaultValue = "lca", description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  Method method;

  @Option(names = "--top", defaultValue = "20", description = "Neurons listed with their layer (default ${DEFAULT-VALUE}).")
  int top;

  @Option(names = "--runs", defaultValue = "1",
      description = "lca: train N probes (probe seeds --seed .. --seed + N - 1, same split) and write their consensus "
          + "ranking, each top neuron's selection frequency and the mean pairwise Jaccard of the top-5%% sets "
          + "(default ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--class", description = "The positive class (required for --method ap).")
  String positiveClass;

  @Option(names = "--out", required = true, description = "Output directory (created; ranking.json in it is replaced).")
  Path out;

  @Mixin ProbeOptionsMixin probe = new ProbeOptionsMixin();

  @Mixin OutputOptions output = new OutputOptions();

  @Override
  public Integer call() {
    OutPaths.directory("--out", out);
    probe.check();
    if (top < 1) {
      throw new NeuroLensException("--top: must be >= 1, found " + top);
    }
    OutPaths.atLeast("--runs", runs, 1);
    if (runs > 1 && method != Method.lca) {
      throw new NeuroLensException("--runs " + runs + ": only --method lca trains probes; the other methods are deterministic "
          + "or seeded by --seed alone");
    }
    if (method == Method.ap && positiveClass == null) {
      throw new NeuroLensException("--method ap: needs --class C (the positive class)");
    }
    Map<String, Object> file = Torch.withThreads(probe.threads(), () -> {
      try (ActivationStore s = ActivationStore.open(store)) {
        long t0 = System.nanoTime();
        StoreTask st = StoreTask.load(s, task, probe.splitRule(), StoreTask.Control.NONE);
        int[] train = st.splits().train();
        long t1 = System.nanoTime();
        if (runs > 1) {
          RankingStability stability = RankingStability.lca(st.x(), train, st.task(), probe.options(st.layout()), runs,
              store + " all layers", line -> {
                if (!output.quiet()) {
                  output.info(line);
                }
              });
          Map<String, Object> consensus =
              rankingFile(st, stability.consensus(), Math.min(top, stability.consensus().size()));
          consensus.put("stability", stabilityJson(st, stability, Math.min(top, stability.consensus().size())));
          return consensus;
        }
        NeuronRanking ranking =
            switch (method) {
              case lca -> {
                Probe p = ProbeTrainer.train(st.x(), train, st.task(), probe.options(st.layout()), store + " all layers");
                yield LcaRanker.ordering(p);
              }
              case probeless -> ProbelessRanker.rank(st.x(), train, st.task());
              case gaussian -> GaussianRanker.rank(st.x(), train, st.task(),
                  new GaussianRanker.Options(Math.min(top, st.x().cols()), 1000, 1024, probe.seed()));
              case ap -> ApRanker.rank(st.x(), train, st.task(), positiveClass);
              case random -> LcaRanker.random(IntStream.range(0, st.x().cols()).toArray(), probe.seed());
            };
        Map<String, Object> result = rankingFile(st, ranking, Math.min(top, ranking.size()));
        result.put("seconds", Map.of("load_task", Math.round((t1 - t0) / 1e7) / 100.0,
            "rank", Math.round((System.nanoTime() - t1) / 1e7) / 100.0));
        return result;
      }
    });
    Json.writeAtomically(out.resolve("ranking.json"), file);
    Map<String, Object> summary = new LinkedHashMap<>(file);
    summary.remove("ordering");
    summary.remove("scores");
    summary.remove("per_class");
    summary.put("file", out.resolve("ranking.json").toString());
    output.emit(summary, human(file));
    return 0;
  }

  private Map<String, Object> rankingFile(StoreTask st, NeuronRanking r, int k) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("task", st.task().name());
    m.put("method", r.method());
    m.put("store", store.toAbsolutePath().toString());
    m.put("layers", st.layout().numLayers());
    m.put("neurons_per_layer", st.layout().neuronsPerLayer());
    m.put("hooks", st.layout().hookNames());
    m.put("features", st.x().cols());
    m.put("parameters", r.parameters());
    m.put("top", r.neurons(st.layout(), k).stream().map(RankCommand::neuron).toList());
    m.put("layer_distribution", r.layerDistribution(st.layout(), k));
    m.put("ordering", r.ordering());
    if (r.scores() != null) {
      m.put("scores", r.scores());
    }
    if (!r.perClass().isEmpty()) {
      m.put("per_class", r.perClass());
    }
    return m;
  }

  private static Map<String, Object> stabilityJson(StoreTask st, RankingStability s, int listed) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("runs", s.runs());
    m.put("top_k", s.k());
    m.put("mean_jaccard", s.meanJaccard());
    m.put("stable_share", RankingStability.STABLE);
    List<Map<String, Object>> top = new java.util.ArrayList<>();
    for (NeuronRanking.NeuronRef n : s.consensus().neurons(st.layout(), listed)) {
      Map<String, Object> e = neuron(n);
      e.put("selected", s.frequency(n.feature()));
      e.put("stable", s.isStable(n.feature()));
      top.add(e);
    }
    m.put("top", top);
    long stableInTop = java.util.Arrays.stream(s.consensus().top(s.k())).filter(s::isStable).count();
    m.put("stable_in_top_k", stableInTop);
    return m;
  }

  private static Map<String, Object> neuron(NeuronRanking.NeuronRef n) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("feature", n.feature());
    m.put("layer", n.layer());
    m.put("index", n.index());
    m.put("hook", n.hook());
    return m;
  }

  private String human(Map<String, Object> file) {
    StringBuilder b = new StringBuilder("ranking " + file.get("method") + " of task " + task + ", top neurons:\n");
    for (Object o : (List<?>) file.get("top")) {
      Map<?, ?> n = (Map<?, ?>) o;
      b.append("  layer ").append(n.get("layer")).append(" neuron ").append(n.get("index"))
          .append(" (").append(n.get("hook")).append(")\n");
    }
    b.append("layer distribution of the top: ").append(Arrays.toString((int[]) file.get("layer_distribution")))
        .append('\n');
    if (file.get("stability") instanceof Map<?, ?> st) {
      b.append(String.format(java.util.Locale.ROOT,
          "stability over %s runs: mean Jaccard of the top-%s sets %.3f; %s of them selected in >= 80%% of runs%n",
          st.get("runs"), st.get("top_k"), (Double) st.get("mean_jaccard"), st.get("stable_in_top_k")));
    }
    b.append("written: ").append(out.resolve("ranking.json"));
    return b.toString();
  }
}
