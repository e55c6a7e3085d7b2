package dev.neurolens.cli;

import dev.neurolens.analysis.Analysis;
import dev.neurolens.analysis.AnalysisResult;
import dev.neurolens.analysis.CorpusInputs;
import dev.neurolens.analysis.Preset;
import dev.neurolens.analysis.StoreTask;
import dev.neurolens.corpus.CorpusReader;
import dev.neurolens.report.HtmlReport;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
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
final class AnalyzeCommand implements Callable<Integer> {
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

  @Option(names = "--max-file-bytes", defaultValue = "" + CorpusReader.DEFAULT_MAX_FILE_BYTES,
      description = "Skip files, archive entries and JSONL lines over N bytes, never reading past N "
          + "(counted as too-large; default: ${DEFAULT-VALUE}).")
  long maxFileBytes;

  @Option(names = "--seed", defaultValue = "42",
      description = "Seed of sampling, probe initialisation and minibatch order (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--split-seed", defaultValue = "42",
      description = "Seed of the train/dev/test split of snippets and of the control tasks (default: ${DEFAULT-VALUE}).")
  long splitSeed;

  @Option(names = "--split", defaultValue = "snippet",
      description = "Split of the task sections: snippet or type-disjoint (no keyword, operator, punctuation or type "
          + "name of training in dev/test). lexical and syntactic are also probed under the other one. "
          + "Default: ${DEFAULT-VALUE}.")
  String split;

  @Option(names = "--preset",
      description = "A paper's setup: code-redundancy (javalang's six Java token classes, the minimal-neuron pipeline, "
          + "lambda chosen on dev) or telly (Python tokenize's five classes, cyclomatic complexity 1..5/Other). "
          + "--tasks, --pipeline and --concepts given beside it override its choice.")
  String preset;

  @Option(names = "--split-check", split = ",", defaultValue = "lexical,syntactic",
      description = "Tasks whose oracle probe is also trained under the other split (snippet / type-disjoint), to show how "
          + "much of the score is memorised words (default: ${DEFAULT-VALUE}; 'none' for no task).")
  List<String> splitCheckTasks;

  @Option(names = "--rank-runs", defaultValue = "3",
      description = "Oracle probes per task with different probe seeds, to measure how stable the top neurons are "
          + "(default: ${DEFAULT-VALUE}; 1 = no stability figure).")
  int rankRuns;

  @Option(names = "--concepts", split = ",", defaultValue = "lexical",
      description = "Token tasks whose every neuron is searched as a detector of each value (default: ${DEFAULT-VALUE}; "
          + "'none' for no task).")
  List<String> conceptTasks;

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

  @Option(names = "--compare-with", description = "A base model (e.g. the pre-trained one): adds the fine-tuning "
      + "comparison (RSA, CKA, probes of both, relocation, freeze advice) to results.json and report.html.")
  String compareWith;

  @Option(names = "--overwrite", description = "Re-extract even if OUT/store exists (default: resume/reuse it).")
  boolean overwrite;

  @Option(names = "--absolute-paths", description = "Keep absolute paths of the model, corpus and store in results.json "
      + "and report.html (default: relative to --out, so a shared report does not reveal local folders).")
  boolean absolutePaths;

  @Override
  public Integer call() {
    OutPaths.directory("--out", outDir);
    OutPaths.atLeast("--epochs", epochs, 1);
    OutPaths.atLeast("--probe-threads", probeThreads, 1);
    OutPaths.atLeast("--rank-runs", rankRuns, 1);
    StoreTask.SplitRule.Kind splitKind = StoreTask.SplitRule.parseKind(split);
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
    // Nothing is deleted up front: results.json and report.html are replaced only when new ones are
    // complete (each written aside and renamed), so a run that fails leaves the last complete pair.
    Path resultsFile = outDir.resolve("results.json");
    Path reportFile = outDir.resolve("report.html");
    Analysis.Builder builder = Analysis.builder();
    var parsed = spec == null ? null : spec.commandLine().getParseResult();
    if (preset != null) {
      Preset p = Preset.parse(preset);
      builder.preset(p);
      if (parsed == null || !parsed.hasMatchedOption("--tasks")) {
        tasks = p.tasks();
      }
      if (parsed == null || !parsed.hasMatchedOption("--pipeline")) {
        pipelineTasks = p.pipelineTasks().isEmpty() ? List.of("none") : p.pipelineTasks();
      }
      if (parsed == null || !parsed.hasMatchedOption("--concepts")) {
        conceptTasks = p.conceptTasks();
      }
    }
    Analysis analysis = builder
        .model(model).corpus(corpus).lang(lang).tasks(tasks.toArray(String[]::new)).outDir(outDir)
        .maxSnippets(maxSnippets).maxFileBytes(maxFileBytes).seed(seed).epochs(epochs).probeThreads(probeThreads)
        .neuronsPerClass(neuronsPerClass)
        .redundancy(skipRedundancy ? Analysis.Stage.SKIP : Analysis.Stage.RUN)
        .pipelineTasks(pipelineTasks.toArray(String[]::new))
        .conceptTasks(conceptTasks.stream().filter(t -> !t.equals("none")).toArray(String[]::new))
        .splitSeed(splitSeed).split(splitKind).rankRuns(rankRuns)
        .splitCheckTasks(splitCheckTasks.stream().filter(t -> !t.equals("none")).toArray(String[]::new))
        .store(overwrite ? Analysis.StoreUse.OVERWRITE : Analysis.StoreUse.REUSE)
        .compareWith(compareWith)
        .progressBars(out.quiet() ? CorpusInputs.ProgressBars.HIDE : CorpusInputs.ProgressBars.SHOW)
        .build();
    AnalysisResult result = analysis.run(line -> {
      if (!out.quiet() || !line.startsWith("  ")) {
        out.info(line);
      }
    });
    if (!absolutePaths) {
      result = dev.neurolens.analysis.RelativePaths.of(result, outDir);
    }
    result.write(resultsFile);
    HtmlReport.write(result, reportFile);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("results", resultsFile.toString());
    summary.put("report", reportFile.toString());
    summary.put("tokens", result.corpus().tokens());
    summary.put("seconds", result.timings().get("total"));
    out.emit(summary, "report: " + reportFile.toAbsolutePath() + "\nresults: " + resultsFile.toAbsolutePath());
    return 0;
  }
}
