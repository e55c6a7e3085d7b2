package dev.neurolens.cli;

import dev.neurolens.ablation.AblationResult;
import dev.neurolens.ablation.ProbeAblation;
import dev.neurolens.model.HookName;
import dev.neurolens.probe.LayerLayout;
import dev.neurolens.probe.LayerwiseProber;
import dev.neurolens.probe.LayerwiseResult;
import dev.neurolens.probe.Probe;
import dev.neurolens.probe.ProbeOptions;
import dev.neurolens.rank.ConceptAnalyzer;
import dev.neurolens.rank.LcaRanker;
import dev.neurolens.rank.NeuronRanking;
import dev.neurolens.redundancy.PipelineOptions;
import dev.neurolens.redundancy.PipelineRow;
import dev.neurolens.redundancy.RedundancyPipeline;
import dev.neurolens.redundancy.TaskRedundancy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The per-task part of {@code analyze}: layer-wise probes with control tasks (selectivity), the
 * oracle probe's LCA ranking, top neurons per class, probe-level ablation, and concept profiles of
 * the top neurons; each step returns the results.json section as plain maps and lists.
 */
final class TaskAnalysis {
  /** Neurons listed per class and overall in results.json. */
  static final int LISTED = 10;
  /** Share of the LCA ordering whose layer distribution is reported. */
  static final double DISTRIBUTION_FRACTION = 0.01;
  /** Code tokens kept on each side of a context's peak activation. */
  static final int CONTEXT_RADIUS = 30;

  private final StoreTask st;
  private final ProbeOptions options;
  private final long seed;
  private final Consumer<String> progress;
  private Probe oracle;
  private NeuronRanking lca;

  TaskAnalysis(StoreTask st, ProbeOptions options, long seed, Consumer<String> progress) {
    this.st = st;
    this.options = options;
    this.seed = seed;
    this.progress = progress;
  }

  /** Probes every layer and all layers (oracle), with the control task; fills the task section. */
  Map<String, Object> probe() {
    LayerwiseResult lr =
        LayerwiseProber.run(st.x(), st.layout(), st.splits(), st.task(), st.control(),
            EnumSet.of(LayerwiseProber.Mode.EACH, LayerwiseProber.Mode.ORACLE), options, progress);
    oracle = lr.probes().get("oracle");
    lca = LcaRanker.ordering(oracle);
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("task", st.task().name());
    boolean regression = st.task().isRegression();
    t.put("kind", regression ? "regression" : "classification");
    t.put("metric", regression ? "pearson" : "accuracy");
    if (!regression) {
      t.put("classes", st.task().labelNames());
      t.put("class_counts", classCounts());
    }
    t.put("splits", Map.of("train", st.splits().train().length, "dev", st.splits().dev().length,
        "test", st.splits().test().length));
    List<Map<String, Object>> layers = new ArrayList<>();
    for (LayerwiseResult.Entry e : lr.layers()) {
      Map<String, Object> m = ProbeCommand.entry(e);
      m.put("layer", HookName.parse(e.hook()).layer());
      layers.add(m);
    }
    t.put("layers", layers);
    t.put("oracle", ProbeCommand.entry(lr.oracle()));
    return t;
  }

  /** Top neurons overall and per class (LCA weight mass on the oracle probe) and their layers. */
  Map<String, Object> topNeurons() {
    LayerLayout layout = st.layout();
    double[] maxAbs = maxAbsWeight(oracle);
    List<Map<String, Object>> overall = new ArrayList<>();
    for (int f : lca.top(Math.min(LISTED, lca.size()))) {
      overall.add(neuron(f, maxAbs[f]));
    }
    Map<String, Object> perClass = new LinkedHashMap<>();
    for (Map.Entry<String, int[]> e : perClassTop().entrySet()) {
      List<Map<String, Object>> list = new ArrayList<>();
      int c = st.task().labelNames().indexOf(e.getKey());
      for (int f : e.getValue()) {
        list.add(neuron(f, c < 0 ? maxAbs[f] : Math.abs(oracle.weight(c, f))));
      }
      perClass.put(e.getKey(), list);
    }
    Map<String, Object> top = new LinkedHashMap<>();
    top.put("overall", overall);
    top.put("per_class", perClass);
    return top;
  }

