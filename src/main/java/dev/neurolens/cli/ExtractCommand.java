package dev.neurolens.cli;

import dev.neurolens.activation.Aggregation;
import dev.neurolens.activation.ExtractOptions;
import dev.neurolens.activation.ExtractionResult;
import dev.neurolens.activation.Extractor;
import dev.neurolens.activation.StoreDtype;
import dev.neurolens.activation.StoreWriter;
import dev.neurolens.analysis.CorpusInputs;
import dev.neurolens.corpus.Corpus;
import dev.neurolens.corpus.CorpusReader;
import dev.neurolens.corpus.Unit;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.HookName;
import dev.neurolens.model.Models;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code neurolens extract}: every layer's activations for every code token of a labelled corpus,
 * into an activation store (resumable: re-run the same command after a crash).
 */
@Command(
    name = "extract",
    mixinStandardHelpOptions = true,
    description = "Extract per-code-token activations of a model over a labelled corpus into a store.")
final class ExtractCommand implements Callable<Integer> {
  @Mixin OutputOptions out;
  @Mixin WeightsDtypeOption weights = new WeightsDtypeOption();

  @Option(names = "--model", defaultValue = "default",
      description = "'default' (bundled BGE-small), a Hugging Face model directory or an .onnx file.")
  String model;

  @Option(names = "--corpus", defaultValue = "default", description = "Corpus (see 'label'); default: ${DEFAULT-VALUE}.")
  String corpus;

  @Option(names = "--lang", description = "Language (java, python, javascript, go).")
  String lang;

  @Option(names = "--task", split = ",", description = "Label tasks computed in the same run (see 'label').")
  List<String> tasks;

  @Option(names = "--labels", description = "Reuse the output directory of 'label' (its labels.jsonl) instead of labelling.")
  Path labels;

  @Option(names = "--out", required = true, description = "Store directory.")
  Path store;

  @Option(names = "--unit", defaultValue = "method", description = "method or file (default: ${DEFAULT-VALUE}).")
  String unit;

  @Option(names = "--max-snippets", defaultValue = "0", description = "Sample at most N snippets (0 = all).")
  int maxSnippets;

  @Option(names = "--max-tokens", defaultValue = "" + CorpusReader.DEFAULT_MAX_TOKENS,
      description = "Drop snippets with more code tokens (0 = no limit; default ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--max-file-bytes", defaultValue = "" + CorpusReader.DEFAULT_MAX_FILE_BYTES,
      description = "Skip files, archive entries and JSONL lines over N bytes, never reading past N "
          + "(counted as too-large; default: ${DEFAULT-VALUE}).")
  long maxFileBytes;

  @Option(names = "--seed", defaultValue = "42", description = "Seed for corpus sampling.")
  long seed;

  @Option(names = "--hooks", split = ",",
      description = "Hook points (e.g. blocks.*.mlp.pre); default: embed.out and every blocks.{i}.resid_post.")
  List<String> hooks;

  @Option(names = "--layers", split = ",", description = "Keep only hooks of these hidden-state layers (0 = embeddings).")
  List<Integer> layers;

  @Option(names = "--aggregation", defaultValue = "last", description = "first, last or average (default: ${DEFAULT-VALUE}).")
  String aggregation;

  @Option(names = "--include-special", description = "Also store rows for special tokens ([CLS], [SEP]).")
  boolean includeSpecial;

  @Option(names = "--context", defaultValue = "0", description = "Code tokens of overlap on each side of a window of a long snippet.")
  int context;

  @Option(names = "--batch-tokens", defaultValue = "0", description = "Token budget per batch (0 = fitted to the heap).")
  int batchTokens;

  @Option(names = "--pack-tokens", defaultValue = "" + ExtractOptions.DEFAULT_PACK_TOKENS,
      description = "Lay short snippets end to end into rows of this many tokens, each attending only to itself "
          + "(encoders; 0 = one snippet per row; default: ${DEFAULT-VALUE}).")
  int packTokens;

  @Option(names = "--streams", defaultValue = "0",
      description = "Batches run side by side, each on an equal share of the threads (0 = two when there are two threads or more).")
  int streams;

  @Option(names = "--dtype", defaultValue = "float16", description = "float16 or float32 (default: ${DEFAULT-VALUE}).")
  String dtype;

  @Option(names = "--chunk-rows", defaultValue = "8192", description = "Rows per store chunk (default: ${DEFAULT-VALUE}).")
  int chunkRows;

  @Option(names = "--overwrite", description = "Replace an existing store.")
  boolean overwrite;

  @Option(names = "--allow-non-finite",
      description = "Store NaN/infinite activations (and float16 overflows) instead of stopping at the first one.")
  boolean allowNonFinite;

