package dev.neurolens.activation;

import dev.neurolens.model.HookName;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of an {@link Extractor}.
 *
 * <p>Usage: {@code ExtractOptions o = ExtractOptions.builder().optHooks(List.of(HookName.residPost(3)))
 * .addTask(TaskSpec.tokenTask("lexical")).optDtype(StoreDtype.FLOAT16).build()}
 *
 * @param hooks hook points to capture; empty = {@code embed.out} and every
 *     {@code blocks.{i}.resid_post} (Hugging Face hidden_states)
 * @param aggregation how a code token's pieces are combined
 * @param includeSpecial also store rows for the model's special tokens (flag SPECIAL)
 * @param context code tokens of overlap on each side of a window of a long snippet
 * @param batchTokens token budget of a batch (rows x longest row)
 * @param packTokens length of a packed row: inputs are laid end to end into rows of at most this
 *     many tokens, each attending only to itself ({@link dev.neurolens.model.TokenBatch#packed}),
 *     when the model supports it; 0 = one input per row
 * @param groupTokens code tokens per extraction group: snippets of a group are batched together
 *     (sorted by length) and written in corpus order; bounds the heap used for results. The
 *     first group is smaller ({@link #firstGroupTokens}), so that the first snippets are stored
 *     soon; later ones default to eight batch budgets for float16 stores (whose results take 2
 *     bytes a value: more windows to batch together and fewer group ends, where one stream
 *     waits for the other), else two
 * @param streams how many of a group's batches run side by side, each with an equal share of
 *     the intra-op threads; 0 = two when there are two threads or more (two batches on one
 *     thread each keep two cores busier than one batch on two, and one copies its activations
 *     out while the other computes)
 * @param dtype store element type
 * @param chunkRows rows per store chunk
 * @param tasks label tasks of the store
 * @param corpusHash the corpus hash recorded in the manifest
 * @param quiet no progress bar
 * @param allowNonFinite store NaN and infinite activations instead of stopping at the first one
 *     (a float16 store also turns magnitudes of 65520 and more into infinity)
 * @param splitSeed seed of the train/dev/test split recorded in the store (10% dev, 10% test)
 */
public record ExtractOptions(
    List<HookName> hooks,
    Aggregation aggregation,
    boolean includeSpecial,
    int context,
    int batchTokens,
    int packTokens,
    int groupTokens,
    int streams,
    StoreDtype dtype,
    int chunkRows,
    List<TaskSpec> tasks,
    String corpusHash,
    boolean quiet,
    boolean allowNonFinite,
    long splitSeed) {

  /** Default batch budget on CPU: 16 snippets of 256 pieces. */
  public static final int DEFAULT_BATCH_TOKENS = 4096;

  /** Default packed-row length: the length at which the forward pass runs at full speed. */
  public static final int DEFAULT_PACK_TOKENS = 128;

  public ExtractOptions {
    hooks = List.copyOf(hooks);
    tasks = List.copyOf(tasks);
    if (context < 0) {
      throw new IllegalArgumentException("context must be >= 0, found " + context);
    }
    if (batchTokens < 1 || groupTokens < 1) {
      throw new IllegalArgumentException(
          "batchTokens and groupTokens must be >= 1, found " + batchTokens + ", " + groupTokens);
    }
    if (streams < 0) {
      throw new IllegalArgumentException("streams must be >= 0 (0 = automatic), found " + streams);
    }
    if (packTokens < 0) {
      throw new IllegalArgumentException("packTokens must be >= 0 (0 = no packing), found " + packTokens);
    }
  }

  /** The streams used when PyTorch has {@code threads} intra-op threads: {@link #streams}, or 0 resolved. */
  public int streamsFor(int threads) {
    return streams > 0 ? streams : Math.max(1, Math.min(2, threads));
  }

  /** Intra-op threads of each stream when PyTorch has {@code threads}: an equal share, at least 1. */
  public int threadsPerStream(int threads) {
    return Math.max(1, threads / streamsFor(threads));
  }

  /** Code tokens at least in a default group. */
  static final int FIRST_GROUP_MIN = 2048;

  /** Code tokens of the first group: at most two batch budgets (at least 2,048), so that the first snippets come soon. */
  public int firstGroupTokens() {
    return Math.min(groupTokens, Math.max(FIRST_GROUP_MIN, 2 * batchTokens));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link ExtractOptions}; every setting is optional. */
  public static final class Builder {
    private final List<HookName> hooks = new ArrayList<>();
    private Aggregation aggregation = Aggregation.LAST;
    private boolean includeSpecial;
    private int context;
    private int batchTokens = DEFAULT_BATCH_TOKENS;
    private int packTokens = DEFAULT_PACK_TOKENS;
    private int groupTokens = -1;
    private int streams;
    private StoreDtype dtype = StoreDtype.FLOAT16;
    private int chunkRows = StoreSpec.DEFAULT_CHUNK_ROWS;
    private final List<TaskSpec> tasks = new ArrayList<>();
    private String corpusHash = "";
    private boolean quiet = true;
    private boolean allowNonFinite;
    private long splitSeed = dev.neurolens.util.SnippetSplit.DEFAULT_SEED;

    private Builder() {}

    public Builder optHooks(List<HookName> hooks) {
      this.hooks.clear();
      this.hooks.addAll(hooks);
      return this;
    }

    public Builder optAggregation(Aggregation a) {
      this.aggregation = a;
      return this;
    }

    public Builder optIncludeSpecial(boolean include) {
      this.includeSpecial = include;
      return this;
    }

    public Builder optContext(int tokens) {
      this.context = tokens;
      return this;
    }

    public Builder optBatchTokens(int tokens) {
      this.batchTokens = tokens;
      return this;
    }

    /** Length of a packed row (default {@link #DEFAULT_PACK_TOKENS}; 0 = no packing). */
    public Builder optPackTokens(int tokens) {
      this.packTokens = tokens;
      return this;
    }

    public Builder optGroupTokens(int tokens) {
      this.groupTokens = tokens;
      return this;
    }

    /** Batches run side by side (default 0: two when PyTorch has two threads or more). */
    public Builder optStreams(int streams) {
      this.streams = streams;
      return this;
    }

    public Builder optDtype(StoreDtype d) {
      this.dtype = d;
      return this;
    }

    public Builder optChunkRows(int rows) {
      this.chunkRows = rows;
      return this;
    }

    public Builder addTask(TaskSpec t) {
      this.tasks.add(t);
      return this;
    }

    public Builder optCorpusHash(String hash) {
      this.corpusHash = hash;
      return this;
    }

    public Builder optProgress(boolean show) {
      this.quiet = !show;
      return this;
    }

    /** Store NaN and infinite activations instead of stopping the extraction (default false). */
    public Builder optAllowNonFinite(boolean allow) {
      this.allowNonFinite = allow;
      return this;
    }

    /** Seed of the train/dev/test split recorded in the store (default 42). */
    public Builder optSplitSeed(long seed) {
      this.splitSeed = seed;
      return this;
    }

    public ExtractOptions build() {
      int group = groupTokens > 0 ? groupTokens
          : Math.max(FIRST_GROUP_MIN, (dtype == StoreDtype.FLOAT16 ? 8 : 2) * batchTokens);
      return new ExtractOptions(hooks, aggregation, includeSpecial, context, batchTokens, packTokens, group, streams,
          dtype, chunkRows, tasks, corpusHash, quiet, allowNonFinite, splitSeed);
    }
  }
}
