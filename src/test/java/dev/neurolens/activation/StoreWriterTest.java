package dev.neurolens.activation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.util.NeuroLensException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreWriterTest {
  private static final long SEED = 5;

  @TempDir Path tmp;

  private static long completeChunks(Path dir) throws Exception {
    Path chunks = dir.resolve(StoreFiles.CHUNKS);
    if (!Files.isDirectory(chunks)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(chunks)) {
      return s.filter(p -> !p.getFileName().toString().endsWith(StoreFiles.TMP)).count();
    }
  }

  @Test
  void resume_afterKill9OfChildProcess_givesByteIdenticalStore() throws Exception {
    int count = 300;
    StoreSpec spec = Synthetic.spec(StoreDtype.FLOAT16, 12);
    Path reference = tmp.resolve("reference");
    Synthetic.write(reference, spec, SEED, count, 0);

    Path crashed = tmp.resolve("crashed");
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-cp",
                cp,
                StoreCrashChild.class.getName(),
                crashed.toString(),
                "float16",
                "12",
                Long.toString(SEED),
                Integer.toString(count),
                "15")
            .redirectErrorStream(true)
            .redirectOutput(new File(tmp.resolve("child.log").toString()))
            .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (completeChunks(crashed) < 4 && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(child.isAlive(), "child ended before it could be killed: "
          + Files.readString(tmp.resolve("child.log")));
    } finally {
      child.destroyForcibly(); // SIGKILL on Linux
      child.waitFor(30, TimeUnit.SECONDS);
    }
    assertFalse(StoreManifest.read(crashed).complete(), "the child must not have finished");
    long before = completeChunks(crashed);
    assertTrue(before >= 4 && before < 20, "chunks at kill time: " + before);

    try (StoreWriter w = StoreWriter.open(crashed, spec, StoreWriter.Mode.CREATE_OR_RESUME)) {
      assertTrue(w.completedSnippets() > 0 && w.completedSnippets() < count);
    }
    Synthetic.write(crashed, spec, SEED, count, 0);
    StoreTestSupport.assertSameFiles(reference, crashed);
  }

  /**
   * Chunks are committed on a background thread: a commit that fails there (the chunk's final
   * directory is taken) is reported by the next append or by finish, naming the chunk, and the
   * store is not complete.
   */
  @Test
  void finish_afterBackgroundCommitFailed_reportsItAndLeavesStoreUnfinished() throws Exception {
    StoreSpec spec = Synthetic.spec(StoreDtype.FLOAT16, 10);
    Path dir = tmp.resolve("commit-fails");
    try (StoreWriter w = StoreWriter.open(dir, spec, StoreWriter.Mode.CREATE_OR_RESUME)) {
      Path taken = StoreFiles.chunkDir(dir, 1);
      Files.createDirectories(taken);
      Files.writeString(taken.resolve("in-the-way"), "x");
      RuntimeException e = assertThrows(RuntimeException.class, () -> {
        for (int i = 0; i < 40; i++) {
          w.append(Synthetic.snippet(SEED, i));
        }
        w.finish();
      });
      assertTrue(e.getMessage().contains(taken.toString()), e.getMessage());
    } catch (java.io.UncheckedIOException closing) {
      throw new AssertionError("close after a reported failure must not throw again", closing);
    }
    assertFalse(StoreManifest.read(dir).complete());
    assertTrue(Files.isDirectory(StoreFiles.chunkDir(dir, 0)), "the chunk before the failed one was committed");
  }

  @Test
  void resume_afterAbandonedWriter_givesByteIdenticalStore() throws Exception {
    StoreSpec spec = Synthetic.spec(StoreDtype.FLOAT32, 10);
    Path reference = tmp.resolve("ref");
    Synthetic.write(reference, spec, SEED, 40, 0);
    Path dir = tmp.resolve("partial");
    try (StoreWriter w = StoreWriter.open(dir, spec, StoreWriter.Mode.CREATE_OR_RESUME)) {
      for (int i = 0; i < 23; i++) {
        w.append(Synthetic.snippet(SEED, i));
      }
    }
    Synthetic.write(dir, spec, SEED, 40, 0);
    StoreTestSupport.assertSameFiles(reference, dir);
  }

  @Test
  void open_completeStoreWithoutOverwrite_failsAndKeepsFiles() throws Exception {
    StoreSpec spec = Synthetic.spec(StoreDtype.FLOAT16, 10);
    Path dir = tmp.resolve("done");
    Synthetic.write(dir, spec, SEED, 20, 0);
    var before = StoreTestSupport.files(dir);
    NeuroLensException e =
        assertThrows(
            NeuroLensException.class,
            () -> StoreWriter.open(dir, spec, StoreWriter.Mode.CREATE_OR_RESUME));
    assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
    assertEquals(before.keySet(), StoreTestSupport.files(dir).keySet());
  }

  @Test
  void open_overwrite_replacesStore() throws Exception {
    Path dir = tmp.resolve("over");
    Synthetic.write(dir, Synthetic.spec(StoreDtype.FLOAT16, 10), SEED, 20, 0);
    StoreSpec other = Synthetic.spec(StoreDtype.FLOAT32, 10);
    try (StoreWriter w = StoreWriter.open(dir, other, StoreWriter.Mode.OVERWRITE)) {
      w.append(Synthetic.snippet(SEED, 1));
      w.finish();
    }
    try (ActivationStore s = ActivationStore.open(dir)) {
      assertEquals(StoreDtype.FLOAT32, s.spec().dtype());
      assertEquals(Synthetic.snippet(SEED, 1).size(), s.tokenCount());
    }
  }

  @Test
  void open_unfinishedStoreOfOtherModel_failsNamingTheField() throws Exception {
    Path dir = tmp.resolve("unfinished");
    StoreSpec spec = Synthetic.spec(StoreDtype.FLOAT16, 10);
    try (StoreWriter w = StoreWriter.open(dir, spec, StoreWriter.Mode.CREATE_OR_RESUME)) {
      w.append(Synthetic.snippet(SEED, 0));
    }
    StoreSpec other =
        StoreSpec.builder()
            .setModel("tiny-test", "sha256:other")
            .addHook(Synthetic.HOOKS.get(0), 4)
            .build();
    NeuroLensException e =
        assertThrows(
            NeuroLensException.class,
            () -> StoreWriter.open(dir, other, StoreWriter.Mode.CREATE_OR_RESUME));
    assertTrue(e.getMessage().contains("manifest.json"), e.getMessage());
    assertTrue(e.getMessage().contains("model weight checksum"), e.getMessage());
    assertTrue(e.getMessage().contains("sha256:other"), e.getMessage());
  }

  @Test
  void open_nonEmptyForeignDirectory_failsEvenWithOverwrite() throws Exception {
    Path dir = tmp.resolve("mine");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("notes.txt"), "keep me");
    for (StoreWriter.Mode mode : StoreWriter.Mode.values()) {
      NeuroLensException e =
          assertThrows(
              NeuroLensException.class,
              () -> StoreWriter.open(dir, Synthetic.spec(StoreDtype.FLOAT16, 10), mode));
      assertTrue(e.getMessage().contains("not an activation store"), e.getMessage());
    }
    assertEquals(List.of("notes.txt"), Files.list(dir).map(p -> p.getFileName().toString()).toList());
  }

  @Test
  void append_snippetNotMatchingSpec_isRejected() throws Exception {
    StoreSpec spec =
        StoreSpec.builder().setModel("m", "c").addHook(Synthetic.HOOKS.get(0), 4).build();
    try (StoreWriter w = StoreWriter.open(tmp.resolve("x"), spec, StoreWriter.Mode.CREATE_OR_RESUME)) {
      assertThrows(IllegalArgumentException.class, () -> w.append(Synthetic.snippet(SEED, 1)));
    }
  }
}
