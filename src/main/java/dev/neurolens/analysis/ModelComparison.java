package dev.neurolens.analysis;

import dev.neurolens.activation.ActivationStore;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.HookName;
import dev.neurolens.model.FamilySettings;
import dev.neurolens.model.ModelConfig;
import dev.neurolens.probe.LayerLayout;
import dev.neurolens.probe.ProbeOptions;
import dev.neurolens.redundancy.ModelDrift;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import dev.neurolens.util.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Compares a base model with a fine-tuned one on the same corpus (ALGORITHMS.md section 8): per
 * layer RSA (Spearman and Pearson), linear CKA, same-token cosine and per-neuron self-correlation
 * ({@link ModelDrift}); for each task the layer-wise probes of both models on one split; the
 * relocation of the top LCA neurons (same weight-mass share in both); and a freeze suggestion from
 * the RSA curve. Both models must share the architecture and the tokenizer.
 *
 * <p>Usage: {@code ComparisonResult c = ModelComparison.run(base, tuned, CorpusInputs.label(request), out, ModelComparison.Options.defaults(List.of("lexical")), System.err::println, true)}
 */
public final class ModelComparison {
  private ModelComparison() {}

  /**
   * Settings.
   *
   * @param rsaThreshold the Spearman RSA a layer must keep to count as unchanged (freeze advice)
   * @param rsaSnippets most snippets in the RSA matrices (a seeded sample when there are more)
   * @param topMass LCA weight-mass share that selects each model's top neurons (relocation)
   */
  public record Options(List<String> tasks, long seed, double rsaThreshold, int rsaSnippets, double topMass,
      ProbeOptions probe) {
    public Options {
      tasks = List.copyOf(tasks);
      if (!(rsaThreshold > -1 && rsaThreshold <= 1)) {
        throw new NeuroLensException("--rsa-threshold: must be in (-1, 1], found " + rsaThreshold);
      }
      if (rsaSnippets < 3) {
        throw new NeuroLensException("--rsa-snippets: must be >= 3, found " + rsaSnippets);
      }
      if (!(topMass > 0 && topMass <= 1)) {
        throw new NeuroLensException("--top-mass: must be in (0, 1], found " + topMass);
      }
    }

    /** The same settings with another seed and probe settings. */
    public Options with(long newSeed, ProbeOptions newProbe) {
      return new Options(tasks, newSeed, rsaThreshold, rsaSnippets, topMass, newProbe);
    }

    /** Threshold 0.9, 2,000 RSA snippets, 10% weight mass, seed 42, the default probe settings. */
    public static Options defaults(List<String> tasks) {
      return new Options(tasks, 42, 0.9, 2000, 0.1, ProbeOptions.defaults());
    }
  }

  /** Throws when the two models cannot be compared token by token (architecture or tokenizer differ). */
  public static void checkCompatible(EncoderModel base, EncoderModel tuned) {
    ModelConfig a = base.config();
    ModelConfig b = tuned.config();
    if (!a.equals(b)) {
      throw new NeuroLensException("compare: the models differ in architecture (base " + describe(a) + ", tuned "
          + describe(b) + "); both must share it");
    }
    if (!base.tokenizer().tokenizerJson().equals(tuned.tokenizer().tokenizerJson())) {
      throw new NeuroLensException("compare: the models have different tokenizers (tokenizer.json differs); both must share one");
    }
  }

  private static String describe(ModelConfig c) {
    return c.family().label() + " (" + c.modelType() + ")" + ", " + c.numLayers() + " layers, hidden " + c.hiddenSize() + ", " + c.numHeads() + " heads, ffn "
        + c.intermediateSize() + ", vocab " + c.vocabSize() + ", positions " + c.maxPositions()
        + (c.settings() instanceof FamilySettings.None ? "" : ", " + c.settings());
  }

