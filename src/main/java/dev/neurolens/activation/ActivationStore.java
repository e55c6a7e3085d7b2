package dev.neurolens.activation;

import dev.neurolens.model.HookName;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
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
    s.validate();
    return s;
  }

  private void validate() {
    long rows = 0;
    int snippets = 0;
    for (int c = 0; c < manifest.chunks().size(); c++) {
      StoreManifest.ChunkEntry e = manifest.chunks().get(c);
      Path cd = StoreFiles.chunkDir(dir, c);
      if (!Files.isDirectory(cd)) {
        throw new NeuroLensException(
            cd + ": missing chunk " + c + " (the manifest lists " + manifest.chunks().size()
                + " chunks)");
      }
      ChunkRecord rec = ChunkRecord.read(cd);
      if (rec.rows() != e.rows() || rec.snippets() != e.snippets()) {
        throw new NeuroLensException(
            cd.resolve(StoreFiles.CHUNK_JSON) + ": " + rec.rows() + " rows / " + rec.snippets()
                + " snippets, the manifest says " + e.rows() + " / " + e.snippets());
      }
      if (rec.firstRow() != chunkFirstRow[c] || rec.firstSnippet() != chunkFirstSnippet[c]) {
        throw new NeuroLensException(
            cd.resolve(StoreFiles.CHUNK_JSON) + ": chunk starts at row " + rec.firstRow() + ", snippet "
                + rec.firstSnippet() + " but the chunks before it end at row " + chunkFirstRow[c] + ", snippet "
                + chunkFirstSnippet[c]);
      }
      for (int h = 0; h < spec.hooks().size(); h++) {
        HookName hook = spec.hooks().get(h);
        long w = (long) spec.widths().get(h) * spec.dtype().bytes();
        expectSize(cd.resolve(StoreFiles.matrixFile(hook, spec.dtype())), e.rows() * w, "matrix");
        for (SentenceRep rep : List.of(spec.sentencePosition(), SentenceRep.MEAN)) {
          expectSize(
              cd.resolve(StoreFiles.sentenceFile(rep, hook, spec.dtype())), e.snippets() * w,
              "sentence matrix");
        }
      }
      for (String f : List.of(StoreFiles.TOKENS, StoreFiles.SNIPPETS)) {
        if (!Files.isRegularFile(cd.resolve(f))) {
          throw new NeuroLensException(cd.resolve(f) + ": missing token metadata");
        }
      }
      rows += e.rows();
      snippets += e.snippets();
    }
    if (rows != manifest.tokens() || snippets != manifest.snippets()) {
      throw new NeuroLensException(
          dir.resolve(StoreManifest.FILE) + ": chunks hold " + rows + " tokens and " + snippets
              + " snippets, the manifest says " + manifest.tokens() + " and " + manifest.snippets());
    }
    expectSize(StoreFiles.snippetColumn(dir), rows * 4, "token column");
    expectSize(StoreFiles.flagsColumn(dir), rows, "token column");
    for (TaskSpec t : spec.tasks()) {
      long n = t.level() == TaskSpec.Level.TOKEN ? rows : snippets;
      Path f = StoreFiles.labelFile(dir, spec.tasks().indexOf(t), t);
      long size = size(f, "label file");
      if (size != n * 4) {
        throw new NeuroLensException(
            f + ": " + (size / 4) + " labels for " + n + " "
                + (t.level() == TaskSpec.Level.TOKEN ? "tokens" : "snippets")
                + " (labels and activations do not match)");
      }
    }
    checkSnippetColumn();
    checkLabelIds();
    if (!manifest.checksums().isEmpty()) {
      StoreChecksums.verify(dir, manifest.checksums(), ActivationStore::verifiedOnOpen);
    }
  }

  /** The files verified against their checksums on every open: chunk records, columns, labels. */
  private static boolean verifiedOnOpen(String key) {
    return key.endsWith("/" + StoreFiles.CHUNK_JSON) || key.startsWith(StoreFiles.COLUMNS + "/")
        || key.startsWith(StoreFiles.LABELS + "/");
  }

  /**
   * Range-checks the row -> snippet column, which drives snippet-grouped splits: every row's
   * snippet index lies in its chunk's snippet range and never decreases.
   */
  private void checkSnippetColumn() {
    Path f = StoreFiles.snippetColumn(dir);
    IntBuffer col = mapInts(f);
    int chunk = 0;
    int previous = 0;
    for (int r = 0; r < col.limit(); r++) {
      while (r >= chunkFirstRow[chunk + 1]) {
        chunk++;
      }
      int v = col.get(r);
      int lo = chunkFirstSnippet[chunk];
      int hi = chunkFirstSnippet[chunk + 1];
      if (v < lo || v >= hi) {
        throw new NeuroLensException(f + ": row " + r + " has snippet index " + v + ", outside [" + lo + ", " + hi
            + ") of its chunk " + chunk + " (the row -> snippet column is damaged; re-extract the store)");
      }
      if (v < previous) {
        throw new NeuroLensException(f + ": row " + r + " has snippet index " + v + " after " + previous
            + " (rows follow snippet order; the column is damaged; re-extract the store)");
      }
      previous = v;
    }
  }

  /** Range-checks every categorical label file: ids in [-1, number of label names). */
  private void checkLabelIds() {
    for (TaskSpec t : spec.tasks()) {
      if (t.kind() != TaskSpec.Kind.CATEGORICAL) {
        continue;
      }
      int names = labelNames(t.name()).size();
      Path f = StoreFiles.labelFile(dir, spec.tasks().indexOf(t), t);
      IntBuffer ids = mapInts(f);
      for (int i = 0; i < ids.limit(); i++) {
        int v = ids.get(i);
        if (v < -1 || v >= names) {
          throw new NeuroLensException(f + ": " + (t.level() == TaskSpec.Level.TOKEN ? "row " : "snippet ") + i
              + " has label id " + v + ", outside [-1, " + names + ") (task '" + t.name() + "' has " + names
              + " label names; the file is damaged; re-extract the store)");
        }
      }
    }
  }

  private static IntBuffer mapInts(Path f) {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
    } catch (IOException e) {
      throw new NeuroLensException(f + ": cannot read (" + NeuroLensException.reason(e) + ")", e);
    }
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

  private static long size(Path f, String what) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      throw new NeuroLensException(f + ": missing " + what + " (" + e.getMessage() + ")", e);
    }
  }

  private static void expectSize(Path f, long expected, String what) {
    long size = size(f, what);
    if (size != expected) {
      throw new NeuroLensException(
          f + ": " + what + " has " + size + " bytes, expected " + expected
              + (size < expected ? " (truncated)" : ""));
    }
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
      return files.filter(Files::isRegularFile).mapToLong(p -> size(p, "file")).sum();
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
