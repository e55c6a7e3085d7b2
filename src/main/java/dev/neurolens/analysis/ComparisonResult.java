package dev.neurolens.analysis;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What fine-tuning changed between a base and a tuned model on the same tokens
 * ({@code compare.json}; also the {@code comparison} section of results.json).
 *
 * <p>Usage: {@code ComparisonResult c = ComparisonResult.read(Path.of("cmp/compare.json")); c.freezeAdvice().suggestedFreeze()}
 *
 * @param layers one entry per layer (0 = embeddings, l = block l-1's output)
 * @param tasks probes of both models per task, same split
 * @param relocation the top LCA neurons' layers in both models per task
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ComparisonResult(int schemaVersion, String base, String tuned, String baseChecksum,
    String tunedChecksum, int tokens, int snippets, int rsaSnippets, List<Layer> layers, List<TaskProbes> tasks,
    List<Relocation> relocation, FreezeAdvice freezeAdvice) {

  /** One layer's drift. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Layer(int layer, double rsaSpearman, double rsaPearson, double cka, double tokenCosine,
      double neuronSelfCorrelationMedian, double neuronSelfCorrelationBelowHalf) {}

  /**
   * Probes of one task on both models; {@code difference} = tuned minus base test score per layer.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record TaskProbes(String task, String metric, List<AnalysisResult.LayerScore> base,
      List<AnalysisResult.LayerScore> tuned, List<Double> difference) {}

  /**
   * Where the salient neurons of one task sit in each model.
   *
   * @param mass the LCA weight-mass share that selects the top neurons in both models
   * @param meanLayerShift tuned mean layer minus base mean layer (negative = towards the input)
   * @param topOverlap |base ∩ tuned| / |base ∪ tuned| of the two top sets (same neuron ids)
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Relocation(String task, double mass, int[] baseHistogram, int[] tunedHistogram, double baseMeanLayer,
      double tunedMeanLayer, double meanLayerShift, double topOverlap, int common) {}

  /**
   * The suggested freeze from the RSA curve.
   *
   * @param suggestedFreeze "none" or K: layers 0..K (embeddings and blocks 0..K-1) keep Spearman
   *     RSA >= threshold
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record FreezeAdvice(String metric, double threshold, String suggestedFreeze, String reason) {}

  /** Reads a compare.json. */
  public static ComparisonResult read(Path file) {
    try {
      return Json.MAPPER.treeToValue(Json.readObject(file, "run `neurolens compare` first"), ComparisonResult.class);
    } catch (IOException e) {
      throw new NeuroLensException(file + ": not a compare.json (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
    }
  }
}
