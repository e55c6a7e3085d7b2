package dev.neurolens.activation;

import dev.neurolens.model.HookName;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A finished activation store, opened for reading: memory-mapped matrices, read in row chunks
 * through {@link ActivationMatrix} views, so the matrices never need to fit in the Java heap.
 *
 * <p>Rows are code tokens (N), in store order; snippet views have one row per snippet (S).
 * Feature ids of a view over hooks h_0..h_k are layer-major: hook h_j's neuron i is column
 * {@code sum_{m<j} W_{h_m} + i}. Files are described in {@link StoreFiles}; create stores with
 * {@link StoreWriter}.
 *
 * <p>Usage: {@code try (ActivationStore store = ActivationStore.open(dir)) {
 * ActivationMatrix x = store.view(store.hooks()); }}
 */
public final class ActivationStore implements AutoCloseable {
  private final Path dir;
  private final StoreManifest manifest;
  private final StoreSpec spec;
  private final int[] chunkFirstRow;
  private final int[] chunkFirstSnippet;
  /** [kind][chunk][hook]: kind 0 = tokens, 1 = position vector (first or last), 2 = mean. */
  private final ByteBuffer[][][] maps;

  private ActivationStore(Path dir, StoreManifest manifest) {
    this.dir = dir;
    this.manifest = manifest;
    this.spec = manifest.spec();
    int c = manifest.chunks().size();
    chunkFirstRow = new int[c + 1];
    chunkFirstSnippet = new int[c + 1];
    for (int i = 0; i < c; i++) {
      chunkFirstRow[i + 1] = chunkFirstRow[i] + manifest.chunks().get(i).rows();
      chunkFirstSnippet[i + 1] = chunkFirstSnippet[i] + manifest.chunks().get(i).snippets();
    }
    maps = new ByteBuffer[3][c][spec.hooks().size()];
  }

  /**
   * Opens and validates a finished store.
   *
   * @throws NeuroLensException naming the file and the mismatch: unsupported format version,
   *     unfinished store, missing chunk, truncated matrix, label or token counts that disagree, an
   *     index column (row -> snippet, label ids) out of range, or a chunk record, column or label
   *     file whose checksum differs from the manifest's
   */
  public static ActivationStore open(Path dir) {
    dev.neurolens.util.Activity.set("reading the activation store " + dir);
    StoreManifest m = StoreManifest.read(dir);
    if (!m.complete()) {
      throw new NeuroLensException(
          dir.resolve(StoreManifest.FILE) + ": store is unfinished; re-run the extract command to "
              + "resume it");
    }
    ActivationStore s = new ActivationStore(dir, m);
    new StoreValidation(s).run();
    return s;
  }

  /**
   * What {@link #verifyChecksums} read.
   *
   * @param files files checked against the manifest
   * @param bytes their total size
   */
  public record Verification(int files, long bytes) {}