  @Override
  public Integer call() {
    OutPaths.directory("--out", store);
    if (tasks == null && labels == null) {
      throw new NeuroLensException("--task or --labels is required");
    }
    // Option values are checked before the corpus is labelled and the model loaded.
    OutPaths.atLeast("--chunk-rows", chunkRows, 1);
    OutPaths.atLeast("--context", context, 0);
    OutPaths.atLeast("--pack-tokens", packTokens, 0);
    OutPaths.atLeast("--streams", streams, 0);
    if (batchTokens < 0) {
      throw new NeuroLensException("--batch-tokens: must be >= 0 (0 = fitted to the heap), found " + batchTokens);
    }
    StoreDtype storeDtype = option("--dtype", () -> StoreDtype.parse(dtype));
    Aggregation agg = option("--aggregation", () -> Aggregation.parse(aggregation));
    if (hooks != null) {
      hooks.forEach(h -> option("--hooks", () -> HookName.parse(h.replace("*", "0"))));
    }
    CorpusInputs in = labels != null ? CorpusInputs.fromLabels(labels, tasks) : labelCorpus();
    try (EncoderModel m = weights.load(model)) {
      List<HookName> hs = hooks(m);
      int[] widths = hs.stream().mapToInt(h -> h.site() == HookName.Site.MLP_PRE
          ? m.config().intermediateSize() : m.config().hiddenSize()).toArray();
      int sumWidth = java.util.Arrays.stream(widths).sum();
      int maxWidth = java.util.Arrays.stream(widths).max().orElse(1);
      long maxRows = Integer.MAX_VALUE / 2 / (4L * maxWidth);
      if (chunkRows > maxRows) {
        throw new NeuroLensException("--chunk-rows: a chunk file must stay under 1 GiB, so at most " + maxRows
            + " rows of width " + maxWidth + ", found " + chunkRows);
      }
      ExtractOptions.Builder b = ExtractOptions.builder()
          .optHooks(hs)
          .optAggregation(agg)
          .optIncludeSpecial(includeSpecial)
          .optContext(context)
          .optBatchTokens(batchTokens > 0 ? batchTokens : CorpusInputs.fittedBatchTokens(sumWidth))
          .optPackTokens(packTokens)
          .optStreams(streams)
          .optDtype(storeDtype)
          .optChunkRows(chunkRows)
          .optCorpusHash(in.hash())
          .optProgress(!out.quiet())
          .optAllowNonFinite(allowNonFinite);
      in.tasks().forEach(b::addTask);
      ExtractionResult r = new Extractor(b.build()).extract(m, in.inputs(), store,
          overwrite ? StoreWriter.Mode.OVERWRITE : StoreWriter.Mode.CREATE_OR_RESUME);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("snippets", r.snippets());
      json.put("tokens", r.tokens());
      json.put("layers", r.layers());
      json.put("hidden", r.hidden());
      json.put("tokens_per_s", Math.round(r.tokensPerSecond() * 10) / 10.0);
      json.put("bytes", r.bytes());
      out.emit(json, String.format(Locale.ROOT,
          "extracted %d snippets, %d tokens, %d hooks x %d -> %s (%.1f MiB, %.0f tokens/s%s)",
          r.snippets(), r.tokens(), r.layers(), r.hidden(), store, r.bytes() / 1048576.0,
          r.tokensPerSecond(), r.resumedSnippets() > 0 ? ", resumed after " + r.resumedSnippets() + " snippets" : ""));
      return 0;
    }
  }

  /** {@code parse}'s value; its error message prefixed with {@code option}. */
  static <T> T option(String option, java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (NeuroLensException e) {
      throw new NeuroLensException(option + ": " + e.getMessage(), e);
    }
  }

  private List<HookName> hooks(EncoderModel m) {
    List<HookName> base = new ArrayList<>();
    if (hooks == null || hooks.isEmpty()) {
      base.add(HookName.embedOut());
      for (int i = 0; i < m.config().numLayers(); i++) {
        base.add(HookName.residPost(i));
      }
    } else {
      for (String h : hooks) {
        if (h.contains("*")) {
          for (int i = 0; i < m.config().numLayers(); i++) {
            base.add(HookName.parse(h.replace("*", Integer.toString(i))));
          }
        } else {
          base.add(HookName.parse(h));
        }
      }
    }
    List<HookName> kept = new ArrayList<>(new LinkedHashSet<>(base));
    if (layers != null) {
      Set<Integer> keep = Set.copyOf(layers);
      kept.removeIf(h -> !keep.contains(h.layer()));
    }
    if (kept.isEmpty()) {
      throw new NeuroLensException("--hooks/--layers: no hook left (hooks " + base + ", layers " + layers + ")");
    }
    return kept;
  }

  private CorpusInputs labelCorpus() {
    Unit u = switch (unit.toLowerCase(Locale.ROOT)) {
      case "method", "function" -> Unit.METHOD;
      case "file" -> Unit.FILE;
      default -> throw new NeuroLensException("--unit: must be method or file, found " + unit);
    };
    return CorpusInputs.label(new CorpusInputs.Request(corpus, lang, u, maxSnippets, maxTokens, seed, tasks,
        out.quiet() ? CorpusInputs.ProgressBars.HIDE : CorpusInputs.ProgressBars.SHOW, maxFileBytes));
  }
}
