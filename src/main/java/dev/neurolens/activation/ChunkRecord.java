package dev.neurolens.activation;

import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.file.Path;

/** {@code chunk.json}: where a chunk sits in the store and how much it holds. */
record ChunkRecord(int rows, int snippets, int firstRow, int firstSnippet) {

  void write(Path chunkDir) {
    Json.writeAtomically(chunkDir.resolve(StoreFiles.CHUNK_JSON), this);
  }

  static ChunkRecord read(Path chunkDir) {
    Path file = chunkDir.resolve(StoreFiles.CHUNK_JSON);
    try {
      return Json.MAPPER.readValue(file.toFile(), ChunkRecord.class);
    } catch (IOException e) {
      throw new NeuroLensException(file + ": missing or unreadable chunk record (" + NeuroLensException.reason(e) + ")", e);
    }
  }
}
