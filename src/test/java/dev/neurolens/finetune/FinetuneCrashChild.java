package dev.neurolens.finetune;

import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.TinyModels;
import java.nio.file.Path;

/**
 * Child JVM for the kill -9 test: runs the resume test's fine-tuning into {@code args[0]}; the
 * parent kills it with SIGKILL once a checkpoint exists.
 */
public final class FinetuneCrashChild {
  private FinetuneCrashChild() {}

  public static void main(String[] args) {
    try (EncoderModel model = TinyModels.random(11)) {
      FineTuner.run(model, ResumeTest.data(), ResumeTest.options(), Path.of(args[0]), s -> { });
    }
  }
}
