package dev.neurolens.cli;

import dev.neurolens.analysis.AnalyzeBench;
import dev.neurolens.analysis.CorpusInputs;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code neurolens bench analyze}: the probes, ranking and clustering of one task over a store of
 * N tokens, timed, with the peak RSS (run it under the launcher's heap, or set NEUROLENS_HEAP).
 */
@Command(name = "analyze",
    description = "Scale: build or reuse a store of N tokens, then probe, rank and cluster one task; prints times and peak RSS.")
final class BenchAnalyzeCommand implements Callable<Integer> {
  @Mixin OutputOptions out;

  @Option(names = "--tokens", defaultValue = "990000", description = "Code tokens in the store (default ${DEFAULT-VALUE}: about all of the bundled corpus, whose methods hold 990,611).")
  long tokens;

  @Option(names = "--store", defaultValue = "neurolens-bench/store",
      description = "Store directory, reused when it holds enough tokens and the task (default ${DEFAULT-VALUE}).")
  Path store;

  @Option(names = "--model", defaultValue = "default", description = "'default', a Hugging Face directory or an .onnx file.")
  String model;

  @Option(names = "--corpus", defaultValue = "default", description = "Corpus (default: the bundled one).")
  String corpus;

  @Option(names = "--lang", defaultValue = "java", description = "Language (default ${DEFAULT-VALUE}).")
  String lang;

  @Option(names = "--task", defaultValue = "lexical", description = "Token task (default ${DEFAULT-VALUE}).")
  String task;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the sample, splits and probes.")
  long seed;

  @Option(names = "--epochs", defaultValue = "10", description = "Probe epochs (default ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--probe-threads", defaultValue = "1", description = "PyTorch threads while probes train.")
  int probeThreads;

  @Override
  public Integer call() {
    AnalyzeBench.Figures f = AnalyzeBench.run(
        new AnalyzeBench.Options(model, corpus, lang, task, tokens, store, seed, epochs, probeThreads,
            out.quiet() ? CorpusInputs.ProgressBars.HIDE : CorpusInputs.ProgressBars.SHOW), out::info);
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("tokens", f.tokens());
    j.put("snippets", f.snippets());
    j.put("store_reused", f.reused());
    j.put("label_s", f.labelSeconds());
    j.put("extract_s", f.extractSeconds());
    j.put("probe_s", f.probeSeconds());
    j.put("rank_s", f.rankSeconds());
    j.put("cluster_s", f.clusterSeconds());
    j.put("total_s", f.totalSeconds());
    j.put("oracle_test", f.oracleTest());
    j.put("peak_rss_bytes", f.peakRssBytes());
    j.put("end_rss_anon_bytes", f.anonRssBytes());
    j.put("end_rss_file_bytes", f.fileRssBytes());
    j.put("max_heap_bytes", f.maxHeapBytes());
    out.emit(j, String.format(Locale.ROOT,
        "%,d tokens (%d snippets%s): label %.1f s, extract %.1f s, probes %.1f s, LCA %.1f s, clustering + CKA %.1f s, "
            + "total %.1f s; oracle test %.4f; peak RSS %.2f GB under a %.2f GB heap limit (at the end: %.2f GB heap and "
            + "native, %.2f GB mapped store pages)",
        f.tokens(), f.snippets(), f.reused() ? ", store reused" : "", f.labelSeconds(), f.extractSeconds(),
        f.probeSeconds(), f.rankSeconds(), f.clusterSeconds(), f.totalSeconds(), f.oracleTest(),
        f.peakRssBytes() / 1e9, f.maxHeapBytes() / 1e9, f.anonRssBytes() / 1e9, f.fileRssBytes() / 1e9));
    return 0;
  }
}
