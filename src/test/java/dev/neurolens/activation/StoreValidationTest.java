package dev.neurolens.activation;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.util.NeuroLensException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreValidationTest {
  @TempDir Path tmp;
  Path dir;

  @BeforeEach
  void writeStore() throws Exception {
    dir = tmp.resolve("store");
    Synthetic.write(dir, Synthetic.spec(StoreDtype.FLOAT16, 10), 3, 30, 0);
    ActivationStore.open(dir).close();
  }

  private String openError() {
    return assertThrows(NeuroLensException.class, () -> ActivationStore.open(dir)).getMessage();
  }

  private static void assertMentions(String message, String... parts) {
    for (String p : parts) {
      assertTrue(message.contains(p), "'" + message + "' should mention '" + p + "'");
    }
  }

  @Test
  void open_missingChunk_namesTheChunk() throws Exception {
    StoreFiles.deleteTree(StoreFiles.chunkDir(dir, 2));
    assertMentions(openError(), "chunks/000002", "missing chunk 2");
  }

  @Test
  void open_truncatedMatrix_namesFileAndSizes() throws Exception {
    Path f = StoreFiles.chunkDir(dir, 1).resolve("blocks.0.resid_post.f16");
    long size = Files.size(f);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.truncate(size - 3);
    }
    assertMentions(openError(), f.toString(), "truncated", Long.toString(size - 3), Long.toString(size));
  }

  @Test
  void open_labelsNotMatchingTokens_namesLabelFile() throws Exception {
    Path f = dir.resolve("labels/0.kind.i32");
    byte[] b = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(b, b.length - 8));
    assertMentions(openError(), f.toString(), "labels for", "tokens");
  }

  @Test
  void open_otherFormatVersion_namesVersion() throws Exception {
    Path m = dir.resolve("manifest.json");
    Files.writeString(m, Files.readString(m).replace("\"formatVersion\" : 1", "\"formatVersion\" : 7"));
    assertMentions(openError(), "manifest.json", "format version 7");
  }

  @Test
  void open_unfinishedStore_saysToResume() throws Exception {
    Path m = dir.resolve("manifest.json");
    Files.writeString(m, Files.readString(m).replace("\"complete\" : true", "\"complete\" : false"));
    assertMentions(openError(), "manifest.json", "unfinished");
  }

  @Test
  void open_notAStore_saysSo() throws Exception {
    dir = tmp.resolve("empty");
    Files.createDirectories(dir);
    assertMentions(openError(), "not an activation store");
  }

  @Test
  void requireModel_otherModel_namesBothModels() throws Exception {
    try (ActivationStore s = ActivationStore.open(dir)) {
      String msg =
          assertThrows(NeuroLensException.class, () -> s.requireModel("codebert", "sha256:abc"))
              .getMessage();
      assertMentions(msg, "tiny-test", "codebert");
      s.requireModel("tiny-test", "sha256:abc");
    }
  }
}
