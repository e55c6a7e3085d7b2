package dev.neurolens.ablation;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Outcome of a model-level ablation ({@link ModelAblation}).
 *
 * <p>Usage: {@code double cka = ModelAblation.run(model, codes, neurons, options).target().cka()}
 *
 * @param model model id
 * @param mode {@code zero} or {@code mean}
 * @param snippets number of code snippets evaluated
 * @param tokens number of real (non-pad) tokens the representation measures range over
 * @param neurons number of ablated neurons (over all hooks)
 * @param perHook hook name -> number of ablated neurons there
 * @param maskedTokens masked positions of the masked-LM loss (0 without a masked-LM head)
 * @param cleanLoss masked-LM loss (mean nats per masked token) of the clean model, or null
 * @param target effect of ablating the given set
 * @param random effect of ablating as many seeded random neurons at the same hooks, or null
 */
public record ModelAblationResult(
    String model,
    String mode,
    int snippets,
    long tokens,
    int neurons,
    Map<String, Integer> perHook,
    int maskedTokens,
    Double cleanLoss,
    Effect target,
    Effect random) {

  public ModelAblationResult {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(target, "target");
    if (snippets < 1 || tokens < 1 || neurons < 0 || maskedTokens < 0) {
      throw new IllegalArgumentException(
          "model ablation result: counts must be positive, found snippets=" + snippets + " tokens=" + tokens);
    }
    perHook = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(perHook));
  }

  /**
   * The change caused by one ablation.
   *
   * @param loss masked-LM loss with the ablation, or null without a masked-LM head
   * @param lossDelta {@code loss - cleanLoss}, or null
   * @param cka linear CKA between clean and ablated last hidden states over real tokens (1 =
   *     same up to rotation and scale)
   * @param meanCosine mean over real tokens of the cosine of clean and ablated hidden vectors
   */
  public record Effect(Double loss, Double lossDelta, double cka, double meanCosine) {
    public Effect {
      if (Double.isNaN(cka) || Double.isNaN(meanCosine)) {
        throw new IllegalArgumentException("ablation effect: cka/cosine must not be NaN");
      }
    }
  }
}
