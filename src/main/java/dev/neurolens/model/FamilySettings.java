package dev.neurolens.model;

import dev.neurolens.util.NeuroLensException;

/**
 * The settings only some families have, next to the common ones of {@link ModelConfig}.
 *
 * <p>BERT, RoBERTa and GPT-2 carry {@link None}; Llama carries {@link Llama}; T5 {@link T5}.
 *
 * <p>Usage: {@code if (config.settings() instanceof FamilySettings.Llama l) { int kv = l.numKvHeads(); }}
 */
public sealed interface FamilySettings {

  /** No family-specific settings. */
  record None() implements FamilySettings {}

  /**
   * Llama attention settings.
   *
   * @param numKvHeads key/value heads (grouped-query attention); divides the query heads
   * @param ropeTheta base of the rotary frequencies ({@code rope_theta})
   * @param ropeScaling linear rope scaling factor: positions are divided by it (1 = none)
   */
  record Llama(int numKvHeads, double ropeTheta, double ropeScaling) implements FamilySettings {
    public Llama {
      if (numKvHeads <= 0) {
        throw new NeuroLensException("num_key_value_heads must be > 0, found " + numKvHeads);
      }
      if (!(ropeTheta > 0) || Double.isInfinite(ropeTheta)) {
        throw new NeuroLensException("rope_theta must be a finite number > 0, found " + ropeTheta);
      }
      if (!(ropeScaling > 0) || Double.isInfinite(ropeScaling)) {
        throw new NeuroLensException("rope_scaling.factor must be a finite number > 0, found " + ropeScaling);
      }
    }
  }

  /**
   * T5 encoder settings.
   *
   * @param numBuckets relative-position buckets ({@code relative_attention_num_buckets}), half of
   *     them for keys after the query
   * @param maxDistance relative distance at which the last bucket starts
   *     ({@code relative_attention_max_distance})
   * @param gated whether the feed-forward layer is gated ({@code feed_forward_proj} "gated-*")
   */
  record T5(int numBuckets, int maxDistance, boolean gated) implements FamilySettings {
    public T5 {
      if (numBuckets < 4 || numBuckets % 2 != 0) {
        throw new NeuroLensException("relative_attention_num_buckets must be an even number >= 4, found " + numBuckets);
      }
      if (maxDistance <= numBuckets / 4) {
        throw new NeuroLensException("relative_attention_max_distance (" + maxDistance
            + ") must exceed relative_attention_num_buckets / 4 (" + numBuckets / 4 + ")");
      }
    }
  }

  /** The settings a family has when a config does not say otherwise. */
  static FamilySettings defaults(Family family, int numHeads) {
    if (family == null) {
      return new None();
    }
    return switch (family) {
      case LLAMA -> new Llama(numHeads, 10_000, 1);
      case T5 -> new T5(32, 128, false);
      default -> new None();
    };
  }
}
