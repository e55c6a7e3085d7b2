package dev.neurolens.cli;

import dev.neurolens.analysis.CorpusInputs;
import dev.neurolens.activation.ExtractBench;
import dev.neurolens.activation.ExtractOptions;
import dev.neurolens.activation.ExtractionInput;
import dev.neurolens.corpus.Corpus;
import dev.neurolens.corpus.CorpusReader;
import dev.neurolens.corpus.Unit;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.GemmPath;
import dev.neurolens.model.HookName;
import dev.neurolens.model.Models;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code neurolens bench extract}: extraction tokens/s vs plain forward tokens/s on the same
 * batches, peak RSS, store size (a benchmark that prints figures).
 */
@Command(name = "extract", description = "Extraction throughput vs the plain forward pass; peak RSS.")
final class BenchExtractCommand implements Callable<Integer> {
  @Mixin OutputOptions out;

  @Option(names = "--model", defaultValue = "default", description = "Model (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--corpus", defaultValue = "default", description = "Corpus (default: ${DEFAULT-VALUE}).")
  String corpus;

  @Option(names = "--lang", defaultValue = "java", description = "Language (default: ${DEFAULT-VALUE}).")
  String lang;

  @Option(names = "--tokens", defaultValue = "200000", description = "Code tokens to extract (default: ${DEFAULT-VALUE}).")
  long tokens;

  @Option(names = "--batch-tokens", defaultValue = "0", description = "Token budget per batch (0 = fitted).")
  int batchTokens;

  @Option(names = "--pack-tokens", defaultValue = "" + ExtractOptions.DEFAULT_PACK_TOKENS,
      description = "Pack short snippets end to end into rows of this many tokens (0 = one per row; default: ${DEFAULT-VALUE}).")
  int packTokens;

  @Option(names = "--streams", defaultValue = "0",
      description = "Batches run side by side, each on an equal share of the threads (0 = two when there are two threads or more).")
  int streams;

  @Option(names = "--group-tokens", defaultValue = "0",
      description = "Code tokens per extraction group (0 = eight batch budgets for float16, else two; the first group holds at most two).")
  int groupTokens;

  @Option(names = "--dtype", defaultValue = "float16", description = "Store dtype (default: ${DEFAULT-VALUE}).")
  String dtype;

  @Option(names = "--seed", defaultValue = "42", description = "Corpus sampling seed.")
  long seed;

  @Option(names = "--keep", description = "Keep the store in this directory (default: a temporary one, deleted).")
  Path keep;