  /**
   * Reads every file the manifest records a checksum for and compares; on open only the chunk
   * records, columns and label files are verified.
   *
   * @return what was verified; empty when the manifest records no checksums (a store written
   *     before NeuroLens recorded them)
   * @throws NeuroLensException naming the first missing or changed file
   */
  public Optional<Verification> verifyChecksums() {
    if (manifest.checksums().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(StoreChecksums.verify(dir, manifest.checksums(), key -> true));
  }

  /** Fails unless this store was extracted from the given model (id and weight checksum). */
  public void requireModel(String modelId, String weightChecksum) {
    if (!manifest.modelId().equals(modelId) || !manifest.weightChecksum().equals(weightChecksum)) {
      throw new NeuroLensException(
          dir.resolve(StoreManifest.FILE) + ": store is from model " + manifest.modelId() + " ("
              + manifest.weightChecksum() + "), expected " + modelId + " (" + weightChecksum + ")");
    }
  }

  public Path dir() {
    return dir;
  }

  public StoreManifest manifest() {
    return manifest;
  }

  public StoreSpec spec() {
    return spec;
  }

  /** The store's recorded train/dev/test split ({@link StoreManifest.SplitRecord#DEFAULT} for stores without one). */
  public StoreManifest.SplitRecord split() {
    return manifest.split() == null ? StoreManifest.SplitRecord.DEFAULT : manifest.split();
  }

  /**
   * The part of every snippet (store order) under the store's split fractions with {@code seed}
   * ({@link dev.neurolens.util.SnippetSplit}: by snippet id, whatever the store's order).
   */
  public dev.neurolens.util.SnippetSplit.Part[] splitParts(long seed) {
    List<String> ids = snippets().stream().map(StoredSnippet::id).toList();
    return dev.neurolens.util.SnippetSplit.assign(ids, split().dev(), split().test(), seed);
  }

  public List<HookName> hooks() {
    return spec.hooks();
  }

  /** W_h of {@code hook}. */
  public int width(HookName hook) {
    return spec.widths().get(hookIndex(hook));
  }

  /** N, the number of token rows. */
  public int tokenCount() {
    return chunkFirstRow[chunkFirstRow.length - 1];
  }

  /** S, the number of snippets. */
  public int snippetCount() {
    return chunkFirstSnippet[chunkFirstSnippet.length - 1];
  }

  int chunkCount() {
    return manifest.chunks().size();
  }

  int hookIndex(HookName hook) {
    int i = spec.hooks().indexOf(hook);
    if (i < 0) {
      throw new NeuroLensException(
          dir + ": hook " + hook + " is not in this store (it has " + spec.hooks() + ")");
    }
    return i;
  }

  /**
   * Whether {@code dir} holds a complete store written with exactly {@code spec} (same model
   * checksum, hooks, dtype, aggregation, corpus hash and tasks), so that it can be reused as is.
   */
  public static boolean isCompleteWith(Path dir, StoreSpec spec) {
    if (!Files.isRegularFile(dir.resolve(StoreManifest.FILE))) {
      return false;
    }
    StoreManifest m = StoreManifest.read(dir);
    return m.complete() && StoreManifest.difference(m.spec(), spec) == null;
  }

  /** All token rows of {@code hooks}, every neuron. */
  public ActivationMatrix view(List<HookName> hooks) {
    return view(hooks, null);
  }

  /**
   * Token rows (N) of the given hooks, restricted to {@code neurons} (feature ids of the
   * concatenated hooks, in the order given; null = all).
   */
  public ActivationMatrix view(List<HookName> hooks, int[] neurons) {
    return new StoreMatrix(this, 0, hooks, neurons);
  }

  /**
   * Snippet rows (S) of a sentence representation of the given hooks (neurons as in view): MEAN,
   * or the store's position vector ({@link StoreSpec#sentencePosition()}).
   *
   * @throws NeuroLensException when {@code rep} is the position vector this store does not keep
   */
  public ActivationMatrix sentenceView(SentenceRep rep, List<HookName> hooks, int[] neurons) {
    if (rep != SentenceRep.MEAN && rep != spec.sentencePosition()) {
      throw new NeuroLensException(dir + ": the store keeps the " + spec.sentencePosition().label()
          + "-position vector of each snippet (and the mean), not the " + rep.label() + "-position one");
    }
    return new StoreMatrix(this, rep == SentenceRep.MEAN ? 2 : 1, hooks, neurons);
  }

  /** The position vector this store keeps per snippet: FIRST (encoders) or LAST (causal decoders). */
  public SentenceRep sentencePosition() {
    return spec.sentencePosition();
  }

  /** The (hook, index) of feature {@code feature} of a view over {@code hooks}. */
  public NeuronId neuron(List<HookName> hooks, int feature) {
    int f = feature;
    for (HookName h : hooks) {
      int w = width(h);
      if (f < w) {
        return new NeuronId(h, f);
      }
      f -= w;
    }
    throw new IndexOutOfBoundsException("feature " + feature + " outside the hooks " + hooks);
  }

  /** The chunk holding row {@code row} (kind 0) or snippet {@code row} (kinds 1, 2). */
  int chunkOf(int kind, int row) {
    int[] starts = kind == 0 ? chunkFirstRow : chunkFirstSnippet;
    int i = Arrays.binarySearch(starts, row);
    int c = i >= 0 ? i : -i - 2;
    while (c + 1 < starts.length - 1 && starts[c + 1] <= row) {
      c++; // skip empty chunks
    }
    return c;
  }

  int chunkStart(int kind, int chunk) {
    return (kind == 0 ? chunkFirstRow : chunkFirstSnippet)[chunk];
  }

  /** The mapped little-endian matrix of (kind, chunk, hook index). */
  synchronized ByteBuffer map(int kind, int chunk, int hook) {
    ByteBuffer b = maps[kind][chunk][hook];
    if (b == null) {
      HookName h = spec.hooks().get(hook);
      String name =
          kind == 0
              ? StoreFiles.matrixFile(h, spec.dtype())
              : StoreFiles.sentenceFile(kind == 1 ? spec.sentencePosition() : SentenceRep.MEAN, h, spec.dtype());
      Path f = StoreFiles.chunkDir(dir, chunk).resolve(name);
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
        b = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
      } catch (IOException e) {
        throw new UncheckedIOException(f + ": cannot map", e);
      }
      maps[kind][chunk][hook] = b;
    }
    return b;
  }

