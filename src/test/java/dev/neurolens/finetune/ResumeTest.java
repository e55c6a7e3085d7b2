package dev.neurolens.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.TinyModels;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run killed with SIGKILL and started again ends with the weights of an uninterrupted run. */
class ResumeTest {
  static Datasets.Dataset data() {
    return Datasets.split(DownstreamTask.parse("classify"), "synthetic", FineTunerTest.separable(900, 8),
        new Datasets.Sizes(50, 50, 0), 2);
  }

  static FinetuneOptions options() {
    // dropout on: the resumed run must also replay the random masks
    return FineTunerTest.tinyOptions().withEpochs(8).withDropout(0.1f).withPatience(8);
  }

  @Test
  void killedAfterACheckpoint_resumes_toTheUninterruptedWeights(@TempDir Path dir) throws Exception {
    Path crashed = dir.resolve("crashed");
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), FinetuneCrashChild.class.getName(), crashed.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    Path ck = crashed.resolve("checkpoints");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && child.isAlive() && !Files.isDirectory(ck.resolve("epoch-2"))) {
      Thread.sleep(5);
    }
    assertTrue(child.isAlive(), "the child ended before it could be killed: " + Files.readString(dir.resolve("child.log")));
    child.destroyForcibly(); // SIGKILL
    child.waitFor(30, TimeUnit.SECONDS);
    assertTrue(Files.isDirectory(ck.resolve("epoch-2")), "no checkpoint was written");
    assertTrue(!Files.exists(crashed.resolve("training.json")), "the killed run must not look finished");

    try (EncoderModel model = TinyModels.random(11)) {
      FinetuneResult resumed = FineTuner.run(model, data(), options(), crashed, s -> { });
      FinetuneResult straight = FineTuner.run(model, data(), options(), dir.resolve("straight"), s -> { });
      assertTrue(resumed.resumedFromEpoch() >= 2, "resumed from " + resumed.resumedFromEpoch());
      assertEquals(0, straight.resumedFromEpoch());
      assertEquals(straight.weightsSha256(), resumed.weightsSha256());
      assertEquals(straight.test().value(), resumed.test().value(), 0.0);
      assertEquals(straight.curve().size(), resumed.curve().size());
    }
  }

  @Test
  void otherSettings_onAnUnfinishedRun_areRefused_andAFinishedRunIsNotOverwritten(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    try (EncoderModel model = TinyModels.random(11)) {
      FineTuner.run(model, data(), options().withEpochs(1), out, s -> { });
      NeuroLensException e = org.junit.jupiter.api.Assertions.assertThrows(NeuroLensException.class,
          () -> FineTuner.run(model, data(), options().withEpochs(1), out, s -> { }));
      assertTrue(e.getMessage().contains("finished fine-tuning run"), e.getMessage());
      // a checkpoint left by a run with other settings
      Path other = dir.resolve("other");
      Files.createDirectories(other.resolve("checkpoints/epoch-1"));
      Files.writeString(other.resolve("checkpoints/epoch-1/state.json"),
          "{\"fingerprint\":\"abc\",\"epoch\":1,\"steps\":3,\"best_epoch\":1,\"best_dev\":0.5,\"since_best\":0,\"curve\":[],\"zero_shot\":null}");
      NeuroLensException e2 = org.junit.jupiter.api.Assertions.assertThrows(NeuroLensException.class,
          () -> FineTuner.run(model, data(), options(), other, s -> { }));
      assertTrue(e2.getMessage().contains("other settings"), e2.getMessage());
    }
  }
}