  /**
   * Extracts both models on {@code in} (stores {@code outDir/store-base} and
   * {@code outDir/store-tuned}, reused when complete) and compares them; writes
   * {@code outDir/compare.json} (model paths relative to {@code outDir}).
   */
  public static ComparisonResult run(EncoderModel base, EncoderModel tuned, CorpusInputs in, Path outDir, Options o,
      Consumer<String> progress, boolean bars) {
    checkCompatible(base, tuned);
    CorpusInputs.ProgressBars pb = bars ? CorpusInputs.ProgressBars.SHOW : CorpusInputs.ProgressBars.HIDE;
    progress.accept("compare: extracting the base model " + base.id());
    Analysis.extractOrReuse(base, in, outDir.resolve("store-base"), Analysis.StoreUse.REUSE, pb, progress);
    progress.accept("compare: extracting the tuned model " + tuned.id());
    Analysis.extractOrReuse(tuned, in, outDir.resolve("store-tuned"), Analysis.StoreUse.REUSE, pb, progress);
    try (ActivationStore a = ActivationStore.open(outDir.resolve("store-base"));
        ActivationStore b = ActivationStore.open(outDir.resolve("store-tuned"))) {
      ComparisonResult r = RelativePaths.of(compareStores(a, b, o, progress, bars), outDir);
      Json.writeAtomically(outDir.resolve("compare.json"), r);
      return r;
    }
  }

  /** Compares two stores of the same corpus and layer layout (base first). */
  public static ComparisonResult compareStores(ActivationStore a, ActivationStore b, Options o, Consumer<String> progress,
      boolean bars) {
    return compareStores(a, b, o, progress, bars, java.util.Map.of());
  }

  /** {@link #compareStores(ActivationStore, ActivationStore, Options, Consumer, boolean)} reusing probes of the tuned store by task. */
  static ComparisonResult compareStores(ActivationStore a, ActivationStore b, Options o, Consumer<String> progress,
      boolean bars, java.util.Map<String, TaskAnalysis> tunedProbes) {
    if (a.tokenCount() != b.tokenCount() || !Arrays.equals(a.rowSnippets(), b.rowSnippets())) {
      throw new NeuroLensException("compare: " + a.dir() + " and " + b.dir() + " do not hold the same tokens ("
          + a.tokenCount() + " and " + b.tokenCount() + " tokens); extract both models on the same corpus");
    }
    String ha = a.spec().corpusHash();
    String hb = b.spec().corpusHash();
    if (ha != null && hb != null && !ha.equals(hb)) {
      throw new NeuroLensException("compare: " + a.dir() + " and " + b.dir() + " come from different corpora (corpus hash "
          + ha + " vs " + hb + ")");
    }
    List<HookName> hooks = StoreTask.uniformHooks(a);
    if (!hooks.equals(StoreTask.uniformHooks(b))) {
      throw new NeuroLensException("compare: the stores hold different layers: " + hooks + " vs " + StoreTask.uniformHooks(b));
    }
    int hidden = a.width(hooks.get(0));
    progress.accept("compare: RSA, CKA, token cosine and neuron self-correlation of " + hooks.size() + " layers over "
        + a.tokenCount() + " tokens");
    ModelDrift.Result drift;
    try (Progress bar = bars ? Progress.start("layer drift", a.tokenCount(), "tokens") : Progress.silent()) {
      drift = ModelDrift.compute(a.view(hooks), b.view(hooks), hooks.size(), hidden, a.rowSnippets(), o.rsaSnippets(),
          o.seed(), bar);
    }
    List<ComparisonResult.Layer> layers = new ArrayList<>();
    for (ModelDrift.LayerDrift d : drift.layers()) {
      layers.add(new ComparisonResult.Layer(d.layer(), d.rsaSpearman(), d.rsaPearson(), d.cka(), d.tokenCosine(),
          d.neuronSelfCorrelationMedian(), d.neuronSelfCorrelationBelowHalf()));
    }
    List<ComparisonResult.TaskProbes> tasks = new ArrayList<>();
    List<ComparisonResult.Relocation> relocation = new ArrayList<>();
    for (String task : o.tasks()) {
      progress.accept("compare: probing " + task + " on both models");
      TaskAnalysis ta = new TaskAnalysis(StoreTask.load(a, task, o.seed(), StoreTask.Control.FIT), o.probe(), o.seed(),
          line -> progress.accept("  base " + task + ": " + line));
      ta.probe();
      TaskAnalysis tb = tunedProbes.get(task);
      if (tb == null) {
        tb = new TaskAnalysis(StoreTask.load(b, task, o.seed(), StoreTask.Control.FIT), o.probe(), o.seed(),
            line -> progress.accept("  tuned " + task + ": " + line));
        tb.probe();
      }
      List<AnalysisResult.LayerScore> sa = ta.layerScores();
      List<AnalysisResult.LayerScore> sb = tb.layerScores();
      List<Double> diff = new ArrayList<>();
      for (int i = 0; i < sa.size(); i++) {
        diff.add(sb.get(i).test() - sa.get(i).test());
      }
      String metric = StoreTask.load(a, task, o.seed(), StoreTask.Control.NONE).task().isRegression() ? "pearson" : "accuracy";
      tasks.add(new ComparisonResult.TaskProbes(task, metric, sa, sb, diff));
      relocation.add(relocation(task, o.topMass(), ta.topByMass(o.topMass()), tb.topByMass(o.topMass()), ta.layout()));
    }
    return new ComparisonResult(1, a.spec().modelId(), b.spec().modelId(), a.spec().weightChecksum(),
        b.spec().weightChecksum(), drift.tokens(), a.snippetCount(), drift.snippets(), layers, tasks, relocation,
        freezeAdvice(layers, o.rsaThreshold()));
  }

