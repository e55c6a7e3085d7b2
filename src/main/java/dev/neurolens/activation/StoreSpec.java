package dev.neurolens.activation;

import dev.neurolens.model.HookName;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * What a store holds, fixed when it is created: model, hooks and their widths, dtype,
 * aggregation, corpus, tasks, and the chunk size. A resumed write must use an equal spec.
 *
 * <p>Usage: {@code StoreSpec spec = StoreSpec.builder().setModel(model.id(), model.weightChecksum())
 * .addHook(HookName.residPost(0), 768).addTask(TaskSpec.tokenTask("lexical")).build()}
 *
 * @param modelId the model's name or directory
 * @param weightChecksum a checksum of the model weights (detects a different model of the same name)
 * @param hooks the captured hook points, in store order
 * @param widths W_h, the vector width of each hook (D for residual hooks, M for {@code mlp.pre})
 * @param dtype element type of the matrices
 * @param aggregation how subword pieces were combined
 * @param corpusHash a hash of the corpus and its settings
 * @param tasks label tasks
 * @param chunkRows a chunk is closed at the first snippet boundary at or after this many rows
 * @param sentencePosition the position vector kept per snippet: {@link SentenceRep#FIRST}
 *     (encoders) or {@link SentenceRep#LAST} (causal decoders)
 */
public record StoreSpec(
    String modelId,
    String weightChecksum,
    List<HookName> hooks,
    List<Integer> widths,
    StoreDtype dtype,
    Aggregation aggregation,
    String corpusHash,
    List<TaskSpec> tasks,
    int chunkRows,
    SentenceRep sentencePosition) {

  /** Default rows per chunk: 8192 rows x 384 x 2 bytes = 6 MiB per hook file. */
  public static final int DEFAULT_CHUNK_ROWS = 8192;

  public StoreSpec {
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(weightChecksum, "weightChecksum");
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(aggregation, "aggregation");
    Objects.requireNonNull(corpusHash, "corpusHash");
    Objects.requireNonNull(sentencePosition, "sentencePosition");
    if (sentencePosition == SentenceRep.MEAN) {
      throw new IllegalArgumentException("sentencePosition must be FIRST or LAST, found MEAN");
    }
    hooks = List.copyOf(hooks);
    widths = List.copyOf(widths);
    tasks = List.copyOf(tasks);
    if (hooks.isEmpty() || hooks.size() != widths.size()) {
      throw new IllegalArgumentException(
          "a store needs >= 1 hook and one width per hook, found " + hooks.size() + " hooks and "
              + widths.size() + " widths");
    }
    if (new HashSet<>(hooks).size() != hooks.size()) {
      throw new IllegalArgumentException("hooks must be distinct, found " + hooks);
    }
    for (int w : widths) {
      if (w <= 0) {
        throw new IllegalArgumentException("hook widths must be > 0, found " + widths);
      }
    }
    HashSet<String> names = new HashSet<>();
    for (TaskSpec t : tasks) {
      if (!names.add(t.name())) {
        throw new IllegalArgumentException("task names must be distinct, found " + t.name() + " twice");
      }
    }
    int maxWidth = widths.stream().mapToInt(Integer::intValue).max().orElse(1);
    if (chunkRows < 1 || (long) chunkRows * maxWidth * 4 > Integer.MAX_VALUE / 2) {
      throw new IllegalArgumentException(
          "chunkRows must be >= 1 and keep a chunk file under 1 GiB, found " + chunkRows);
    }
  }

  /** The token-level tasks, in order. */
  List<TaskSpec> tokenTasks() {
    return tasks.stream().filter(t -> t.level() == TaskSpec.Level.TOKEN).toList();
  }

  /** The snippet-level tasks, in order. */
  List<TaskSpec> snippetTasks() {
    return tasks.stream().filter(t -> t.level() == TaskSpec.Level.SNIPPET).toList();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link StoreSpec}: {@code setX} for required settings, {@code optX} for optional. */
  public static final class Builder {
    private String modelId;
    private String weightChecksum = "";
    private final List<HookName> hooks = new ArrayList<>();
    private final List<Integer> widths = new ArrayList<>();
    private StoreDtype dtype = StoreDtype.FLOAT16;
    private Aggregation aggregation = Aggregation.LAST;
    private String corpusHash = "";
    private final List<TaskSpec> tasks = new ArrayList<>();
    private int chunkRows = DEFAULT_CHUNK_ROWS;
    private SentenceRep sentencePosition = SentenceRep.FIRST;

    private Builder() {}

    public Builder setModel(String id, String checksum) {
      this.modelId = id;
      this.weightChecksum = checksum;
      return this;
    }

    /** Adds a hook of vector width {@code width}. */
    public Builder addHook(HookName hook, int width) {
      hooks.add(hook);
      widths.add(width);
      return this;
    }

    public Builder optDtype(StoreDtype dtype) {
      this.dtype = dtype;
      return this;
    }

    public Builder optAggregation(Aggregation aggregation) {
      this.aggregation = aggregation;
      return this;
    }

    public Builder optCorpusHash(String corpusHash) {
      this.corpusHash = corpusHash;
      return this;
    }

    public Builder addTask(TaskSpec task) {
      tasks.add(task);
      return this;
    }

    public Builder optChunkRows(int chunkRows) {
      this.chunkRows = chunkRows;
      return this;
    }

    /** The position vector kept per snippet (default FIRST; LAST for causal decoders). */
    public Builder optSentencePosition(SentenceRep position) {
      this.sentencePosition = position;
      return this;
    }

    public StoreSpec build() {
      if (modelId == null) {
        throw new IllegalStateException("setModel is required");
      }
      return new StoreSpec(
          modelId, weightChecksum, hooks, widths, dtype, aggregation, corpusHash, tasks, chunkRows,
          sentencePosition);
    }
  }
}
