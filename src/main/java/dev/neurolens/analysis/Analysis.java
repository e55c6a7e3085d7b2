package dev.neurolens.analysis;

import dev.neurolens.activation.ActivationStore;
import dev.neurolens.activation.Aggregation;
import dev.neurolens.activation.ExtractOptions;
import dev.neurolens.activation.ExtractionResult;
import dev.neurolens.activation.Extractor;
import dev.neurolens.activation.StoreDtype;
import dev.neurolens.activation.StoreWriter;
import dev.neurolens.corpus.CorpusReader;
import dev.neurolens.corpus.Unit;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Models;
import dev.neurolens.model.Torch;
import dev.neurolens.probe.ProbeOptions;
import dev.neurolens.probe.ProbeProvenance;
import dev.neurolens.util.NeuroLensException;
import dev.neurolens.util.SnippetSplit;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The whole analysis of one model on one corpus (what {@code neurolens analyze} runs): label and
 * extract into an activation store (or reuse a complete one), then per task the layer-wise probes
 * with control tasks, the oracle's LCA neurons, probe-level ablation, the optional minimal-neuron
 * pipeline and neuron profiles, then correlation clustering and layer CKA.
 *
 * <p>Usage:
 *
 * <pre>{@code
 * AnalysisResult r = Analysis.builder().corpus("default").tasks("lexical").maxSnippets(100)
 *     .outDir(Path.of("out")).build().run(System.err::println);
 * System.out.println(r.task("lexical").bestLayer());
 * }</pre>
 *
 * <p>Each stage is also callable on its own: {@link CorpusInputs#label}, {@link
 * dev.neurolens.activation.Extractor}, {@link StoreTask#load}, {@link
 * dev.neurolens.probe.LayerwiseProber}, {@link dev.neurolens.rank.LcaRanker}, {@link
 * dev.neurolens.redundancy.CorrelationClustering}, {@link dev.neurolens.redundancy.LayerSimilarity}.
 */
public final class Analysis {
  private final Builder b;

  private Analysis(Builder b) {
    this.b = b;
  }

  /** A builder with the defaults of {@code neurolens analyze}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Where the activation store of this analysis lives ({@code outDir/store}). */
  public Path storeDir() {
    return b.outDir.resolve("store");
  }