  @Override
  public Integer call() throws IOException {
    OutPaths.directory("--keep", keep);
    OutPaths.atLeast("--tokens", tokens, 1);
    OutPaths.atLeast("--batch-tokens", batchTokens, 0);
    OutPaths.atLeast("--pack-tokens", packTokens, 0);
    OutPaths.atLeast("--streams", streams, 0);
    OutPaths.atLeast("--group-tokens", groupTokens, 0);
    // about 45 code tokens per method: sample enough snippets, then cut to the token target
    int sample = (int) Math.min(Integer.MAX_VALUE, Math.max(20, tokens / 30));
    CorpusInputs in = CorpusInputs.label(new CorpusInputs.Request(corpus, lang, Unit.METHOD, sample,
        CorpusReader.DEFAULT_MAX_TOKENS, seed, List.of("lexical"),
        out.quiet() ? CorpusInputs.ProgressBars.HIDE : CorpusInputs.ProgressBars.SHOW)).head(tokens);
    List<ExtractionInput> inputs = in.inputs();
    long n = in.tokenCount();
    if (n < tokens) {
      out.info("bench extract: the corpus sample has only " + n + " code tokens (asked " + tokens + ")");
    }
    Path store = keep != null ? keep : Files.createTempDirectory("neurolens-bench-store");
    try (EncoderModel m = Models.load(model)) {
      int sumWidth = (m.config().numLayers() + 1) * m.config().hiddenSize();
      ExtractOptions.Builder b = ExtractOptions.builder()
          .optBatchTokens(batchTokens > 0 ? batchTokens : CorpusInputs.fittedBatchTokens(sumWidth))
          .optPackTokens(packTokens)
          .optStreams(streams)
          .optGroupTokens(groupTokens)
          .optDtype(dev.neurolens.activation.StoreDtype.parse(dtype))
          .optCorpusHash(in.hash())
          .optProgress(!out.quiet());
      in.tasks().forEach(b::addTask);
      ExtractOptions o = b.build();
      int threads = dev.neurolens.model.Torch.threads();
      int streams = o.streamsFor(threads);
      out.info(String.format(Locale.ROOT, "bench extract: %s, %d snippets, %d code tokens, %d hooks, batch %d tokens, %s, "
              + "%d stream(s) of %d thread(s)",
          m.id(), inputs.size(), n, m.config().numLayers() + 1, o.batchTokens(),
          !m.supportsPacking() ? "not packed (" + m.config().family() + ")"
              : o.packTokens() == 0 ? "not packed" : "packed into rows of " + o.packTokens(),
          streams, o.threadsPerStream(threads)));
      ExtractBench.Figures f = ExtractBench.run(m, inputs, o, store);
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("model", m.id());
      j.put("snippets", inputs.size());
      j.put("code_tokens", f.codeTokens());
      j.put("model_tokens", f.modelTokens());
      j.put("hooks", List.of(HookName.embedOut().toString(), "blocks.*.resid_post"));
      j.put("batch_tokens", o.batchTokens());
      j.put("pack_tokens", m.supportsPacking() ? o.packTokens() : 0);
      j.put("streams", streams);
      j.put("threads_per_stream", o.threadsPerStream(threads));
      j.put("forward_tokens_per_s", Math.round(f.forwardTokensPerS() * 10) / 10.0);
      j.put("extract_tokens_per_s", Math.round(f.extractTokensPerS() * 10) / 10.0);
      j.put("ratio", Math.round(f.ratio() * 1000) / 1000.0);
      j.put("padded_tokens", f.paddedTokens());
      j.put("padding_share", Math.round(f.paddingShare() * 1000) / 1000.0);
      j.put("extract_model_tokens_per_s", Math.round(f.extractModelTokensPerS() * 10) / 10.0);
      j.put("forward_16x128_tokens_per_s", Math.round(f.referenceTokensPerS() * 10) / 10.0);
      j.put("forward_16x128_runs_during", f.referenceRuns());
      j.put("forward_16x128_before_tokens_per_s", Math.round(f.referenceBefore() * 10) / 10.0);
      j.put("forward_16x128_after_tokens_per_s", Math.round(f.referenceAfter() * 10) / 10.0);
      j.put("ratio_to_forward_16x128", Math.round(f.referenceRatio() * 1000) / 1000.0);
      j.put("gemm", GemmPath.detect().toJson());
      j.put("peak_rss_mib", f.peakRssBytes() < 0 ? -1 : f.peakRssBytes() >> 20);
      j.put("heap_max_mib", Runtime.getRuntime().maxMemory() >> 20);
      j.put("store_mib", f.storeBytes() >> 20);
      j.put("first_snippet_s", Math.round(f.firstSnippetSeconds() * 100) / 100.0);
      out.emit(j, String.format(Locale.ROOT,
          "forward %.0f code tokens/s, extract %.0f code tokens/s (ratio %.2f), peak RSS %d MiB, store %d MiB%n"
              + "extract %.0f model tokens/s (%d model tokens, padding %.1f%% of %d batch slots) = %.2fx the plain "
              + "forward on 16 x 128 random ids (%.0f tokens/s: median of %d timed passes at its group ends, each run after an untimed one; medians of 7: %.0f before, %.0f after it); first snippet stored %.2f s after the model was loaded",
          f.forwardTokensPerS(), f.extractTokensPerS(), f.ratio(), f.peakRssBytes() >> 20, f.storeBytes() >> 20,
          f.extractModelTokensPerS(), f.modelTokens(), 100 * f.paddingShare(), f.paddedTokens(), f.referenceRatio(),
          f.referenceTokensPerS(), f.referenceRuns(), f.referenceBefore(), f.referenceAfter(), f.firstSnippetSeconds()));
    } finally {
      if (keep == null) {
        dev.neurolens.util.AtomicFiles.deleteTree(store);
      }
    }
    return 0;
  }

  /** Runs the benchmark without the {@code bench} parent command. */
  public static void main(String[] args) {
    System.setProperty("ai.djl.offline", "true");
    int code = new CommandLine(new BenchExtractCommand())
        .setExecutionExceptionHandler((ex, cl, pr) -> {
          System.err.println("neurolens: error: " + ex.getMessage());
          return ex instanceof NeuroLensException ? 2 : 1;
        }).execute(args);
    System.exit(code);
  }
}
