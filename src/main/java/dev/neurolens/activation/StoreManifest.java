package dev.neurolens.activation;

import dev.neurolens.model.HookName;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The JSON manifest ({@code manifest.json}) of an {@link ActivationStore}.
 *
 * <p>While a store is being written the manifest has {@code complete = false} and no chunk table;
 * {@link StoreWriter#finish()} rewrites it, last, with the chunk table, the totals and the sorted
 * label-name tables.
 *
 * <p>Usage: {@code StoreManifest m = store.manifest(); long rows = m.tokens()}
 *
 * @param formatVersion {@link #FORMAT_VERSION}
 * @param complete whether the writer finished
 * @param hooks printed {@link HookName}s, in store order
 * @param layers the hidden-state layer of each hook ({@link HookName#layer()})
 * @param widths W_h per hook
 * @param dtype {@code float16} or {@code float32}
 * @param aggregation {@code first}, {@code last} or {@code average}
 * @param tokens N, total rows
 * @param snippets S, total snippets
 * @param chunks rows and snippets of each chunk, in order
 */
public record StoreManifest(
    int formatVersion,
    boolean complete,
    String modelId,
    String weightChecksum,
    List<String> hooks,
    List<Integer> layers,
    List<Integer> widths,
    String dtype,
    String aggregation,
    String corpusHash,
    int chunkRows,
    List<TaskEntry> tasks,
    long tokens,
    int snippets,
    List<ChunkEntry> chunks) {

  /** The store format this code reads and writes. */
  public static final int FORMAT_VERSION = 1;

  static final String FILE = "manifest.json";

  /**
   * A task and, once the store is complete, its sorted label names (label id = index).
   *
   * @param kind {@code CATEGORICAL} or {@code NUMERIC}
   * @param level {@code TOKEN} or {@code SNIPPET}
   */
  public record TaskEntry(String name, String kind, String level, List<String> labelNames) {
    public TaskEntry {
      labelNames = List.copyOf(labelNames);
    }
  }

  /** One chunk: its row and snippet counts. */
  public record ChunkEntry(int rows, int snippets) {}

  public StoreManifest {
    Objects.requireNonNull(hooks, "hooks");
    hooks = List.copyOf(hooks);
    layers = List.copyOf(layers);
    widths = List.copyOf(widths);
    tasks = List.copyOf(tasks == null ? List.of() : tasks);
    chunks = List.copyOf(chunks == null ? List.of() : chunks);
  }

  /** The manifest of a store being started with {@code spec}. */
  static StoreManifest started(StoreSpec spec) {
    List<TaskEntry> tasks = new ArrayList<>();
    for (TaskSpec t : spec.tasks()) {
      tasks.add(new TaskEntry(t.name(), t.kind().name(), t.level().name(), List.of()));
    }
    return new StoreManifest(
        FORMAT_VERSION,
        false,
        spec.modelId(),
        spec.weightChecksum(),
        spec.hooks().stream().map(HookName::toString).toList(),
        spec.hooks().stream().map(HookName::layer).toList(),
        spec.widths(),
        spec.dtype().label(),
        spec.aggregation().label(),
        spec.corpusHash(),
        spec.chunkRows(),
        tasks,
        0,
        0,
        List.of());
  }

  /** The spec this store was written with. */
  StoreSpec spec() {
    StoreSpec.Builder b =
        StoreSpec.builder()
            .setModel(modelId, weightChecksum)
            .optDtype(StoreDtype.parse(dtype))
            .optAggregation(Aggregation.parse(aggregation))
            .optCorpusHash(corpusHash)
            .optChunkRows(chunkRows);
    for (int i = 0; i < hooks.size(); i++) {
      b.addHook(HookName.parse(hooks.get(i)), widths.get(i));
    }
    for (TaskEntry t : tasks) {
      b.addTask(
          new TaskSpec(t.name(), TaskSpec.Kind.valueOf(t.kind()), TaskSpec.Level.valueOf(t.level())));
    }
    return b.build();
  }

  /** Reads {@code dir/manifest.json}; a user error names the file when it is absent or broken. */
  static StoreManifest read(Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new NeuroLensException(dir + ": not an activation store (no " + FILE + ")");
    }
    StoreManifest m;
    try {
      m = Json.MAPPER.readValue(file.toFile(), StoreManifest.class);
    } catch (IOException e) {
      throw new NeuroLensException(file + ": not a valid store manifest (" + NeuroLensException.reason(e) + ")", e);
    }
    if (m.formatVersion() != FORMAT_VERSION) {
      throw new NeuroLensException(
          file + ": store format version " + m.formatVersion() + " is not supported (this NeuroLens "
              + "reads version " + FORMAT_VERSION + "); re-extract the store");
    }
    if (m.hooks().size() != m.widths().size() || m.hooks().size() != m.layers().size()) {
      throw new NeuroLensException(
          file + ": " + m.hooks().size() + " hooks but " + m.widths().size() + " widths and "
              + m.layers().size() + " layers");
    }
    return m;
  }

  void write(Path dir) {
    Json.writeAtomically(dir.resolve(FILE), this);
  }

  /**
   * The first difference between this store's spec and {@code other}, as
   * {@code "field (store X, requested Y)"}, or null when they agree.
   */
  static String difference(StoreSpec stored, StoreSpec other) {
    String[][] fields = {
      {"model id", stored.modelId(), other.modelId()},
      {"model weight checksum", stored.weightChecksum(), other.weightChecksum()},
      {"hooks", stored.hooks().toString(), other.hooks().toString()},
      {"hook widths", stored.widths().toString(), other.widths().toString()},
      {"dtype", stored.dtype().label(), other.dtype().label()},
      {"aggregation", stored.aggregation().label(), other.aggregation().label()},
      {"corpus hash", stored.corpusHash(), other.corpusHash()},
      {"tasks", stored.tasks().toString(), other.tasks().toString()},
      {"chunk rows", "" + stored.chunkRows(), "" + other.chunkRows()},
    };
    for (String[] f : fields) {
      if (!f[1].equals(f[2])) {
        return f[0] + " (store '" + f[1] + "', requested '" + f[2] + "')";
      }
    }
    return null;
  }
}