  /** Layer histograms, mean layers and overlap of two top-neuron sets (feature ids of one layout). */
  static ComparisonResult.Relocation relocation(String task, double mass, int[] baseTop, int[] tunedTop, LayerLayout layout) {
    int[] hb = new int[layout.numLayers()];
    int[] ht = new int[layout.numLayers()];
    for (int f : baseTop) {
      hb[layout.layerOf(f)]++;
    }
    for (int f : tunedTop) {
      ht[layout.layerOf(f)]++;
    }
    Set<Integer> sb = new HashSet<>();
    for (int f : baseTop) {
      sb.add(f);
    }
    Set<Integer> union = new HashSet<>(sb);
    int common = 0;
    for (int f : tunedTop) {
      if (sb.contains(f)) {
        common++;
      }
      union.add(f);
    }
    double mb = meanLayer(hb);
    double mt = meanLayer(ht);
    return new ComparisonResult.Relocation(task, mass, hb, ht, mb, mt, mt - mb,
        union.isEmpty() ? 1 : common / (double) union.size(), common);
  }

  private static double meanLayer(int[] hist) {
    double s = 0;
    long n = 0;
    for (int l = 0; l < hist.length; l++) {
      s += (double) l * hist[l];
      n += hist[l];
    }
    return n == 0 ? Double.NaN : s / n;
  }

  /**
   * The largest bottom prefix of layers whose Spearman RSA stays >= threshold: layers 0..K keep
   * it, so the embeddings and blocks 0..K-1 can be frozen; "none" when even the embeddings
   * change more.
   */
  static ComparisonResult.FreezeAdvice freezeAdvice(List<ComparisonResult.Layer> layers, double threshold) {
    int k = -1;
    while (k + 1 < layers.size() && layers.get(k + 1).rsaSpearman() >= threshold) {
      k++;
    }
    int blocks = layers.size() - 1;
    String freeze;
    String reason;
    if (k < 0) {
      freeze = "none";
      reason = String.format("the embeddings' RSA is %.3f, below %.2f: fine-tune everything", layers.get(0).rsaSpearman(), threshold);
    } else if (k >= blocks) {
      freeze = String.valueOf(blocks - 1);
      reason = String.format("every layer keeps RSA >= %.2f: freeze all but the top block (--freeze %d)", threshold, blocks - 1);
    } else if (k == 0) {
      freeze = "0";
      reason = String.format("only the embeddings keep RSA >= %.2f (layer 1: %.3f): freeze the embeddings (--freeze 0)",
          threshold, layers.get(1).rsaSpearman());
    } else {
      freeze = String.valueOf(k);
      reason = String.format("layers 0..%d keep RSA >= %.2f (layer %d: %.3f): freeze the embeddings and blocks 0..%d (--freeze %d)",
          k, threshold, k + 1, layers.get(k + 1).rsaSpearman(), k - 1, k);
    }
    return new ComparisonResult.FreezeAdvice("rsa_spearman", threshold, freeze, reason);
  }
}
