package dev.neurolens.activation;

import dev.neurolens.model.HookName;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * File names inside a store directory.
 *
 * <pre>
 * manifest.json
 * chunks/000000/chunk.json            {"rows", "snippets", "firstRow", "firstSnippet"}
 * chunks/000000/{hook}.{f16|f32}      rows x W_h, little-endian
 * chunks/000000/first.{hook}.{ext}    snippets x W_h (first-position vector; last.{hook}.{ext}
 *                                     with the last-position vector for causal decoders)
 * chunks/000000/mean.{hook}.{ext}     snippets x W_h (mean of code-token vectors)
 * chunks/000000/tokens.jsonl          one StoredToken per row
 * chunks/000000/snippets.jsonl        one line per snippet: id, source, rows, labels
 * columns/snippet.i32                 N: store snippet index of each row
 * columns/flags.u8                    N: StoredToken flags
 * labels/{i}.{task}.i32               N (or S): label id, -1 = none  (categorical task i)
 * labels/{i}.{task}.f32               N (or S): value, NaN = none     (numeric task i)
 * </pre>
 *
 * All integers and floats are little-endian. Chunks are written as {@code 000000.tmp} and renamed.
 * The manifest records a CRC32C of every other file ({@link StoreChecksums}).
 */
final class StoreFiles {
  static final String CHUNKS = "chunks";
  static final String COLUMNS = "columns";
  static final String LABELS = "labels";
  static final String CHUNK_JSON = "chunk.json";
  static final String TOKENS = "tokens.jsonl";
  static final String SNIPPETS = "snippets.jsonl";
  static final String TMP = ".tmp";
  /** Every name the writer creates at the top level; only these are removed by an overwrite. */
  static final List<String> TOP_LEVEL = List.of(StoreManifest.FILE, CHUNKS, COLUMNS, LABELS);

  private StoreFiles() {}

  static Path chunkDir(Path store, int chunk) {
    return store.resolve(CHUNKS).resolve(String.format("%06d", chunk));
  }

  /** The store-relative key of chunk {@code chunk}'s directory in the manifest's checksums. */
  static String chunkKey(int chunk) {
    return CHUNKS + "/" + String.format("%06d", chunk);
  }

  static Path tmpChunkDir(Path store, int chunk) {
    return store.resolve(CHUNKS).resolve(String.format("%06d", chunk) + TMP);
  }

  static String matrixFile(HookName hook, StoreDtype dtype) {
    return hook + "." + dtype.extension();
  }

  static String sentenceFile(SentenceRep rep, HookName hook, StoreDtype dtype) {
    return rep.label() + "." + hook + "." + dtype.extension();
  }

  static Path snippetColumn(Path store) {
    return store.resolve(COLUMNS).resolve("snippet.i32");
  }

  static Path flagsColumn(Path store) {
    return store.resolve(COLUMNS).resolve("flags.u8");
  }

  /**
   * The label file of task number {@code index}: {@code labels/{index}.{safe name}.{i32|f32}}
   * (the index keeps names that differ only in unsafe characters apart).
   */
  static Path labelFile(Path store, int index, TaskSpec task) {
    String safe = task.name().replaceAll("[^A-Za-z0-9_.\\-]", "_");
    return store
        .resolve(LABELS)
        .resolve(index + "." + safe + (task.kind() == TaskSpec.Kind.CATEGORICAL ? ".i32" : ".f32"));
  }

  /** Deletes {@code path} and everything below it, if it exists. */
  static void deleteTree(Path path) throws IOException {
    dev.neurolens.util.AtomicFiles.deleteTree(path);
  }
}
