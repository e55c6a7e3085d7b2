package dev.neurolens.activation;

import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Appends snippets to an {@link ActivationStore} directory, chunk by chunk, atomically and
 * resumably.
 *
 * <p>A chunk is written into {@code chunks/NNNNNN.tmp/} and renamed to {@code chunks/NNNNNN/} once
 * it holds at least {@code chunkRows} rows (always at a snippet boundary). Opening an unfinished
 * store with an equal {@link StoreSpec} deletes leftover {@code .tmp} chunks and continues after
 * the last complete chunk: the caller skips the first {@link #completedSnippets()} snippets of its
 * (deterministic) order, and the finished store is byte-identical to an uninterrupted run. Each
 * committed chunk's files are checksummed ({@link StoreChecksums}) for the finished manifest.
 * A full chunk is made durable (flushed, fsynced, renamed, checksummed) on a background thread
 * while the next chunk is written; at most one such commit is in flight, chunks are renamed in
 * order, and {@link #finish} and {@link #close} wait for it (its failure surfaces at the next
 * append, finish or close).
 *
 * <p>Usage: {@code try (StoreWriter w = StoreWriter.open(dir, spec, StoreWriter.Mode.CREATE_OR_RESUME)) {
 * w.append(snippet); w.finish(); }}
 */
public final class StoreWriter implements AutoCloseable {
  /** What to do with an existing store at the target directory. */
  public enum Mode {
    /** Create a new store, or resume an unfinished one written with the same spec. */
    CREATE_OR_RESUME,
    /** Delete an existing store (only the files a store consists of) and start again. */
    OVERWRITE
  }

  static final ObjectWriter LINE =
      Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);

  private final Path dir;
  private final StoreSpec spec;
  private final List<StoreManifest.ChunkEntry> chunks = new ArrayList<>();
  /** Checksums of the complete chunks' files, keyed by store-relative path. */
  private final Map<String, String> checksums = new TreeMap<>();
  private StoreManifest.SplitRecord split = StoreManifest.SplitRecord.DEFAULT;
  private int completedSnippets;
  private int completedRows;
  private OpenChunk open;
  private boolean finished;
  /** Full chunks are made durable on a background thread while the next one is written. */
  private final BackgroundCommits commits;
  /** Buffers of the chunks' matrix files, reused from chunk to chunk. */
  private final ChunkFile.Pool buffers = new ChunkFile.Pool();

  private StoreWriter(Path dir, StoreSpec spec) {
    this.dir = dir;
    this.spec = spec;
    this.commits = new BackgroundCommits(dir.toString());
  }

  /**
   * Opens {@code dir} for writing a store of {@code spec}.
   *
   * @throws NeuroLensException when {@code dir} holds a finished store (unless OVERWRITE), an
   *     unfinished store of another spec (unless OVERWRITE), or other files
   */
  public static StoreWriter open(Path dir, StoreSpec spec, Mode mode) {
    StoreWriter w = new StoreWriter(dir, spec);
    try {
      w.prepare(mode);
    } catch (IOException e) {
      throw new NeuroLensException(dir + ": cannot prepare the store directory (" + e + ")", e);
    }
    return w;
  }

  private void prepare(Mode mode) throws IOException {
    Files.createDirectories(dir);
    boolean hasManifest = Files.exists(dir.resolve(StoreManifest.FILE));
    if (!hasManifest) {
      try (Stream<Path> entries = Files.list(dir)) {
        List<String> foreign =
            entries.map(p -> p.getFileName().toString())
                .filter(n -> !StoreFiles.TOP_LEVEL.contains(n))
                .toList();
        if (!foreign.isEmpty() || Files.exists(dir.resolve(StoreFiles.CHUNKS))) {
          throw new NeuroLensException(
              dir + ": directory is not empty and not an activation store (found " + foreign
                  + "); choose a new output directory");
        }
      }
    } else if (mode == Mode.OVERWRITE) {
      clear();
    } else {
      StoreManifest existing = StoreManifest.read(dir);
      if (existing.complete()) {
        throw new NeuroLensException(
            dir + ": a complete activation store exists (" + existing.tokens() + " tokens); pass "
                + "--overwrite to replace it");
      }
      String diff = StoreManifest.difference(existing.spec(), spec);
      if (diff != null) {
        throw new NeuroLensException(
            dir.resolve(StoreManifest.FILE) + ": unfinished store was written with another "
                + diff + "; pass --overwrite to start again");
      }
      resume();
      return;
    }
    Files.createDirectories(dir.resolve(StoreFiles.CHUNKS));
    StoreManifest.started(spec).write(dir);
  }

  /**
   * Removes an earlier store for OVERWRITE, touching only what a NeuroLens store holds: the
   * directory must carry a manifest of our format (any version), and only the manifest, the chunk
   * directories' files, the index columns and the label files (by the names the writer gives
   * them) are deleted. Anything else found there, a user's file, stays.
   */
  private void clear() throws IOException {
    requireOurManifest();
    Path chunks = dir.resolve(StoreFiles.CHUNKS);
    if (Files.isDirectory(chunks, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(chunks)) {
        for (Path c : ds) {
          if (c.getFileName().toString().matches("\\d{6}(\\.tmp)?")
              && Files.isDirectory(c, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            deleteFiles(c, n -> true);
          }
        }
      }
      deleteIfEmpty(chunks);
    }
    Path columns = dir.resolve(StoreFiles.COLUMNS);
    deleteFiles(columns, n -> n.equals(StoreFiles.snippetColumn(dir).getFileName().toString())
        || n.equals(StoreFiles.flagsColumn(dir).getFileName().toString()) || n.endsWith(StoreFiles.TMP));
    Path labels = dir.resolve(StoreFiles.LABELS);
    deleteFiles(labels, n -> n.matches("\\d+\\..+\\.(i32|f32)(.*\\.tmp)?"));
    Files.deleteIfExists(dir.resolve(StoreManifest.FILE));
  }

  /** The manifest must be a JSON object of our layout (format version, hooks, chunk size); else refuse. */
  private void requireOurManifest() {
    Path file = dir.resolve(StoreManifest.FILE);
    com.fasterxml.jackson.databind.JsonNode m;
    try {
      m = dev.neurolens.util.Json.MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      m = null;
    }
    if (m == null || !m.isObject() || !m.path("formatVersion").isInt() || !m.path("hooks").isArray()
        || !m.path("chunkRows").isInt() || !m.has("complete")) {
      throw new NeuroLensException(file + ": not a NeuroLens store manifest; --overwrite only replaces an activation "
          + "store, and " + dir + " holds something else: choose another output directory");
    }
  }

  /** Deletes the regular files (not links' targets, not subdirectories) of {@code d} that {@code mine} accepts. */
  private static void deleteFiles(Path d, java.util.function.Predicate<String> mine) throws IOException {
    if (!Files.isDirectory(d, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
      for (Path f : ds) {
        if (Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS) && mine.test(f.getFileName().toString())) {
          Files.delete(f);
        }
      }
    }
    deleteIfEmpty(d);
  }

  private static void deleteIfEmpty(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      if (s.findAny().isEmpty()) {
        Files.delete(d);
      }
    }
  }

  /** Drops temporary chunks and counts the complete ones (which must be numbered 0..k-1). */
  private void resume() throws IOException {
    Path chunksDir = dir.resolve(StoreFiles.CHUNKS);
    Files.createDirectories(chunksDir);
    int complete = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(chunksDir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (name.endsWith(StoreFiles.TMP)) {
          StoreFiles.deleteTree(p);
        } else {
          complete++;
        }
      }
    }
    for (int c = 0; c < complete; c++) {
      Path cd = StoreFiles.chunkDir(dir, c);
      ChunkRecord rec = ChunkRecord.read(cd);
      if (rec.firstRow() != completedRows || rec.firstSnippet() != completedSnippets) {
        throw new NeuroLensException(
            cd.resolve(StoreFiles.CHUNK_JSON) + ": chunk starts at row " + rec.firstRow()
                + ", snippet " + rec.firstSnippet() + " but the chunks before it end at row "
                + completedRows + ", snippet " + completedSnippets + "; pass --overwrite");
      }
      chunks.add(new StoreManifest.ChunkEntry(rec.rows(), rec.snippets()));
      StoreChecksums.addDirectory(checksums, cd, StoreFiles.chunkKey(c));
      completedRows += rec.rows();
      completedSnippets += rec.snippets();
    }
  }

  /** Snippets already durable in complete chunks (0 for a new store): skip these when resuming. */
  public int completedSnippets() {
    return completedSnippets;
  }

  /**
   * The split recorded in the finished manifest (default: seed 42, 10% dev, 10% test); probes
   * use it unless given another split seed.
   */
  public void recordSplit(StoreManifest.SplitRecord split) {
    this.split = java.util.Objects.requireNonNull(split, "split");
  }

  /** The spec being written. */
  public StoreSpec spec() {
    return spec;
  }

  /**
   * Waits until the chunk commit in flight (fsync, rename, checksum on the background thread),
   * if any, has landed; its failure is thrown here. For {@link ExtractBench}, which times forward
   * passes between groups that a commit running beside them would slow.
   */
  void awaitCommit() {
    try {
      commits.await();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Appends one snippet; closes the chunk when it reaches {@code chunkRows} rows. */
  public void append(SnippetActivations s) {
    if (finished) {
      throw new IllegalStateException("store already finished");
    }
    check(s);
    try {
      if (open == null) {
        open = new OpenChunk(dir, spec, buffers, chunks.size(), completedRows, completedSnippets);
      }
      open.write(s);
      if (open.rows >= spec.chunkRows()) {
        commit();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void check(SnippetActivations s) {
    int hooks = spec.hooks().size();
    if (s.first().length != hooks) {
      throw new IllegalArgumentException(
          "snippet " + s.id() + ": " + s.first().length + " hooks, store has " + hooks);
    }
    for (int h = 0; h < hooks; h++) {
      if (s.rowsOf(h) == null && spec.dtype() != StoreDtype.FLOAT16) { // then it has float16 rows
        throw new IllegalArgumentException("snippet " + s.id() + ": hook " + h + " has only float16 rows, the store is "
            + spec.dtype().name().toLowerCase(java.util.Locale.ROOT));
      }
      if (s.firstOf(h).length != spec.widths().get(h)) {
        throw new IllegalArgumentException(
            "snippet " + s.id() + ", hook " + spec.hooks().get(h) + ": width "
                + s.firstOf(h).length + ", store has " + spec.widths().get(h));
      }
    }
    int tokenTasks = spec.tokenTasks().size();
    for (StoredToken t : s.tokens()) {
      if (t.labels().size() != tokenTasks) {
        throw new IllegalArgumentException(
            "snippet " + s.id() + ", token '" + t.text() + "': " + t.labels().size()
                + " labels, store has " + tokenTasks + " token tasks");
      }
    }
    if (s.labels().size() != spec.snippetTasks().size()) {
      throw new IllegalArgumentException(
          "snippet " + s.id() + ": " + s.labels().size() + " snippet labels, store has "
              + spec.snippetTasks().size() + " snippet tasks");
    }
    if ((long) completedRows + (open == null ? 0 : open.rows) + s.size() > Integer.MAX_VALUE) {
      throw new NeuroLensException("store " + dir + ": more than 2^31 - 1 rows");
    }
  }

  /** Hands the open chunk to the background commit (after the previous commit has landed). */
  private void commit() throws IOException {
    OpenChunk c = open;
    open = null;
    chunks.add(new StoreManifest.ChunkEntry(c.rows, c.snippets));
    completedRows += c.rows;
    completedSnippets += c.snippets;
    // the commit thread alone touches checksums until finish waits for it (at most one in flight)
    commits.submit(() -> {
      c.closeAndRename();
      StoreChecksums.addDirectory(checksums, StoreFiles.chunkDir(dir, c.index), StoreFiles.chunkKey(c.index));
    });
  }

  /**
   * Closes the last chunk, writes the row columns and label tables, and marks the store complete.
   *
   * @return the finished store's manifest
   */
  public StoreManifest finish() {
    try {
      if (open != null) {
        commit();
      }
      commits.close();
      StoreManifest m = StoreColumns.write(dir, spec, chunks, completedRows, completedSnippets, checksums, split);
      finished = true;
      return m;
    } catch (IOException e) {
      throw new NeuroLensException(dir + ": cannot finish the store (" + e + ")", e);
    }
  }

  /** Abandons an unfinished chunk's files (complete chunks stay, so a re-run resumes). */
  @Override
  public void close() {
    try {
      commits.close(); // a full chunk's commit lands, so that a re-run resumes after it
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (open != null) {
        try {
          open.abandon();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } finally {
          open = null;
        }
      }
    }
  }
}