  /**
   * Runs every stage; {@code progress} receives one line per stage and per trained probe.
   *
   * @return the results (write them with {@link AnalysisResult#write})
   */
  public AnalysisResult run(Consumer<String> progress) {
    Objects.requireNonNull(progress, "progress");
    long t0 = System.nanoTime();
    Map<String, Double> timings = new LinkedHashMap<>();
    Path store = storeDir();
    long t = System.nanoTime();
    CorpusInputs in = CorpusInputs.label(new CorpusInputs.Request(b.corpus, b.lang, Unit.METHOD, b.maxSnippets,
        CorpusReader.DEFAULT_MAX_TOKENS, b.seed, b.tasks, b.bars, b.maxFileBytes));
    timings.put("label", seconds(t));
    t = System.nanoTime();
    ExtractionResult er;
    AnalysisResult.ModelInfo modelInfo;
    try (EncoderModel m = Models.load(b.model)) {
      modelInfo = new AnalysisResult.ModelInfo(m.id(), m.config().modelType(), m.config().numLayers(),
          m.config().hiddenSize(), m.config().numHeads(), m.parameterCount(), m.weightChecksum());
      er = extractOrReuse(m, in, store, b.storeUse, b.bars, progress);
      if (b.compareWith != null) {
        try (EncoderModel base = Models.load(b.compareWith)) {
          ModelComparison.checkCompatible(base, m);
          progress.accept("extracting the base model " + base.id() + " for the comparison...");
          extractOrReuse(base, in, b.outDir.resolve("store-base"), b.storeUse, b.bars, progress);
        }
      }
    }
    timings.put("extract", seconds(t));
    progress.accept(String.format(java.util.Locale.ROOT, "store: %d snippets, %d tokens -> %s", er.snippets(), er.tokens(), store));
    AnalysisResult.CorpusInfo corpusInfo = new AnalysisResult.CorpusInfo(b.corpus, b.lang, er.snippets(), er.tokens(), in.hash());
    boolean reused = Double.isNaN(er.tokensPerSecond());
    AnalysisResult.ExtractionInfo extraction = new AnalysisResult.ExtractionInfo("last", "float16",
        reused ? null : Math.round(er.tokensPerSecond() * 10) / 10.0, er.seconds(), reused, store.toString());

    ProbeOptions options = ProbeOptions.builder().optEpochs(b.epochs).optSeed(b.seed).build();
    List<AnalysisResult.TaskResult> tasks = new ArrayList<>();
    List<AnalysisResult.ProfiledNeuron> neurons = new ArrayList<>();
    List<ConceptSection> concepts = new ArrayList<>();
    GeneralRedundancy.Sections redundancy = null;
    ComparisonResult comparison = null;
    Map<String, TaskAnalysis> probed = new LinkedHashMap<>();
    try (ActivationStore s = ActivationStore.open(store)) {
      for (String task : b.tasks) {
        dev.neurolens.util.Activity.set("analysing task " + task + " on the store " + store);
        t = System.nanoTime();
        tasks.add(Torch.withThreads(b.probeThreads, () -> analyzeTask(s, task, options, neurons, concepts, probed, progress)));
        timings.put("task_" + task, seconds(t));
      }
      if (b.compareWith != null) {
        t = System.nanoTime();
        progress.accept("comparing with the base model " + b.compareWith + "...");
        try (ActivationStore base = ActivationStore.open(b.outDir.resolve("store-base"))) {
          ModelComparison.Options co = ModelComparison.Options.defaults(b.tasks).with(b.seed, options);
          comparison = Torch.withThreads(b.probeThreads,
              () -> ModelComparison.compareStores(base, s, co, progress, b.bars == CorpusInputs.ProgressBars.SHOW, probed));
        }
        timings.put("compare", seconds(t));
      }
      if (b.redundancy == Stage.RUN) {
        t = System.nanoTime();
        progress.accept("clustering neurons and comparing layers...");
        dev.neurolens.util.Activity.set("clustering the neurons of the store " + store);
        redundancy = GeneralRedundancy.run(s, b.seed);
        timings.put("redundancy", seconds(t));
      }
    }
    timings.put("total", seconds(t0));
    return new AnalysisResult(AnalysisResult.SCHEMA_VERSION, ProbeProvenance.NEUROLENS_VERSION, Instant.now().toString(),
        b.seed, modelInfo, corpusInfo, extraction, tasks, neurons, concepts,
        redundancy == null ? null : redundancy.clustering(), redundancy == null ? null : redundancy.cka(), comparison,
        timings);
  }

  /**
   * Extracts every code token of {@code in} at the embedding output and every block's residual
   * stream (last sub-word, float16) into {@code store}, or reuses a complete store of the same
   * model, corpus and tasks ({@link StoreUse#REUSE}); a reused store reports NaN tokens/s.
   */
  static ExtractionResult extractOrReuse(
      EncoderModel m, CorpusInputs in, Path store, StoreUse use, CorpusInputs.ProgressBars bars,
      Consumer<String> progress) {
    int layers = m.config().numLayers() + 1; // the Extractor's default hooks: embed.out + every resid_post
    ExtractOptions.Builder eb = ExtractOptions.builder()
        .optAggregation(Aggregation.LAST)
        .optBatchTokens(CorpusInputs.fittedBatchTokens(layers * m.config().hiddenSize()))
        .optDtype(StoreDtype.FLOAT16)
        .optCorpusHash(in.hash())
        .optProgress(bars == CorpusInputs.ProgressBars.SHOW);
    in.tasks().forEach(eb::addTask);
    Extractor extractor = new Extractor(eb.build());
    if (use == StoreUse.REUSE && ActivationStore.isCompleteWith(store, extractor.spec(m))) {
      progress.accept("reusing the activation store " + store
          + " (same model, corpus and tasks; StoreUse.OVERWRITE / --overwrite re-extracts)");
      try (ActivationStore s = ActivationStore.open(store)) {
        return new ExtractionResult(s.snippetCount(), s.tokenCount(), layers, m.config().hiddenSize(),
            Double.NaN, s.bytes(), s.snippetCount(), 0, Double.NaN);
      }
    }
    return extractor.extract(m, in.inputs(), store,
        use == StoreUse.OVERWRITE ? StoreWriter.Mode.OVERWRITE : StoreWriter.Mode.CREATE_OR_RESUME);
  }

