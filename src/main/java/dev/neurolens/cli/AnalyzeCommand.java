package dev.neurolens.cli;

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
import dev.neurolens.model.HookName;
import dev.neurolens.model.Models;
import dev.neurolens.model.Torch;
import dev.neurolens.probe.ProbeOptions;
import dev.neurolens.report.HtmlReport;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code neurolens analyze}: the whole pipeline on one model and corpus — label, extract, probe
 * every layer for every task (with control tasks), rank neurons with LCA, ablate, cluster and
 * compare layers — writing {@code OUT/results.json} and a self-contained {@code OUT/report.html}.
 */
@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    description = "Run the whole analysis (label, extract, probe, rank, ablate, redundancy) and write a report.")
public final class AnalyzeCommand implements Callable<Integer> {
  @Mixin OutputOptions out;

  @Spec CommandSpec spec;

  @Option(names = "--model", defaultValue = "default",
      description = "'default' (bundled BGE-small), a Hugging Face model directory or an .onnx file.")
  String model;

  @Option(names = "--corpus", defaultValue = "default", description = "Corpus: 'default', a directory, file, jar/zip or JSONL.")
  String corpus;

  @Option(names = "--lang", defaultValue = "java", description = "Language (default: ${DEFAULT-VALUE}).")
  String lang;

  @Option(names = "--tasks", split = ",", defaultValue = "lexical,syntactic,structural",
      description = "Token tasks to probe (default: ${DEFAULT-VALUE}).")
  List<String> tasks;

  @Option(names = "--out", defaultValue = "neurolens-out", description = "Output directory (default: ${DEFAULT-VALUE}).")
  Path outDir;

  @Option(names = "--max-snippets", defaultValue = "" + CorpusReader.DEFAULT_ANALYZE_MAX_SNIPPETS,
      description = "Methods sampled from the corpus (0 = all; default ${DEFAULT-VALUE}).")
  int maxSnippets;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of sampling, splits, control tasks and probes.")
  long seed;

  @Option(names = "--epochs", defaultValue = "10", description = "Probe training epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(
      names = "--probe-threads",
      defaultValue = "1",
      description = "PyTorch intra-op threads while probes train (default: ${DEFAULT-VALUE}; extraction and "
          + "clustering use all cores).")
  int probeThreads;

  @Option(names = "--neurons-per-class", defaultValue = "2",
      description = "Top neurons per class profiled in the neuron explorer (default: ${DEFAULT-VALUE}).")
  int neuronsPerClass;

  @Option(names = "--skip-redundancy", description = "Skip correlation clustering and layer CKA.")
  boolean skipRedundancy;

  @Option(names = "--pipeline", split = ",", defaultValue = "lexical",
      description = "Tasks that get the LayerSelector -> CC -> LCA minimal-neuron pipeline "
          + "(default: ${DEFAULT-VALUE}; 'none' for no task; it retrains many probes).")
  List<String> pipelineTasks;

  @Option(names = "--overwrite", description = "Re-extract even if OUT/store exists (default: resume/reuse it).")
  boolean overwrite;

