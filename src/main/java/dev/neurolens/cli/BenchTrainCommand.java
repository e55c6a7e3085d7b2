package dev.neurolens.cli;

import dev.neurolens.finetune.TrainBench;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.GemmPath;
import dev.neurolens.model.Models;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code neurolens bench train}: training tokens/s next to forward tokens/s on the same shapes; peak RSS. */
@Command(name = "train", description = "Training tokens/s (forward + backward + AdamW step) vs forward tokens/s; peak RSS.")
final class BenchTrainCommand implements Callable<Integer> {
  @Mixin OutputOptions out;

  @Option(names = "--model", defaultValue = "default", description = "Model (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--freeze", defaultValue = "none", description = "'none' or K frozen bottom blocks (default: ${DEFAULT-VALUE}).")
  String freeze;

  @Option(names = "--batch", defaultValue = "16", description = "Rows per batch (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--seq", defaultValue = "128", description = "Tokens per row (default: ${DEFAULT-VALUE}).")
  int seq;

  @Option(names = "--rounds", defaultValue = "5", description = "Measured rounds, after one warm-up (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the random token ids.")
  long seed;

  @Override
  public Integer call() {
    OutPaths.atLeast("--batch", batch, 1);
    OutPaths.atLeast("--seq", seq, 2);
    OutPaths.atLeast("--rounds", rounds, 1);
    int k = FinetuneArgs.freeze(freeze);
    try (EncoderModel m = Models.load(model)) {
      GemmPath gemm = GemmPath.detect();
      out.info("bench train " + m.id() + ": batch " + batch + " x seq " + seq + ", freeze " + freeze + "; " + gemm.summary());
      TrainBench.Result r = TrainBench.run(m, batch, seq, k, rounds, seed);
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("model", m.id());
      j.put("result", r);
      j.put("gemm", gemm.toJson());
      out.emit(j, String.format(Locale.ROOT,
          "freeze %s (%,d of %,d parameters trainable): training %.0f tokens/s, forward %.0f tokens/s, ratio %.2f; peak RSS %.2f GB",
          r.freeze(), r.trainableParameters(), r.totalParameters(), r.trainTokensPerS(), r.forwardTokensPerS(), r.ratio(),
          r.peakRssBytes() / 1e9));
    }
    return 0;
  }
}