  /** Count of the top 1% of the LCA ordering per layer (index = position in the layout). */
  int[] layerDistribution() {
    int k = NeuronRanking.countFor(DISTRIBUTION_FRACTION, lca.size());
    return lca.layerDistribution(st.layout(), k);
  }

  /** Probe-level ablation along the LCA ordering vs random vs bottom (keep k%: zeroed and retrained). */
  List<Map<String, Object>> ablation() {
    ProbeAblation.Options defaults = ProbeAblation.Options.defaults();
    ProbeAblation.Options o =
        new ProbeAblation.Options(defaults.percents(), true, seed, options);
    AblationResult r =
        ProbeAblation.run(st.x(), st.splits().train(), st.splits().test(), st.task(), oracle, lca, o);
    Map<Double, Map<String, Object>> byPercent = new LinkedHashMap<>();
    for (AblationResult.Entry e : r.entries()) {
      Map<String, Object> row =
          byPercent.computeIfAbsent(e.percent(), p -> new LinkedHashMap<>(Map.of("k_percent", p)));
      row.put("neurons", e.neurons());
      row.put(e.selection() + "_zeroed", e.keepZeroed());
      row.put(e.selection() + "_retrained", e.keepRetrained());
      row.put(e.selection() + "_removed", e.removeZeroed());
    }
    progress.accept("ablation " + st.task().name() + ": baseline " + r.baseline());
    return new ArrayList<>(byPercent.values());
  }

  /** Concept profiles (top tokens, purity, contexts) of the top {@code perClass} neurons of each class. */
  List<Map<String, Object>> neurons(int perClass) {
    if (st.task().isRegression()) {
      return List.of();
    }
    ConceptAnalyzer analyzer = new ConceptAnalyzer(ConceptAnalyzer.Options.defaults());
    ConceptAnalyzer.TokenTable tokens =
        new ConceptAnalyzer.TokenTable(st.tokenTexts(), st.task().labels(), st.task().labelNames(), st.rowSnippet());
    List<ConceptAnalyzer.ClassMatch> matches = analyzer.matchClasses(st.x(), perClassTop(), perClass, tokens);
    var snippets = st.store().snippets();
    List<Map<String, Object>> out = new ArrayList<>();
    for (ConceptAnalyzer.ClassMatch m : matches) {
      int f = m.profile().feature();
      String hook = st.layout().hookName(st.layout().layerOf(f));
      Map<String, Object> json =
          new LinkedHashMap<>(m.profile().toJsonMap(HookName.parse(hook).layer(), st.layout().indexOf(f), hook,
              s -> snippets.get(s).id()));
      json.put("examples", ((List<?>) json.get("examples")).stream().map(e -> trim((Map<?, ?>) e)).toList());
      json.put("ranked_for", m.rankedClass());
      json.put("task", st.task().name());
      out.add(json);
    }
    return out;
  }

  /**
   * The LayerSelector -> CC -> LCA minimal-neuron pipeline (ALGORITHMS.md section 6) on this
   * task's train rows (dev = 10% of them) and test rows: one row per (thresholds, CC setting).
   */
  Map<String, Object> redundancyPipeline() {
    PipelineOptions o = PipelineOptions.defaults(seed);
    o = new PipelineOptions(options, o.thresholds(), o.ccThresholds(), o.stride(), o.percentages(),
        o.devFraction(), seed, o.cluster());
    TaskRedundancy r =
        RedundancyPipeline.run(st.x(), st.task(), st.splits().train(), st.splits().test(), st.layout(), o, progress);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (PipelineRow row : r.rows()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("layer_delta", row.layerDelta());
      m.put("neuron_delta", row.neuronDelta());
      m.put("cc_threshold", row.ccThreshold() == PipelineOptions.NO_CC ? null : row.ccThreshold());
      List<Integer> selected = new ArrayList<>();
      for (int l = 0; l <= row.selectedLayer(); l++) {
        selected.add(HookName.parse(st.layout().hookName(l)).layer());
      }
      m.put("selected_layers", selected);
      m.put("neurons_after_cc", row.neuronsAfterCc());
      m.put("minimal_k", row.minimalNeurons());
      m.put("removable_percent", row.percentRemovable());
      m.put("oracle_test", row.oracleTestScore());
      m.put("minimal_test", row.minimalTestScore());
      m.put("minimal_set", row.minimalSet());
      rows.add(m);
    }
    return Map.of("pipeline", rows, "oracle_dev", r.oracleDevScore());
  }

