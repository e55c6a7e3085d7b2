package dev.neurolens.analysis;

import dev.neurolens.ablation.AblationResult;
import dev.neurolens.ablation.ProbeAblation;
import dev.neurolens.model.HookName;
import dev.neurolens.probe.LayerLayout;
import dev.neurolens.probe.LayerwiseProber;
import dev.neurolens.probe.LayerwiseResult;
import dev.neurolens.probe.Probe;
import dev.neurolens.probe.ProbeOptions;
import dev.neurolens.probe.ProbeTrainer;
import dev.neurolens.rank.ConceptAnalyzer;
import dev.neurolens.rank.LcaRanker;
import dev.neurolens.rank.NeuronProfile;
import dev.neurolens.rank.NeuronRanking;
import dev.neurolens.rank.RankingStability;
import dev.neurolens.redundancy.PipelineOptions;
import dev.neurolens.redundancy.PipelineRow;
import dev.neurolens.redundancy.RedundancyPipeline;
import dev.neurolens.redundancy.TaskRedundancy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The per-task part of {@code analyze}: layer-wise probes with control tasks (selectivity), the
 * oracle probe's LCA ranking, top neurons per class, probe-level ablation, and concept profiles of
 * the top neurons; each step returns its typed {@link AnalysisResult} section.
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
  private List<AnalysisResult.LayerScore> layers;
  private AnalysisResult.LayerScore oracleScore;
  private RankingStability stability;
  /** What listed neurons detect best, by feature id (filled when the top neurons are listed). */
  private final Map<Integer, ConceptSection.Detected> detected = new HashMap<>();

  TaskAnalysis(StoreTask st, ProbeOptions options, long seed, Consumer<String> progress) {
    this.st = st;
    this.options = options;
    this.seed = seed;
    this.progress = progress;
  }

  /** Probes every layer and all layers (oracle), with the control task. */
  void probe() {
    LayerwiseResult lr =
        LayerwiseProber.run(st.x(), st.layout(), st.splits(), st.task(), st.control(),
            EnumSet.of(LayerwiseProber.Mode.EACH, LayerwiseProber.Mode.ORACLE), options, progress);
    oracle = lr.probes().get("oracle");
    lca = LcaRanker.ordering(oracle);
    layers = new ArrayList<>();
    for (LayerwiseResult.Entry e : lr.layers()) {
      layers.add(score(e, HookName.parse(e.hook()).layer()));
    }
    oracleScore = score(lr.oracle(), lr.oracle().layer());
  }

  /**
   * Trains {@code runs - 1} more oracle probes (probe seeds seed + 1 ..) on the same split and
   * compares their LCA rankings with the first ({@link RankingStability}); the listed neurons then
   * carry their selection frequency.
   */
  void stability(int runs) {
    if (runs < 2) {
      return;
    }
    stability = RankingStability.lca(st.x(), st.splits().train(), st.task(), options, runs, "oracle", progress, lca);
  }

  /** The task section: probes, top neurons, layer distribution, ablation and pipeline (or null). */
  AnalysisResult.TaskResult section(List<AnalysisResult.AblationRow> ablation, AnalysisResult.PipelineSection pipeline,
      SplitCheck otherSplit, Regularization regularization) {
    boolean regression = st.task().isRegression();
    return new AnalysisResult.TaskResult(
        st.task().name(), regression ? "regression" : "classification", regression ? "pearson" : "accuracy",
        regression ? null : st.task().labelNames(), regression ? null : classCounts(),
        new AnalysisResult.SplitSizes(st.splits().train().length, st.splits().dev().length, st.splits().test().length),
        layers, oracleScore, topNeurons(), layerDistribution(), ablation, pipeline,
        regression ? null : st.isSnippetLevel() ? Baselines.majorityOnly(st.task(), st.splits())
            : Baselines.of(st.task(), st.control(), st.splits(), st.tokenTexts()),
        stability == null ? null : new Stability(stability.runs(), stability.k(),
            Math.round(stability.meanJaccard() * 1e6) / 1e6,
            (int) Arrays.stream(stability.consensus().top(stability.k())).filter(stability::isStable).count()),
        st.split().kindName(), otherSplit, regularization);
  }

  static AnalysisResult.LayerScore score(LayerwiseResult.Entry e, int layer) {
    return new AnalysisResult.LayerScore(
        e.name(), layer, e.hook(), e.train(), e.dev(), e.test(), e.controlTest(), e.selectivity());
  }

  /** Top neurons overall (LCA ordering) and per class (|weight| for the class) and their layers. */
  AnalysisResult.TopNeurons topNeurons() {
    double[] maxAbs = maxAbsWeight();
    Map<String, int[]> classTop = perClassTop();
    if (!st.task().isRegression()) {
      Set<Integer> listed = new LinkedHashSet<>();
      for (int f : lca.top(Math.min(LISTED, lca.size()))) {
        listed.add(f);
      }
      classTop.values().forEach(ids -> Arrays.stream(ids).forEach(listed::add));
      detect(listed.stream().mapToInt(Integer::intValue).toArray());
    }
    List<AnalysisResult.NeuronWeight> overall = new ArrayList<>();
    for (int f : lca.top(Math.min(LISTED, lca.size()))) {
      overall.add(neuron(f, maxAbs[f]));
    }
    Map<String, List<AnalysisResult.NeuronWeight>> perClass = new LinkedHashMap<>();
    for (Map.Entry<String, int[]> e : classTop.entrySet()) {
      List<AnalysisResult.NeuronWeight> list = new ArrayList<>();
      int c = st.task().labelNames().indexOf(e.getKey());
      for (int f : e.getValue()) {
        list.add(neuron(f, c < 0 ? maxAbs[f] : Math.abs(oracle.weight(c, f))));
      }
      perClass.put(e.getKey(), list);
    }
    return new AnalysisResult.TopNeurons(overall, perClass);
  }

  /** Finds what each of {@code features} not yet searched detects best (one pass over their columns). */
  private void detect(int[] features) {
    int[] missing = Arrays.stream(features).filter(f -> !detected.containsKey(f)).distinct().toArray();
    if (missing.length > 0) {
      detected.putAll(ConceptSection.detect(st, missing, seed));
    }
  }

  /** The layer-wise probe scores of {@link #probe()}. */
  List<AnalysisResult.LayerScore> layerScores() {
    return List.copyOf(layers);
  }

  /** The oracle probe's weight-mass top neurons for {@code percentage} (LCA get_top_neurons). */
  int[] topByMass(double percentage) {
    return dev.neurolens.rank.LcaRanker.topNeurons(oracle, percentage);
  }

  LayerLayout layout() {
    return st.layout();
  }

  /** Count of the top 1% of the LCA ordering per layer (index = position in the layout). */
  int[] layerDistribution() {
    int k = NeuronRanking.countFor(DISTRIBUTION_FRACTION, lca.size());
    return lca.layerDistribution(st.layout(), k);
  }

  /** Probe-level ablation along the LCA ordering vs random vs bottom (keep k%: zeroed and retrained). */
  List<AnalysisResult.AblationRow> ablation() {
    ProbeAblation.Options defaults = ProbeAblation.Options.defaults();
    ProbeAblation.Options o =
        new ProbeAblation.Options(defaults.percents(), ProbeAblation.Retrain.YES, seed, options);
    AblationResult r =
        ProbeAblation.run(st.x(), st.splits().train(), st.splits().test(), st.task(), oracle, lca, o);
    Map<Double, Map<String, AblationResult.Entry>> byPercent = new LinkedHashMap<>();
    for (AblationResult.Entry e : r.entries()) {
      byPercent.computeIfAbsent(e.percent(), p -> new LinkedHashMap<>()).put(e.selection(), e);
    }
    List<AnalysisResult.AblationRow> rows = new ArrayList<>();
    byPercent.forEach((percent, bySelection) -> {
      AblationResult.Entry top = bySelection.get("top");
      AblationResult.Entry random = bySelection.get("random");
      AblationResult.Entry bottom = bySelection.get("bottom");
      int neurons = bySelection.values().iterator().next().neurons();
      rows.add(new AnalysisResult.AblationRow(percent, neurons,
          zeroed(top), retrained(top), removed(top),
          zeroed(random), retrained(random), removed(random),
          zeroed(bottom), retrained(bottom), removed(bottom)));
    });
    progress.accept("ablation " + st.task().name() + ": baseline " + r.baseline());
    return rows;
  }

  private static Double zeroed(AblationResult.Entry e) {
    return e == null ? null : e.keepZeroed();
  }

  private static Double retrained(AblationResult.Entry e) {
    return e == null ? null : e.keepRetrained();
  }

  private static Double removed(AblationResult.Entry e) {
    return e == null ? null : e.removeZeroed();
  }

  /** Concept profiles (top tokens, purity, contexts) of the top {@code perClass} neurons of each class. */
  List<AnalysisResult.ProfiledNeuron> neurons(int perClass) {
    if (st.task().isRegression()) {
      return List.of();
    }
    ConceptAnalyzer analyzer = new ConceptAnalyzer(ConceptAnalyzer.Options.defaults());
    ConceptAnalyzer.TokenTable tokens =
        new ConceptAnalyzer.TokenTable(st.tokenTexts(), st.task().labels(), st.task().labelNames(), st.rowSnippet());
    List<ConceptAnalyzer.ClassMatch> matches = analyzer.matchClasses(st.x(), perClassTop(), perClass, tokens);
    int[] features = matches.stream().mapToInt(m -> m.profile().feature()).distinct().toArray();
    detect(features);
    var snippets = st.store().snippets();
    List<AnalysisResult.ProfiledNeuron> out = new ArrayList<>();
    for (ConceptAnalyzer.ClassMatch m : matches) {
      NeuronProfile p = m.profile();
      int f = p.feature();
      String hook = st.layout().hookName(st.layout().layerOf(f));
      List<AnalysisResult.TokenScore> tops =
          p.topTokens().stream().map(t -> new AnalysisResult.TokenScore(t.token(), t.score())).toList();
      List<AnalysisResult.Example> examples =
          p.contexts().stream().map(c -> trim(snippets.get(c.snippet()).id(), c.tokens(), c.values())).toList();
      out.add(new AnalysisResult.ProfiledNeuron(HookName.parse(hook).layer(), st.layout().indexOf(f), hook,
          p.concept(), p.purity(), tops, examples, m.rankedClass(), st.task().name(), detected.get(f)));
    }
    return out;
  }

  /**
   * The LayerSelector -> CC -> LCA minimal-neuron pipeline (ALGORITHMS.md section 6) on this
   * task's train rows (dev = 10% of their snippets) and test rows: one row per (thresholds, CC setting).
   */
  AnalysisResult.PipelineSection redundancyPipeline() {
    PipelineOptions o = PipelineOptions.defaults(seed);
    o = new PipelineOptions(options, o.thresholds(), o.ccThresholds(), o.stride(), o.percentages(),
        o.devFraction(), seed, o.cluster());
    TaskRedundancy r =
        RedundancyPipeline.run(st.x(), st.task(), st.splits().train(), st.splits().test(), st.rowSnippet(), st.layout(),
            o, progress);
    List<AnalysisResult.PipelineRow> rows = new ArrayList<>();
    for (PipelineRow row : r.rows()) {
      List<Integer> selected = new ArrayList<>();
      for (int l = 0; l <= row.selectedLayer(); l++) {
        selected.add(HookName.parse(st.layout().hookName(l)).layer());
      }
      rows.add(new AnalysisResult.PipelineRow(
          row.layerDelta(), row.neuronDelta(),
          row.ccThreshold() == PipelineOptions.NO_CC ? null : row.ccThreshold(), selected,
          row.neuronsAfterCc(), row.minimalNeurons(), row.percentRemovable(), row.oracleTestScore(),
          row.minimalTestScore(), row.minimalSet()));
    }
    return new AnalysisResult.PipelineSection(rows, r.oracleDevScore());
  }

  /**
   * Cuts a context to the {@link #CONTEXT_RADIUS} code tokens on each side of its peak |activation|
   * (values rounded to 4 decimals), so that the report stays small; {@code first} = offset of the
   * first kept token in the snippet.
   */
  static AnalysisResult.Example trim(String snippet, List<String> tokens, double[] values) {
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
    return new AnalysisResult.Example(snippet, from, List.copyOf(tokens.subList(from, to)), kept);
  }

  /** Per class (dropped classes left out), the head of that class's LCA ordering (|weight| for the class). */
  private Map<String, int[]> perClassTop() {
    Map<String, int[]> out = new LinkedHashMap<>();
    int k = Math.min(LISTED, lca.size());
    if (st.task().isRegression()) {
      out.put(st.task().name(), lca.top(k));
      return out;
    }
    for (int c = 0; c < st.task().numClasses(); c++) {
      if (oracle.droppedClassIds().contains(c)) {
        continue;
      }
      String name = st.task().labelNames().get(c);
      out.put(name, Arrays.copyOf(lca.perClass().get(name), k));
    }
    return out;
  }

  private AnalysisResult.NeuronWeight neuron(int feature, double weight) {
    LayerLayout layout = st.layout();
    String hook = layout.hookName(layout.layerOf(feature));
    return new AnalysisResult.NeuronWeight(HookName.parse(hook).layer(), layout.indexOf(feature), hook, weight,
        stability == null ? null : stability.frequency(feature), detected.get(feature));
  }

  /** max over classes of |weight| per feature id: the LCA ranking's score of each neuron. */
  private double[] maxAbsWeight() {
    double[] out = new double[oracle.numFeatures()];
    int[] ordering = lca.ordering();
    double[] scores = lca.scores();
    for (int i = 0; i < ordering.length; i++) {
      out[ordering[i]] = scores[i];
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
