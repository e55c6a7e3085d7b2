package dev.neurolens.activation;

import dev.neurolens.model.HookName;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import dev.neurolens.util.SnippetSplit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

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
 * @param checksums store-relative path -> {@code crc32c:xxxxxxxx} of every file the writer made
 *     except this manifest ({@link StoreChecksums}); empty for stores written before NeuroLens
 *     recorded checksums, and while a store is being written
 * @param sentencePosition the single-position sentence vector kept per snippet: {@code first}
 *     (encoders, and stores written before decoders were read) or {@code last} (causal decoders)
 * @param split the train/dev/test split of the store's snippets that probes use by default
 *     ({@link dev.neurolens.util.SnippetSplit}); null for stores written before it was recorded
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
    List<ChunkEntry> chunks,
    Map<String, String> checksums,
    String sentencePosition,
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    SplitRecord split) {

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

  /**
   * The recorded split: {@link dev.neurolens.util.SnippetSplit#assign} of the snippet ids with
   * these fractions and seed.
   */
  public record SplitRecord(long seed, double dev, double test) {
    /** Seed 42, 10% dev, 10% test. */
    public static final SplitRecord DEFAULT =
        new SplitRecord(SnippetSplit.DEFAULT_SEED, SnippetSplit.DEFAULT_DEV, SnippetSplit.DEFAULT_TEST);
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
    checksums = Collections.unmodifiableMap(new TreeMap<>(checksums == null ? Map.of() : checksums));
    if (sentencePosition == null) {
      sentencePosition = SentenceRep.FIRST.label(); // stores written before decoders were read
    }
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
        List.of(),
        Map.of(),
        spec.sentencePosition().label(),
        null);
  }

  /** This manifest, complete, with the chunk table, totals, label tables and file checksums. */
  StoreManifest completed(List<TaskEntry> tasks, long tokens, int snippets, List<ChunkEntry> chunks,
      Map<String, String> checksums, SplitRecord split) {
    return new StoreManifest(formatVersion, true, modelId, weightChecksum, hooks, layers, widths, dtype,
        aggregation, corpusHash, chunkRows, tasks, tokens, snippets, chunks, checksums, sentencePosition, split);
  }

  /** The spec this store was written with. */
  StoreSpec spec() {
    StoreSpec.Builder b =
        StoreSpec.builder()
            .setModel(modelId, weightChecksum)
            .optDtype(StoreDtype.parse(dtype))
            .optAggregation(Aggregation.parse(aggregation))
            .optCorpusHash(corpusHash)
            .optChunkRows(chunkRows)
            .optSentencePosition(SentenceRep.parse(sentencePosition));
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
    m.check(file);
    return m;
  }

  /** Largest hook width accepted from a manifest. */
  static final int MAX_WIDTH = 1 << 20;

  /**
   * Checks every field a reader relies on, so that a hand-edited or damaged manifest is one line
   * naming the field and the value found rather than a failure deep inside a reader.
   */
  private void check(Path file) {
    String where = file + ": ";
    for (String[] f : new String[][] {{"modelId", modelId}, {"weightChecksum", weightChecksum},
        {"dtype", dtype}, {"aggregation", aggregation}, {"corpusHash", corpusHash}}) {
      if (f[1] == null) {
        throw new NeuroLensException(where + f[0] + " must be a string, found nothing");
      }
    }
    if (hooks.isEmpty()) {
      throw new NeuroLensException(where + "hooks must list at least one hook, found []");
    }
    if (split != null && !(split.dev() >= 0 && split.test() > 0 && split.dev() + split.test() < 1)) {
      throw new NeuroLensException(where + "split: dev and test must be >= 0 and > 0 with dev + test < 1, found dev "
          + split.dev() + ", test " + split.test());
    }
    Set<HookName> seen = new HashSet<>();
    for (int i = 0; i < hooks.size(); i++) {
      HookName h;
      try {
        h = HookName.parse(hooks.get(i));
      } catch (NeuroLensException e) {
        throw new NeuroLensException(where + "hooks[" + i + "]: " + e.getMessage(), e);
      }
      if (!seen.add(h)) {
        throw new NeuroLensException(where + "hooks: '" + h + "' appears twice (hooks must be distinct)");
      }
      if (layers.get(i) != h.layer()) {
        throw new NeuroLensException(where + "layers[" + i + "] must be " + h.layer() + " (the layer of hook " + h
            + "), found " + layers.get(i));
      }
      int w = widths.get(i);
      if (w < 1 || w > MAX_WIDTH) {
        throw new NeuroLensException(where + "widths[" + i + "] (hook " + h + ") must be in [1, " + MAX_WIDTH
            + "], found " + w);
      }
    }
    try {
      StoreDtype.parse(dtype);
      Aggregation.parse(aggregation);
      if (SentenceRep.parse(sentencePosition) == SentenceRep.MEAN) {
        throw new NeuroLensException("sentencePosition must be first or last, found 'mean'");
      }
    } catch (NeuroLensException e) {
      throw new NeuroLensException(where + e.getMessage(), e);
    }
    int maxWidth = widths.stream().mapToInt(Integer::intValue).max().orElse(1);
    if (chunkRows < 1 || (long) chunkRows * maxWidth * 4 > Integer.MAX_VALUE / 2) {
      throw new NeuroLensException(where + "chunkRows must be >= 1 and keep a chunk file of width " + maxWidth
          + " under 1 GiB, found " + chunkRows);
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < tasks.size(); i++) {
      TaskEntry t = tasks.get(i);
      String task = where + "tasks[" + i + "]";
      if (t.name() == null || t.name().isBlank() || t.name().contains("\n")) {
        throw new NeuroLensException(task + ": name must be a non-blank single line, found "
            + (t.name() == null ? "nothing" : "'" + t.name() + "'"));
      }
      if (!names.add(t.name())) {
        throw new NeuroLensException(task + ": task '" + t.name() + "' appears twice (task names must be distinct)");
      }
      if (!isConstant(TaskSpec.Kind.class, t.kind())) {
        throw new NeuroLensException(task + " (" + t.name() + "): kind must be CATEGORICAL or NUMERIC, found "
            + (t.kind() == null ? "nothing" : "'" + t.kind() + "'"));
      }
      if (!isConstant(TaskSpec.Level.class, t.level())) {
        throw new NeuroLensException(task + " (" + t.name() + "): level must be TOKEN or SNIPPET, found "
            + (t.level() == null ? "nothing" : "'" + t.level() + "'"));
      }
    }
    if (tokens < 0 || tokens > Integer.MAX_VALUE || snippets < 0) {
      throw new NeuroLensException(where + "tokens and snippets must be in [0, 2^31 - 1], found " + tokens + " and "
          + snippets);
    }
    long rowSum = 0;
    long snippetSum = 0;
    for (int c = 0; c < chunks.size(); c++) {
      ChunkEntry e = chunks.get(c);
      if (e.rows() < 0 || e.snippets() < 0 || (e.rows() > 0 && e.snippets() == 0)) {
        throw new NeuroLensException(where + "chunks[" + c + "] must have rows >= 0 and snippets >= 0 (> 0 when it "
            + "has rows), found rows " + e.rows() + ", snippets " + e.snippets());
      }
      rowSum += e.rows();
      snippetSum += e.snippets();
    }
    if (rowSum > Integer.MAX_VALUE || snippetSum > Integer.MAX_VALUE) {
      throw new NeuroLensException(where + "chunks hold " + rowSum + " rows and " + snippetSum
          + " snippets in all; a store holds at most 2^31 - 1 of each");
    }
    for (Map.Entry<String, String> e : checksums.entrySet()) {
      String k = e.getKey();
      if (k.isEmpty() || k.startsWith("/") || k.contains("\\") || k.contains(":")
          || Arrays.asList(k.split("/")).contains("..") || k.equals(FILE)) {
        throw new NeuroLensException(where + "checksums: key '" + k + "' must be a path inside the store");
      }
      if (e.getValue() == null || !StoreChecksums.VALUE.matcher(e.getValue()).matches()) {
        throw new NeuroLensException(where + "checksums['" + k + "'] must be crc32c: and 8 hex digits, found "
            + (e.getValue() == null ? "nothing" : "'" + e.getValue() + "'"));
      }
    }
    try {
      spec();
    } catch (IllegalArgumentException | NeuroLensException e) {
      throw new NeuroLensException(where + e.getMessage(), e); // a rule of StoreSpec not checked above
    }
  }

  private static <E extends Enum<E>> boolean isConstant(Class<E> type, String name) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(name)) {
        return true;
      }
    }
    return false;
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
      {"sentence position", stored.sentencePosition().label(), other.sentencePosition().label()},
    };
    for (String[] f : fields) {
      if (!f[1].equals(f[2])) {
        return f[0] + " (store '" + f[1] + "', requested '" + f[2] + "')";
      }
    }
    return null;
  }
}