  /** The tasks of this store. */
  public List<TaskSpec> tasks() {
    return spec.tasks();
  }

  private TaskSpec task(String name, TaskSpec.Kind kind) {
    for (TaskSpec t : spec.tasks()) {
      if (t.name().equals(name)) {
        if (t.kind() != kind) {
          throw new NeuroLensException(
              "task " + name + " is " + t.kind().name().toLowerCase() + ", not "
                  + kind.name().toLowerCase());
        }
        return t;
      }
    }
    throw new NeuroLensException(
        dir + ": no task '" + name + "' (tasks: "
            + spec.tasks().stream().map(TaskSpec::name).toList() + ")");
  }

  /** Label ids of a categorical task, one per row (token task) or snippet; -1 = no label. */
  public int[] labels(String task) {
    TaskSpec t = task(task, TaskSpec.Kind.CATEGORICAL);
    ByteBuffer b = readAll(StoreFiles.labelFile(dir, spec.tasks().indexOf(t), t));
    int[] out = new int[b.remaining() / 4];
    b.asIntBuffer().get(out);
    return out;
  }

  /** The sorted label names of a categorical task (label id = index). */
  public List<String> labelNames(String task) {
    task(task, TaskSpec.Kind.CATEGORICAL);
    return manifest.tasks().stream()
        .filter(e -> e.name().equals(task))
        .findFirst()
        .orElseThrow()
        .labelNames();
  }

  /** Values of a numeric task, one per row or snippet; NaN = no value. */
  public float[] targets(String task) {
    TaskSpec t = task(task, TaskSpec.Kind.NUMERIC);
    ByteBuffer b = readAll(StoreFiles.labelFile(dir, spec.tasks().indexOf(t), t));
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  /** The store snippet index of every row (N ints). */
  public int[] rowSnippets() {
    ByteBuffer b = readAll(StoreFiles.snippetColumn(dir));
    int[] out = new int[b.remaining() / 4];
    b.asIntBuffer().get(out);
    return out;
  }

  /** The {@link StoredToken} flags of every row (N bytes). */
  public byte[] rowFlags() {
    ByteBuffer b = readAll(StoreFiles.flagsColumn(dir));
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /** All snippets in store order (S entries). */
  public List<StoredSnippet> snippets() {
    List<StoredSnippet> out = new ArrayList<>(snippetCount());
    try {
      StoreColumns.forEachSnippet(dir, chunkCount(), out::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The metadata of rows {@code [rowStart, rowStart + count)}, reading only the chunks needed. */
  public List<StoredToken> tokens(int rowStart, int count) {
    if (rowStart < 0 || count < 0 || rowStart + count > tokenCount()) {
      throw new IndexOutOfBoundsException(
          "rows [" + rowStart + ", " + (rowStart + count) + ") outside [0, " + tokenCount() + ")");
    }
    List<StoredToken> out = new ArrayList<>(count);
    int end = rowStart + count;
    for (int c = count == 0 ? 0 : chunkOf(0, rowStart); out.size() < count; c++) {
      int[] at = {chunkFirstRow[c]};
      try {
        StoreColumns.forEachLine(
            StoreFiles.chunkDir(dir, c).resolve(StoreFiles.TOKENS),
            StoreColumns.TOKEN,
            (StoredToken t) -> {
              if (at[0] >= rowStart && at[0] < end) {
                out.add(t);
              }
              at[0]++;
            });
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  private ByteBuffer readAll(Path f) {
    try {
      return ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new NeuroLensException(f + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  /** Total bytes of the store's files. */
  public long bytes() {
    try (var files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> StoreValidation.size(p, "file")).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Drops the mappings (the OS unmaps them when they are collected). */
  @Override
  public synchronized void close() {
    for (ByteBuffer[][] kind : maps) {
      for (ByteBuffer[] chunk : kind) {
        Arrays.fill(chunk, null);
      }
    }
  }
}