  /**
   * Cuts a context to the {@link #CONTEXT_RADIUS} code tokens on each side of its peak |activation|
   * (values rounded to 4 decimals), so that the report stays small; {@code first} = offset of the
   * first kept token in the snippet.
   */
  static Map<String, Object> trim(Map<?, ?> example) {
    List<?> tokens = (List<?>) example.get("tokens");
    double[] values = (double[]) example.get("values");
    int peak = 0;
    for (int i = 1; i < values.length; i++) {
      if (Math.abs(values[i]) > Math.abs(values[peak])) {
        peak = i;
      }
    }
    int from = Math.max(0, peak - CONTEXT_RADIUS);
    int to = Math.min(values.length, peak + CONTEXT_RADIUS + 1);
    double[] kept = new double[to - from];
    for (int i = from; i < to; i++) {
      kept[i - from] = Math.round(values[i] * 1e4) / 1e4;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("snippet", example.get("snippet"));
    out.put("first", from);
    out.put("tokens", tokens.subList(from, to));
    out.put("values", kept);
    return out;
  }

  private Map<String, int[]> perClassTop() {
    Map<String, int[]> out = new LinkedHashMap<>();
    if (st.task().isRegression()) {
      out.put(st.task().name(), lca.top(Math.min(LISTED, lca.size())));
      return out;
    }
    for (int c = 0; c < st.task().numClasses(); c++) {
      final int cls = c;
      Integer[] ids = new Integer[oracle.numFeatures()];
      for (int j = 0; j < ids.length; j++) {
        ids[j] = j;
      }
      Arrays.sort(ids, (a, b) -> Float.compare(Math.abs(oracle.weight(cls, b)), Math.abs(oracle.weight(cls, a))));
      int[] top = new int[Math.min(LISTED, ids.length)];
      for (int i = 0; i < top.length; i++) {
        top[i] = oracle.featureIds()[ids[i]];
      }
      if (oracle.droppedClassIds().contains(c)) {
        continue;
      }
      out.put(st.task().labelNames().get(c), top);
    }
    return out;
  }

  private Map<String, Object> neuron(int feature, double weight) {
    LayerLayout layout = st.layout();
    String hook = layout.hookName(layout.layerOf(feature));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("layer", HookName.parse(hook).layer());
    m.put("index", layout.indexOf(feature));
    m.put("hook", hook);
    m.put("weight", weight);
    return m;
  }

  private static double[] maxAbsWeight(Probe p) {
    double[] out = new double[p.numFeatures()];
    for (int c = 0; c < p.numClasses(); c++) {
      for (int j = 0; j < out.length; j++) {
        out[j] = Math.max(out[j], Math.abs(p.weight(c, j)));
      }
    }
    return out;
  }

  private Map<String, Integer> classCounts() {
    int[] counts = new int[st.task().numClasses()];
    int[] labels = st.task().labels();
    for (int[] part : List.of(st.splits().train(), st.splits().dev(), st.splits().test())) {
      for (int r : part) {
        counts[labels[r]]++;
      }
    }
    Map<String, Integer> out = new LinkedHashMap<>();
    for (int c = 0; c < counts.length; c++) {
      out.put(st.task().labelNames().get(c), counts[c]);
    }
    return out;
  }

}
