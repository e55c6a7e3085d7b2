package dev.neurolens.activation;

import dev.neurolens.model.HookName;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The checks {@link ActivationStore#open} runs before a store is used: every chunk the manifest
 * lists is present, its record agrees with the manifest and with the chunks before it, every
 * matrix has the size its rows and widths give, token and label counts agree, the row -> snippet
 * column and the categorical label ids are in range, and the chunk records, columns and label
 * files match their recorded checksums. Each failure names the file, the rule and the value found.
 */
final class StoreValidation {
  private final ActivationStore store;
  private final Path dir;
  private final StoreManifest manifest;
  private final StoreSpec spec;

  StoreValidation(ActivationStore store) {
    this.store = store;
    this.dir = store.dir();
    this.manifest = store.manifest();
    this.spec = store.spec();
  }

  /** Every check of {@link ActivationStore#open}, in order; throws on the first failure. */
  void run() {
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
      if (rec.firstRow() != store.chunkStart(0, c) || rec.firstSnippet() != store.chunkStart(1, c)) {
        throw new NeuroLensException(
            cd.resolve(StoreFiles.CHUNK_JSON) + ": chunk starts at row " + rec.firstRow() + ", snippet "
                + rec.firstSnippet() + " but the chunks before it end at row " + store.chunkStart(0, c) + ", snippet "
                + store.chunkStart(1, c));
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
      StoreChecksums.verify(dir, manifest.checksums(), StoreValidation::verifiedOnOpen);
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
      while (r >= store.chunkStart(0, chunk + 1)) {
        chunk++;
      }
      int v = col.get(r);
      int lo = store.chunkStart(1, chunk);
      int hi = store.chunkStart(1, chunk + 1);
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
      int names = store.labelNames(t.name()).size();
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

  static long size(Path f, String what) {
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
}