  private AnalysisResult.TaskResult analyzeTask(
      ActivationStore s, String task, ProbeOptions options, List<AnalysisResult.ProfiledNeuron> neurons,
      List<ConceptSection> concepts, Map<String, TaskAnalysis> probed, Consumer<String> progress) {
    StoreTask st = StoreTask.load(s, task, new StoreTask.SplitRule(b.split, b.splitSeed), StoreTask.Control.FIT);
    Regularization regularization = null;
    if (b.lambdaGrid.size() > 1 && st.splits().dev().length > 0) {
      progress.accept("choosing lambda1 = lambda2 for " + task + " on dev from " + b.lambdaGrid + "...");
      regularization = Regularization.choose(st, options, b.lambdaGrid);
      options = options.toBuilder().optLambda1(regularization.chosen()).optLambda2(regularization.chosen()).build();
    }
    TaskAnalysis ta = new TaskAnalysis(st, options, b.seed, line -> progress.accept("  " + task + ": " + line));
    progress.accept("probing " + task + " (" + st.layout().numLayers() + " layers + oracle, with control task)...");
    ta.probe();
    if (b.rankRuns > 1) {
      progress.accept("ranking " + task + " over " + b.rankRuns + " probe seeds (stability)...");
      ta.stability(b.rankRuns);
    }
    probed.put(task, ta);
    progress.accept("ablating " + task + "...");
    List<AnalysisResult.AblationRow> ablation = ta.ablation();
    AnalysisResult.PipelineSection pipeline = null;
    if (b.pipelineTasks.contains(task)) {
      progress.accept("redundancy pipeline for " + task + "...");
      pipeline = ta.redundancyPipeline();
    }
    if (b.neuronsPerClass > 0) {
      neurons.addAll(ta.neurons(b.neuronsPerClass));
    }
    SplitCheck otherSplit = null;
    if (b.splitCheckTasks.contains(task) && s.tasks().stream().anyMatch(t -> t.name().equals("lexical"))) {
      StoreTask.SplitRule.Kind other = b.split == StoreTask.SplitRule.Kind.SNIPPET
          ? StoreTask.SplitRule.Kind.TYPE_DISJOINT : StoreTask.SplitRule.Kind.SNIPPET;
      progress.accept("probing " + task + " on all layers under the " + new StoreTask.SplitRule(other, null).kindName()
          + " split...");
      otherSplit = SplitCheck.run(StoreTask.load(s, task, new StoreTask.SplitRule(other, b.splitSeed), StoreTask.Control.FIT),
          options, line -> progress.accept("  " + task + ": " + line));
    }
    if (b.conceptTasks.contains(task) && !st.task().isRegression()) {
      progress.accept("searching concept neurons of " + task + " (all " + st.x().cols() + " neurons)...");
      concepts.add(ConceptSection.search(st, b.conceptNeurons, CONCEPT_EXAMPLES, b.seed,
          line -> progress.accept("  " + task + ": " + line)));
    }
    return ta.section(ablation, pipeline, otherSplit, regularization);
  }

  /** Neurons per concept with heat-map contexts in results.json. */
  static final int CONCEPT_EXAMPLES = 2;

  private static double seconds(long startNanos) {
    return Math.round((System.nanoTime() - startNanos) / 1e8) / 10.0;
  }

  /** Whether an optional stage runs. */
  public enum Stage {
    /** Run it. */
    RUN,
    /** Leave it out. */
    SKIP
  }

  /** What happens to an existing store in {@code outDir/store}. */
  public enum StoreUse {
    /** Reuse it when it is complete for the same model, corpus and tasks; else resume or create it. */
    REUSE,
    /** Extract again. */
    OVERWRITE
  }

