package dev.neurolens.redundancy;

import java.util.Objects;

/**
 * Settings of correlation clustering.
 *
 * <p>Usage: {@code new ClusterOptions(ClusterOptions.Distance.ABS, ClusterOptions.Representative.CENTRE, 42)}
 *
 * @param distance 1 − |r| (default) or 1 − r
 * @param representative how one neuron per cluster is kept
 * @param seed seed of the random representative choice (recorded with the result)
 */
public record ClusterOptions(Distance distance, Representative representative, long seed) {

  /** The distance between two neurons with correlation r. */
  public enum Distance {
    /** 1 − |r|: anti-correlated neurons are redundant too (NeuroX). */
    ABS,
    /** 1 − r, in [0, 2]. */
    SIGNED
  }

  /** How the one kept neuron of each cluster is chosen. */
  public enum Representative {
    /** Uniformly at random with the seed (NeuroX picks at random without a seed). */
    RANDOM,
    /**
     * The member with the highest mean similarity (|r| or r) to the other members; ties (all
     * clusters of one or two) broken at random with the seed, so no layer is favoured.
     */
    CENTRE
  }

  public ClusterOptions {
    Objects.requireNonNull(distance, "distance");
    Objects.requireNonNull(representative, "representative");
  }

  /** 1 − |r|, centre representatives, seed 42. */
  public static ClusterOptions defaults() {
    return new ClusterOptions(Distance.ABS, Representative.CENTRE, 42L);
  }

  float distance(float r) {
    return distance == Distance.ABS ? 1f - Math.abs(r) : 1f - r;
  }
}
