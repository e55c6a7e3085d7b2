package dev.neurolens.cli;

import dev.neurolens.activation.ActivationStore;
import dev.neurolens.analysis.ComparisonResult;
import dev.neurolens.analysis.CorpusInputs;
import dev.neurolens.analysis.FreezeSweep;
import dev.neurolens.analysis.ModelComparison;
import dev.neurolens.analysis.RelativePaths;
import dev.neurolens.corpus.CorpusReader;
import dev.neurolens.corpus.Unit;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Models;
import dev.neurolens.probe.ProbeOptions;
import dev.neurolens.report.ComparisonReport;
import dev.neurolens.report.SweepReport;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code neurolens compare}: what fine-tuning changed between a base and a tuned model. */
@Command(name = "compare", description = "Base vs fine-tuned model: per-layer RSA, CKA, token cosine and neuron "
    + "self-correlation; probes of both; relocation of the top neurons; freeze advice (compare.json, compare.html).")
final class CompareCommand implements Callable<Integer> {
  @Mixin OutputOptions out;

  @Option(names = "--base", description = "The pre-trained model ('default', an HF directory or an .onnx file).")
  String base;

  @Option(names = "--tuned", description = "The fine-tuned model (e.g. the --out of `neurolens finetune`).")
  String tuned;

  @Option(names = "--base-store", description = "Instead of --base/--tuned: an activation store of the base model ...")
  Path baseStore;

  @Option(names = "--tuned-store", description = "... and one of the tuned model on the same corpus.")
  Path tunedStore;

  @Option(names = "--corpus", defaultValue = "default", description = "Corpus (default: ${DEFAULT-VALUE}).")
  String corpus;

  @Option(names = "--lang", defaultValue = "java", description = "Language (default: ${DEFAULT-VALUE}).")
  String lang;

  @Option(names = "--max-snippets", defaultValue = "" + CorpusReader.DEFAULT_ANALYZE_MAX_SNIPPETS,
      description = "Methods sampled from the corpus, 0 = all (default: ${DEFAULT-VALUE}).")
  int maxSnippets;

  @Option(names = "--tasks", split = ",", defaultValue = "lexical,syntactic,structural",
      description = "Tasks probed on both models (default: ${DEFAULT-VALUE}).")
  List<String> tasks;

  @Option(names = "--out", defaultValue = "neurolens-compare", description = "Output directory (default: ${DEFAULT-VALUE}).")
  Path outDir;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the sample, splits, probes and RSA sample.")
  long seed;

  @Option(names = "--epochs", defaultValue = "10", description = "Probe training epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--rsa-threshold", defaultValue = "0.9", description = "RSA a layer must keep to count as unchanged, for the freeze advice (default: ${DEFAULT-VALUE}).")
  double rsaThreshold;

  @Option(names = "--rsa-snippets", defaultValue = "2000", description = "Most snippets in the RSA matrices (default: ${DEFAULT-VALUE}).")
  int rsaSnippets;

  @Option(names = "--top-mass", defaultValue = "0.1", description = "LCA weight-mass share of the top neurons compared (default: ${DEFAULT-VALUE}).")
  double topMass;

  @Option(names = "--sweep", description = "A `finetune sweep` directory: put this comparison's freeze advice into its sweep.json and sweep.html, beside the measured best K.")
  Path sweep;

  @Override
  public Integer call() {
    OutPaths.directory("--out", outDir);
    OutPaths.atLeast("--epochs", epochs, 1);
    boolean models = base != null || tuned != null;
    boolean stores = baseStore != null || tunedStore != null;
    if (sweep != null && !java.nio.file.Files.isRegularFile(sweep.resolve("sweep.json"))) {
      throw new NeuroLensException("--sweep " + sweep + ": no sweep.json there (run `neurolens finetune sweep` first)");
    }
    if (models == stores || (models && (base == null || tuned == null)) || (stores && (baseStore == null || tunedStore == null))) {
      throw new NeuroLensException("compare: give --base and --tuned (two models), or --base-store and --tuned-store (two stores)");
    }
    ModelComparison.Options o = new ModelComparison.Options(tasks, seed, rsaThreshold, rsaSnippets, topMass,
        ProbeOptions.builder().optEpochs(epochs).optSeed(seed).build());
    ComparisonResult r;
    if (models) {
      try (EncoderModel a = Models.load(base); EncoderModel b = Models.load(tuned)) {
        ModelComparison.checkCompatible(a, b);
        CorpusInputs in = CorpusInputs.label(new CorpusInputs.Request(corpus, lang, Unit.METHOD, maxSnippets,
            CorpusReader.DEFAULT_MAX_TOKENS, seed, tasks,
            out.quiet() ? CorpusInputs.ProgressBars.HIDE : CorpusInputs.ProgressBars.SHOW));
        r = ModelComparison.run(a, b, in, outDir, o, out::info, !out.quiet());
      }
    } else {
      try (ActivationStore a = ActivationStore.open(baseStore); ActivationStore b = ActivationStore.open(tunedStore)) {
        r = RelativePaths.of(ModelComparison.compareStores(a, b, o, out::info, !out.quiet()), outDir);
      }
      Json.writeAtomically(outDir.resolve("compare.json"), r);
    }
    ComparisonReport.write(r, outDir.resolve("compare.html"));
    if (sweep != null) {
      FreezeSweep.Result table = FreezeSweep.Result.read(sweep.resolve("sweep.json")).withRsaAdvice(r.freezeAdvice());
      Json.writeAtomically(sweep.resolve("sweep.json"), table);
      SweepReport.write(table, sweep.resolve("sweep.html"));
      out.info("compare: freeze advice added to " + sweep.resolve("sweep.json") + " and sweep.html");
    }
    StringBuilder human = new StringBuilder(String.format(Locale.ROOT, "%5s %9s %9s %7s %8s %9s%n", "layer", "RSA(sp)",
        "RSA(pe)", "CKA", "cosine", "selfcorr"));
    for (ComparisonResult.Layer l : r.layers()) {
      human.append(String.format(Locale.ROOT, "%5d %9.3f %9.3f %7.3f %8.3f %9.3f%n", l.layer(), l.rsaSpearman(),
          l.rsaPearson(), l.cka(), l.tokenCosine(), l.neuronSelfCorrelationMedian()));
    }
    for (ComparisonResult.Relocation rel : r.relocation()) {
      human.append(String.format(Locale.ROOT, "%s: top neurons' mean layer %.2f -> %.2f (shift %+.2f), overlap %.2f%n",
          rel.task(), rel.baseMeanLayer(), rel.tunedMeanLayer(), rel.meanLayerShift(), rel.topOverlap()));
    }
    human.append("freeze advice: --freeze ").append(r.freezeAdvice().suggestedFreeze()).append(" (")
        .append(r.freezeAdvice().reason()).append(")\nwrote ").append(outDir.resolve("compare.json")).append(" and ")
        .append(outDir.resolve("compare.html"));
    out.emit(r, human.toString());
    return 0;
  }
}