  /** Settings of an {@link Analysis}; the defaults are those of {@code neurolens analyze}. */
  public static final class Builder {
    private String model = "default";
    private String corpus = "default";
    private String lang = "java";
    private List<String> tasks = List.of("lexical", "syntactic", "structural");
    private Path outDir = Path.of("neurolens-out");
    private int maxSnippets = CorpusReader.DEFAULT_ANALYZE_MAX_SNIPPETS;
    private long maxFileBytes = CorpusReader.DEFAULT_MAX_FILE_BYTES;
    private long seed = 42;
    private int epochs = 10;
    private int probeThreads = 1;
    private int neuronsPerClass = 2;
    private Stage redundancy = Stage.RUN;
    private List<String> pipelineTasks = List.of("lexical");
    private List<String> conceptTasks = List.of("lexical");
    private int conceptNeurons = 5;
    private int rankRuns = 3;
    private List<String> splitCheckTasks = List.of("lexical", "syntactic");
    private List<Double> lambdaGrid = List.of();
    private long splitSeed = SnippetSplit.DEFAULT_SEED;
    private StoreTask.SplitRule.Kind split = StoreTask.SplitRule.Kind.SNIPPET;
    private StoreUse storeUse = StoreUse.REUSE;
    private CorpusInputs.ProgressBars bars = CorpusInputs.ProgressBars.HIDE;
    private String compareWith;

    private Builder() {}

    /** {@code default} (bundled BGE-small), a Hugging Face model directory or an .onnx file. */
    public Builder model(String v) {
      model = Objects.requireNonNull(v, "model");
      return this;
    }

    /** {@code default}, a directory, file, jar/zip or JSONL. */
    public Builder corpus(String v) {
      corpus = Objects.requireNonNull(v, "corpus");
      return this;
    }

    /** Language of the corpus (default java). */
    public Builder lang(String v) {
      lang = Objects.requireNonNull(v, "lang");
      return this;
    }

    /** Token tasks to probe (default lexical, syntactic, structural). */
    public Builder tasks(String... v) {
      tasks = List.of(v);
      return this;
    }

    /** Output directory; the store goes to {@code outDir/store} (default neurolens-out). */
    public Builder outDir(Path v) {
      outDir = Objects.requireNonNull(v, "outDir");
      return this;
    }

    /** Methods sampled from the corpus (0 = all; default 1200). */
    public Builder maxSnippets(int v) {
      maxSnippets = v;
      return this;
    }

    /** Corpus files, archive entries and JSONL lines over this many bytes are skipped unread (default 2 MiB). */
    public Builder maxFileBytes(long v) {
      maxFileBytes = v;
      return this;
    }

    /** Seed of sampling, splits, control tasks and probes (default 42). */
    public Builder seed(long v) {
      seed = v;
      return this;
    }

    /**
     * Seed of the train/dev/test split of snippets and of the control tasks' word labels (default
     * 42), recorded in a new store; apart from {@link #seed}, which seeds sampling and probes.
     */
    public Builder splitSeed(long v) {
      splitSeed = v;
      return this;
    }

    /**
     * The split of the task sections (default SNIPPET); lexical and syntactic are also probed on
     * all layers under the other one ({@link SplitCheck}).
     */
    public Builder split(StoreTask.SplitRule.Kind v) {
      split = Objects.requireNonNull(v, "split");
      return this;
    }

    /** Probe training epochs (default 10). */
    public Builder epochs(int v) {
      epochs = v;
      return this;
    }

    /** PyTorch intra-op threads while probes train (default 1). */
    public Builder probeThreads(int v) {
      probeThreads = v;
      return this;
    }

    /** Top neurons per class profiled for the neuron explorer (default 2; 0 = none). */
    public Builder neuronsPerClass(int v) {
      neuronsPerClass = v;
      return this;
    }

    /** Correlation clustering and layer CKA (default RUN). */
    public Builder redundancy(Stage v) {
      redundancy = Objects.requireNonNull(v, "redundancy");
      return this;
    }

    /**
     * Tasks that get the LayerSelector -> CC -> LCA pipeline (default lexical; none for no task;
     * names not among {@link #tasks} are ignored).
     */
    public Builder pipelineTasks(String... v) {
      pipelineTasks = List.of(v);
      return this;
    }

    /**
     * Token tasks whose every neuron is searched as a detector of each value (default lexical; none
     * for no task; names not among {@link #tasks} and regression tasks are ignored).
     */
    public Builder conceptTasks(String... v) {
      conceptTasks = List.of(v);
      return this;
    }