  @Override
  public Integer call() {
    OutPaths.directory("--out", outDir);
    OutPaths.atLeast("--epochs", epochs, 1);
    OutPaths.atLeast("--probe-threads", probeThreads, 1);
    if (neuronsPerClass < 0) {
      throw new NeuroLensException("--neurons-per-class: must be >= 0, found " + neuronsPerClass);
    }
    // The default pipeline task may be left out of --tasks; a named one may not (it would do nothing).
    boolean pipelineGiven = spec != null && spec.commandLine().getParseResult().hasMatchedOption("--pipeline");
    for (String p : pipelineGiven ? pipelineTasks : List.<String>of()) {
      if (!p.equals("none") && !tasks.contains(p)) {
        throw new NeuroLensException("--pipeline: task '" + p + "' is not one of --tasks " + tasks + " (or 'none')");
      }
    }
    long t0 = System.nanoTime();
    Map<String, Object> timings = new LinkedHashMap<>();
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("neurolens_version", "0.1.0");
    results.put("created", Instant.now().toString());
    results.put("seed", seed);
    Path store = outDir.resolve("store");
    Path resultsFile = outDir.resolve("results.json");
    Path reportFile = outDir.resolve("report.html");
    try {
      Files.deleteIfExists(resultsFile);
      Files.deleteIfExists(reportFile);
    } catch (java.io.IOException e) {
      throw new NeuroLensException(outDir + ": cannot clear old results (" + e.getMessage() + ")", e);
    }

    // 1. label + extract
    long t = System.nanoTime();
    ExtractCommand.Inputs in = ExtractCommand.labelCorpus(corpus, lang, Unit.METHOD, maxSnippets,
        CorpusReader.DEFAULT_MAX_TOKENS, seed, tasks, out.quiet());
    timings.put("label", seconds(t));
    t = System.nanoTime();
    ExtractionResult er;
    try (EncoderModel m = Models.load(model)) {
      results.put("model", modelInfo(m));
      List<HookName> hooks = new ArrayList<>();
      hooks.add(HookName.embedOut());
      for (int i = 0; i < m.config().numLayers(); i++) {
        hooks.add(HookName.residPost(i));
      }
      ExtractOptions.Builder b = ExtractOptions.builder()
          .optHooks(hooks)
          .optAggregation(Aggregation.LAST)
          .optBatchTokens(ExtractCommand.fittedBatchTokens(hooks.size() * m.config().hiddenSize()))
          .optDtype(StoreDtype.FLOAT16)
          .optCorpusHash(in.hash())
          .optProgress(!out.quiet());
      in.tasks().forEach(b::addTask);
      Extractor extractor = new Extractor(b.build());
      if (!overwrite && ActivationStore.isCompleteWith(store, extractor.spec(m))) {
        out.info("reusing the activation store " + store + " (same model, corpus and tasks; --overwrite re-extracts)");
        try (ActivationStore s = ActivationStore.open(store)) {
          er = new ExtractionResult(s.snippetCount(), s.tokenCount(), hooks.size(), m.config().hiddenSize(),
              Double.NaN, s.bytes(), s.snippetCount(), 0);
        }
      } else {
        er = extractor.extract(m, in.inputs(), store,
            overwrite ? StoreWriter.Mode.OVERWRITE : StoreWriter.Mode.CREATE_OR_RESUME);
      }
    }
    timings.put("extract", seconds(t));
    out.info(String.format(Locale.ROOT, "store: %d snippets, %d tokens -> %s", er.snippets(), er.tokens(), store));
    Map<String, Object> corpusInfo = new LinkedHashMap<>();
    corpusInfo.put("spec", corpus);
    corpusInfo.put("lang", lang);
    corpusInfo.put("snippets", er.snippets());
    corpusInfo.put("tokens", er.tokens());
    corpusInfo.put("hash", in.hash());
    results.put("corpus", corpusInfo);
    Map<String, Object> extraction = new LinkedHashMap<>();
    extraction.put("aggregation", "last");
    extraction.put("dtype", "float16");
    extraction.put("tokens_per_s", Double.isNaN(er.tokensPerSecond()) ? null : Math.round(er.tokensPerSecond() * 10) / 10.0);
    extraction.put("seconds", er.seconds());
    extraction.put("reused", Double.isNaN(er.tokensPerSecond()));
    extraction.put("store", store.toString());
    results.put("extraction", extraction);

    // 2. per task: probes, LCA, ablation, neurons
    ProbeOptions options = ProbeOptions.builder().optEpochs(epochs).optSeed(seed).build();
    List<Map<String, Object>> taskResults = new ArrayList<>();
    List<Map<String, Object>> neurons = new ArrayList<>();
    try (ActivationStore s = ActivationStore.open(store)) {
      for (String task : tasks) {
        t = System.nanoTime();
        taskResults.add(Torch.withThreads(probeThreads, () -> analyzeTask(s, task, options, neurons)));
        timings.put("task_" + task, seconds(t));
      }
      results.put("tasks", taskResults);
      results.put("neurons", neurons);

      // 3. redundancy: correlation clustering and layer CKA
      if (!skipRedundancy) {
        t = System.nanoTime();
        out.info("clustering neurons and comparing layers...");
        results.putAll(GeneralRedundancy.run(s, seed, out.quiet()));
        timings.put("redundancy", seconds(t));
      }
    }
    timings.put("total", seconds(t0));
    results.put("timings", timings);

    Json.writeAtomically(resultsFile, results);
    HtmlReport.write(Json.MAPPER.valueToTree(results), reportFile);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("results", resultsFile.toString());
    summary.put("report", reportFile.toString());
    summary.put("tokens", er.tokens());
    summary.put("seconds", timings.get("total"));
    out.emit(summary, "report: " + reportFile.toAbsolutePath() + "\nresults: " + resultsFile.toAbsolutePath());
    return 0;
  }

  private static Map<String, Object> modelInfo(EncoderModel m) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("id", m.id());
    info.put("type", m.config().modelType());
    info.put("layers", m.config().numLayers());
    info.put("hidden", m.config().hiddenSize());
    info.put("heads", m.config().numHeads());
    info.put("parameters", m.parameterCount());
    info.put("weight_checksum", m.weightChecksum());
    return info;
  }

  /** Probes, top neurons, ablation, pipeline and neuron profiles of one task: its results section. */
  private Map<String, Object> analyzeTask(
      ActivationStore s, String task, ProbeOptions options, List<Map<String, Object>> neurons) {
    StoreTask st = StoreTask.load(s, task, seed, true);
    TaskAnalysis ta = new TaskAnalysis(st, options, seed, line -> {
      if (!out.quiet()) {
        out.info("  " + task + ": " + line);
      }
    });
    out.info("probing " + task + " (" + st.layout().numLayers() + " layers + oracle, with control task)...");
    Map<String, Object> section = ta.probe();
    section.put("top_neurons", ta.topNeurons());
    section.put("layer_distribution", ta.layerDistribution());
    out.info("ablating " + task + "...");
    section.put("ablation", ta.ablation());
    if (pipelineTasks.contains(task)) {
      out.info("redundancy pipeline for " + task + "...");
      section.put("redundancy", ta.redundancyPipeline());
    }
    if (neuronsPerClass > 0) {
      neurons.addAll(ta.neurons(neuronsPerClass));
    }
    return section;
  }

  private static double seconds(long startNanos) {
    return Math.round((System.nanoTime() - startNanos) / 1e8) / 10.0;
  }
}
