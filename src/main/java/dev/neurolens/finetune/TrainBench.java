package dev.neurolens.finetune;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.TokenBatch;
import dev.neurolens.model.bert.TrainableBert;
import dev.neurolens.util.ProcStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code bench train}: training tokens/s (forward + backward + AdamW step, a classification head
 * on mean pooling, dropout 0.1) next to inference forward tokens/s on the same shapes (random
 * token ids, no padding), measured alternately in one run; peak RSS.
 *
 * <p>Usage: {@code TrainBench.Result r = TrainBench.run(model, 16, 128, TrainableBert.FREEZE_NONE, 5, 1)}
 */
public final class TrainBench {
  private TrainBench() {}

  /** Figures of one benchmark. */
  @com.fasterxml.jackson.databind.annotation.JsonNaming(com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Result(int batch, int seq, String freeze, long trainableParameters, long totalParameters,
      double forwardTokensPerS, double trainTokensPerS, double ratio, long peakRssBytes) {}

  /** Runs {@code rounds} rounds, each one forward batch and one training step, after one warm-up round. */
  public static Result run(EncoderModel model, int batch, int seq, int freeze, int rounds, long seed) {
    Random r = new Random(seed);
    int vocab = model.config().vocabSize();
    List<int[]> rows = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      int[] ids = new int[seq];
      for (int j = 0; j < seq; j++) {
        ids[j] = r.nextInt(vocab);
      }
      rows.add(ids);
    }
    TokenBatch tb = new TokenBatch(rows);
    int[] labels = new int[batch];
    for (int i = 0; i < batch; i++) {
      labels[i] = r.nextInt(2);
    }
    Engine.getEngine("PyTorch").setRandomSeed((int) seed);
    double fwd = 0;
    double train = 0;
    try (TrainableBert enc = TrainableBert.of(model, freeze, 0.1f, Map.of());
        LinearHead head = new LinearHead(2, model.config().hiddenSize(), seed, Map.of());
        AdamW adam = new AdamW(0.01f);
        NDManager base = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      enc.trainable().forEach((n, a) -> adam.add(n, a, 1f));
      head.params.forEach((n, a) -> adam.add(n, a, 50f));
      for (int round = 0; round <= rounds; round++) {
        long t0 = System.nanoTime();
        try (NDManager m = base.newSubManager()) {
          model.forward(m, tb).close();
        }
        long t1 = System.nanoTime();
        try (NDManager m = base.newSubManager()) {
          try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray h = enc.forward(m, tb, true).mean(new int[] {1});
            NDArray loss = Losses.crossEntropy(head.logits(h), labels);
            gc.backward(loss);
          }
          adam.step(2e-5f, 1f);
        }
        long t2 = System.nanoTime();
        if (round > 0) {
          fwd += (t1 - t0) / 1e9;
          train += (t2 - t1) / 1e9;
        }
      }
      long tokens = (long) batch * seq * rounds;
      return new Result(batch, seq, TrainableBert.describeFreeze(freeze), enc.trainableCount() + head.count(),
          enc.totalCount() + head.count(), tokens / fwd, tokens / train, (tokens / train) / (tokens / fwd),
          ProcStatus.bytes("VmHWM"));
    }
  }
}
