package dev.neurolens.activation;

import ai.djl.ndarray.NDManager;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.HookName;
import dev.neurolens.util.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns (model, code snippets with code tokens and labels) into an {@link ActivationStore}.
 *
 * <p>Per snippet: tokenize the code once; align pieces to code tokens by character offsets
 * ({@link PieceAlignment}); split into windows when longer than the model's positions
 * ({@link Windows}); capture the hooks; aggregate each code token's pieces ({@link Aggregation});
 * keep a position vector and the mean of the code-token vectors (zero-piece tokens excluded) as
 * sentence representations: the first position for encoders, the last position of the last
 * window for causal decoders ({@link SentenceRep#positionFor}), whose other positions have not
 * seen the whole snippet. The default aggregation {@link Aggregation#LAST} suits decoders for the
 * same reason: a code token's last piece is the only one that has seen the whole token. Snippets are processed in groups of about
 * {@code groupTokens} code tokens: a group's windows are sorted by length, laid end to end into
 * rows of {@code packTokens} when the model supports packing (each window attends only to itself,
 * so short snippets fill full-width batches instead of small or padded ones), the rows packed into
 * batches by {@code batchTokens}, and its snippets are written in corpus order. Resuming a crashed run
 * re-runs the group holding the first missing snippet with the same batches, so the store is
 * byte-identical to an uninterrupted run. Unless {@link ExtractOptions#allowNonFinite()}, the first
 * activation the store would hold as NaN or infinity stops the extraction ({@link FiniteCheck}).
 *
 * <p>Usage: {@code new Extractor(options).extract(model, inputs, storeDir, StoreWriter.Mode.OVERWRITE)}
 */
public final class Extractor {
  private final ExtractOptions options;

  public Extractor(ExtractOptions options) {
    this.options = options;
  }

  /** The hooks extracted from {@code model}: the options' hooks, or the hidden states. */
  public List<HookName> hooks(EncoderModel model) {
    if (!options.hooks().isEmpty()) {
      for (HookName h : options.hooks()) {
        if (!model.hookNames().contains(h)) {
          throw new dev.neurolens.util.NeuroLensException(
              "--hooks: " + h + " is not a hook point of " + model.id());
        }
      }
      return options.hooks();
    }
    List<HookName> hooks = new ArrayList<>();
    hooks.add(HookName.embedOut());
    for (int i = 0; i < model.config().numLayers(); i++) {
      hooks.add(HookName.residPost(i));
    }
    return hooks;
  }

  /** W_h: M for {@code mlp.pre}, else D. */
  static int width(EncoderModel model, HookName h) {
    return h.site() == HookName.Site.MLP_PRE
        ? model.config().intermediateSize()
        : model.config().hiddenSize();
  }

  /** The spec of the store this extractor writes for {@code model}. */
  public StoreSpec spec(EncoderModel model) {
    StoreSpec.Builder b =
        StoreSpec.builder()
            .setModel(model.id(), model.weightChecksum())
            .optDtype(options.dtype())
            .optAggregation(options.aggregation())
            .optCorpusHash(options.corpusHash())
            .optChunkRows(options.chunkRows())
            .optSentencePosition(SentenceRep.positionFor(model.config().family().causal()));
    for (HookName h : hooks(model)) {
      b.addHook(h, width(model, h));
    }
    options.tasks().forEach(b::addTask);
    return b.build();
  }

  /**
   * Extracts {@code inputs} (corpus order) into the store at {@code out}, resuming an unfinished
   * store of the same spec.
   */
  public ExtractionResult extract(
      EncoderModel model, List<ExtractionInput> inputs, Path out, StoreWriter.Mode mode) {
    return extract(model, inputs, out, mode, null);
  }

  /**
   * {@link #extract(EncoderModel, List, Path, StoreWriter.Mode)}, calling {@code betweenGroups}
   * (when not null) after each group's snippets have gone to the writer and its chunk commit in
   * flight has landed (that wait is part of the extraction): {@link ExtractBench} times its
   * reference forward passes there, so that they sample the machine's speed during the
   * extraction.
   */
  ExtractionResult extract(
      EncoderModel model, List<ExtractionInput> inputs, Path out, StoreWriter.Mode mode, Runnable betweenGroups) {
    long t0 = System.nanoTime();
    StoreSpec spec = spec(model);
    long codeTokens = 0;
    double firstSnippet = Double.NaN;
    int resumed;
    StoreManifest manifest;
    try (StoreWriter writer = StoreWriter.open(out, spec, mode);
        NDManager root = NDManager.newBaseManager();
        Progress bar = options.quiet() ? Progress.silent() : Progress.start("extract", inputs.size(), "snippets")) {
      resumed = writer.completedSnippets();
      if (resumed > inputs.size()) {
        throw new dev.neurolens.util.NeuroLensException(
            out + ": the unfinished store holds " + resumed + " snippets but the corpus has only "
                + inputs.size());
      }
      bar.step(resumed);
      long[] tokens = {0};
      double[] first = {Double.NaN};
      // a chunk commit still running beside the caller's work would slow it: it lands first
      Runnable between = betweenGroups == null ? null : () -> {
        writer.awaitCommit();
        betweenGroups.run();
      };
      run(model, spec, root, inputs, resumed, out.toString(), true, between, s -> {
        writer.append(s);
        if (Double.isNaN(first[0])) {
          first[0] = (System.nanoTime() - t0) / 1e9;
        }
        tokens[0] += s.tokens().stream().filter(t -> (t.flags() & StoredToken.SPECIAL) == 0).count();
        bar.step(1);
        double secs = (System.nanoTime() - t0) / 1e9;
        bar.extraMessage(String.format("%.0f tokens/s", tokens[0] / Math.max(secs, 1e-9)));
      });
      codeTokens = tokens[0];
      firstSnippet = first[0];
      writer.recordSplit(new StoreManifest.SplitRecord(options.splitSeed(), dev.neurolens.util.SnippetSplit.DEFAULT_DEV,
          dev.neurolens.util.SnippetSplit.DEFAULT_TEST));
      manifest = writer.finish();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    long bytes;
    try (ActivationStore s = ActivationStore.open(out)) {
      bytes = s.bytes();
    }
    return new ExtractionResult(
        manifest.snippets(), manifest.tokens(), spec.hooks().size(),
        model.config().hiddenSize(), codeTokens == 0 ? 0 : codeTokens / seconds, bytes, resumed,
        seconds, firstSnippet);
  }

  /**
   * Extracts {@code inputs} (corpus order) and hands each snippet's activations to {@code sink} in
   * corpus order, without a store: the same groups, batches, alignment, aggregation and finite
   * check as {@link #extract}. For callers that write activations elsewhere (one call per
   * partition of a distributed job); the activations are laid out as {@link #spec} says.
   */
  public void extract(EncoderModel model, List<ExtractionInput> inputs, Consumer<SnippetActivations> sink) {
    StoreSpec spec = spec(model);
    try (NDManager root = NDManager.newBaseManager()) {
      run(model, spec, root, inputs, 0, "a stream", false, null, sink);
    }
  }

  /** Runs the groups of {@code inputs} that hold snippets from {@code skip} on, in corpus order. */
  private void run(EncoderModel model, StoreSpec spec, NDManager root, List<ExtractionInput> inputs, int skip,
      String target, boolean toStore, Runnable betweenGroups, Consumer<SnippetActivations> sink) {
    WindowRunner runner =
        new WindowRunner(model, spec.hooks(), spec.widths(), options, spec.sentencePosition(), toStore);
    int start = 0;
    while (start < inputs.size()) {
      int end = groupEnd(inputs, start, options);
      if (end > skip) {
        dev.neurolens.util.Activity.set("extracting snippets " + (start + 1) + "-" + end + " of " + inputs.size()
            + " into " + target);
        List<WindowRunner.Captured> done = runner.run(root, inputs.subList(start, end));
        for (int i = Math.max(start, skip); i < end; i++) {
          WindowRunner.Captured c = done.get(i - start);
          if (!options.allowNonFinite()) {
            FiniteCheck.require(c.activations(), spec, c.faultAt(), c.faultValue());
          }
          sink.accept(c.activations());
        }
        if (betweenGroups != null && end < inputs.size()) {
          betweenGroups.run();
        }
      }
      start = end;
    }
  }

  /** End (exclusive) of the group starting at {@code start}: the first group, or a later one. */
  static int groupEnd(List<ExtractionInput> inputs, int start, ExtractOptions o) {
    return groupEnd(inputs, start, start == 0 ? o.firstGroupTokens() : o.groupTokens());
  }

  /** End (exclusive) of the group of snippets starting at {@code start}. */
  static int groupEnd(List<ExtractionInput> inputs, int start, int groupTokens) {
    int end = start;
    int tokens = 0;
    while (end < inputs.size() && (end == start || tokens < groupTokens)) {
      tokens += inputs.get(end).tokens().size();
      end++;
    }
    return end;
  }
}