    /**
     * Oracle probes trained per task with probe seeds seed .. seed + n - 1 to measure how stable the
     * LCA top neurons are (default 3; 1 = one probe, no stability figure).
     */
    public Builder rankRuns(int v) {
      rankRuns = v;
      return this;
    }

    /**
     * Values of lambda1 = lambda2 tried per task, the one with the best dev score of the oracle
     * probe used for all its probes (default: none, the probe options' lambdas).
     */
    public Builder lambdaGrid(Double... v) {
      lambdaGrid = List.of(v);
      return this;
    }

    /**
     * A paper's setup by name ({@link Preset}): its tasks, pipeline, concept search and lambda
     * grid; later builder calls override them.
     */
    public Builder preset(Preset p) {
      tasks = p.tasks();
      pipelineTasks = p.pipelineTasks();
      conceptTasks = p.conceptTasks();
      lambdaGrid = p.lambdaGrid();
      return this;
    }

    /**
     * Tasks whose oracle is also probed under the other split, the memorisation check (default
     * lexical and syntactic; none for no task; it needs the lexical task in the store).
     */
    public Builder splitCheckTasks(String... v) {
      splitCheckTasks = List.of(v);
      return this;
    }

    /** Best neurons listed per concept by the concept search (default 5). */
    public Builder conceptNeurons(int v) {
      conceptNeurons = v;
      return this;
    }

    /** Reuse (default) or overwrite an existing store. */
    public Builder store(StoreUse v) {
      storeUse = Objects.requireNonNull(v, "store");
      return this;
    }

    /** Progress bars on stderr while labelling and extracting (default HIDE). */
    public Builder progressBars(CorpusInputs.ProgressBars v) {
      bars = Objects.requireNonNull(v, "progressBars");
      return this;
    }

    /**
     * Also compare the model with {@code baseModel} (its pre-trained version): layer drift, probes
     * of both, relocation and freeze advice in {@link AnalysisResult#comparison()}; the base
     * model's store goes to {@code outDir/store-base}. Null (the default) = no comparison.
     */
    public Builder compareWith(String baseModel) {
      compareWith = baseModel;
      return this;
    }

    /** Checks the settings; the Analysis keeps a copy (later builder calls do not change it). */
    public Analysis build() {
      check(epochs >= 1, "epochs must be >= 1, found " + epochs);
      check(probeThreads >= 1, "probeThreads must be >= 1, found " + probeThreads);
      check(neuronsPerClass >= 0, "neuronsPerClass must be >= 0, found " + neuronsPerClass);
      check(lambdaGrid.stream().allMatch(l -> l >= 0 && Double.isFinite(l)),
          "lambda grid values must be finite and >= 0, found " + lambdaGrid);
      check(rankRuns >= 1, "rankRuns must be >= 1, found " + rankRuns);
      check(conceptNeurons >= 1, "conceptNeurons must be >= 1, found " + conceptNeurons);
      check(maxSnippets >= 0, "maxSnippets must be >= 0 (0 = all), found " + maxSnippets);
      check(!tasks.isEmpty(), "name at least one task");
      Builder copy = new Builder();
      copy.model = model;
      copy.corpus = corpus;
      copy.lang = lang;
      copy.tasks = List.copyOf(tasks);
      copy.outDir = outDir;
      copy.maxSnippets = maxSnippets;
      copy.maxFileBytes = maxFileBytes;
      copy.seed = seed;
      copy.epochs = epochs;
      copy.probeThreads = probeThreads;
      copy.neuronsPerClass = neuronsPerClass;
      copy.redundancy = redundancy;
      copy.pipelineTasks = List.copyOf(pipelineTasks);
      copy.conceptTasks = List.copyOf(conceptTasks);
      copy.conceptNeurons = conceptNeurons;
      copy.rankRuns = rankRuns;
      copy.splitCheckTasks = List.copyOf(splitCheckTasks);
      copy.lambdaGrid = List.copyOf(lambdaGrid);
      copy.splitSeed = splitSeed;
      copy.split = split;
      copy.storeUse = storeUse;
      copy.bars = bars;
      copy.compareWith = compareWith;
      return new Analysis(copy);
    }

    private static void check(boolean ok, String message) {
      if (!ok) {
        throw new NeuroLensException("analysis: " + message);
      }
    }
  }
}
