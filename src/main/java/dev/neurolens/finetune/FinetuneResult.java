package dev.neurolens.finetune;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What one fine-tuning run did: {@code training.json} in the output directory (Jackson form,
 * snake_case). Written last, so its presence marks a finished run.
 *
 * <p>Usage: {@code FinetuneResult r = FinetuneResult.read(Path.of("tuned/training.json")); r.test().value()}
 *
 * @param freeze "none" or K
 * @param trainableParameters trainable encoder weights plus the head
 * @param totalParameters encoder weights (embeddings and blocks) plus the head
 * @param secondsPerEpoch mean training seconds per epoch (evaluation excluded)
 * @param secondsToBest training seconds until the end of the best epoch
 * @param zeroShot the test score before training (code search only), else null
 * @param dev the best epoch's dev score
 * @param test the test score of the exported (best) weights
 * @param weightsSha256 checksum of the exported encoder weights
 * @param resumedFromEpoch the epoch a resumed run started after (0 = a fresh run)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record FinetuneResult(int schemaVersion, String model, String modelChecksum, String task, DataInfo data,
    FinetuneOptions settings, String pooling, String freeze, long trainableParameters, long totalParameters,
    long headParameters, int epochsRun, int bestEpoch, boolean earlyStopped, List<Epoch> curve, double secondsPerEpoch,
    double secondsToBest, Score zeroShot, Score dev, Score test, long peakRssBytes, String weightsSha256,
    String modelDir, int resumedFromEpoch) {

  /** The schema of training.json. */
  public static final int SCHEMA_VERSION = 1;

  /** Sizes and labels of the data. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record DataInfo(String source, int train, int dev, int test, int available, List<String> labels,
      long trainTokens) {}

  /**
   * A score: the main metric and all metrics of the evaluation.
   *
   * @param metric e.g. "mrr", "macro_f1", "f1"
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Score(String metric, double value, Map<String, Double> all) {}

  /** One epoch of the learning curve. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Epoch(int epoch, double trainLoss, Score dev, double trainSeconds, double evalSeconds,
      double tokensPerSecond, int steps) {}

  /** Reads a training.json; throws {@link NeuroLensException} naming the file when it is not one. */
  public static FinetuneResult read(Path file) {
    try {
      return Json.MAPPER.treeToValue(Json.readObject(file, "run `neurolens finetune` first"), FinetuneResult.class);
    } catch (IOException e) {
      throw new NeuroLensException(file + ": not a training.json (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
    }
  }
}
