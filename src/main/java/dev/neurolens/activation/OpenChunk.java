package dev.neurolens.activation;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The chunk a {@link StoreWriter} is writing, in {@code chunks/NNNNNN.tmp/}: one file per matrix
 * plus the two JSON-lines files; {@link #closeAndRename} makes it durable under its final name.
 */
final class OpenChunk {
  /** Buffer of a token-matrix file (per hook), and of a sentence-vector file. */
  private static final int TOKEN_BUFFER = 1 << 18;
  private static final int SENTENCE_BUFFER = 1 << 15;

  private final Path dir;
  private final StoreSpec spec;
  final int index;
  final int firstRow;
  final int firstSnippet;
  final Path tmp;
  final ChunkFile[] tokenFiles;
  final ChunkFile[] firstFiles;
  final ChunkFile[] meanFiles;
  final BufferedWriter tokens;
  final BufferedWriter snippetLines;
  int rows;
  int snippets;

  OpenChunk(Path dir, StoreSpec spec, ChunkFile.Pool buffers, int index, int firstRow, int firstSnippet)
      throws IOException {
    this.dir = dir;
    this.spec = spec;
    this.index = index;
    this.firstRow = firstRow;
    this.firstSnippet = firstSnippet;
    this.tmp = StoreFiles.tmpChunkDir(dir, index);
    StoreFiles.deleteTree(tmp);
    Files.createDirectories(tmp);
    int h = spec.hooks().size();
    tokenFiles = new ChunkFile[h];
    firstFiles = new ChunkFile[h];
    meanFiles = new ChunkFile[h];
    for (int i = 0; i < h; i++) {
      tokenFiles[i] = new ChunkFile(
          tmp.resolve(StoreFiles.matrixFile(spec.hooks().get(i), spec.dtype())), TOKEN_BUFFER, buffers);
      firstFiles[i] = new ChunkFile(tmp.resolve(
          StoreFiles.sentenceFile(spec.sentencePosition(), spec.hooks().get(i), spec.dtype())), SENTENCE_BUFFER, buffers);
      meanFiles[i] = new ChunkFile(tmp.resolve(
          StoreFiles.sentenceFile(SentenceRep.MEAN, spec.hooks().get(i), spec.dtype())), SENTENCE_BUFFER, buffers);
    }
    tokens = Files.newBufferedWriter(tmp.resolve(StoreFiles.TOKENS), StandardCharsets.UTF_8);
    snippetLines =
        Files.newBufferedWriter(tmp.resolve(StoreFiles.SNIPPETS), StandardCharsets.UTF_8);
  }

  void write(SnippetActivations s) throws IOException {
    for (int h = 0; h < tokenFiles.length; h++) {
      if (spec.dtype() == StoreDtype.FLOAT16 && s.halfRows() != null) {
        tokenFiles[h].putHalves(s.halfRows()[h]);
      } else {
        tokenFiles[h].putFloats(s.rowsOf(h), spec.dtype());
      }
      firstFiles[h].putFloats(s.firstOf(h), spec.dtype());
      meanFiles[h].putFloats(s.meanOf(h), spec.dtype());
    }
    for (StoredToken t : s.tokens()) {
      tokens.write(StoreWriter.LINE.writeValueAsString(t));
      tokens.write('\n');
    }
    StoredSnippet meta =
        new StoredSnippet(s.id(), s.source(), firstRow + rows, s.size(), s.labels());
    snippetLines.write(StoreWriter.LINE.writeValueAsString(meta));
    snippetLines.write('\n');
    rows += s.size();
    snippets++;
  }

  void closeAndRename() throws IOException {
    closeFiles(ChunkFile::finish);
    new ChunkRecord(rows, snippets, firstRow, firstSnippet).write(tmp);
    Files.move(tmp, StoreFiles.chunkDir(dir, index), StandardCopyOption.ATOMIC_MOVE);
  }

  void abandon() throws IOException {
    closeFiles(ChunkFile::abandon);
    StoreFiles.deleteTree(tmp);
  }

  /** What happens to a matrix file: flushed and kept, or dropped. */
  private interface FileEnd {
    void apply(ChunkFile f) throws IOException;
  }

  /** Ends every matrix file with {@code end}, then closes the two JSON-lines files. */
  private void closeFiles(FileEnd end) throws IOException {
    for (ChunkFile[] group : List.of(tokenFiles, firstFiles, meanFiles)) {
      for (ChunkFile f : group) {
        end.apply(f);
      }
    }
    tokens.close();
    snippetLines.close();
  }
}
