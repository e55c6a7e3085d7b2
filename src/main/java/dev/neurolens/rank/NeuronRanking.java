package dev.neurolens.rank;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.neurolens.probe.LayerLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A ranking of neurons, most important first.
 *
 * <p>Usage: {@code NeuronRanking r = LcaRanker.ordering(probe);
 * List<NeuronRanking.NeuronRef> top = r.neurons(layout, 10)}
 *
 * @param method how it was made: {@code lca}, {@code lca-granular}, {@code probeless},
 *     {@code gaussian}, {@code ap}, {@code random}
 * @param ordering original feature ids (layer * D + index), a permutation of the ranked features
 * @param scores the score of each ordering entry (same length), or null when the method has none
 * @param cutoffs ordering lengths after each step of the method's sweep (LCA: one per percentage
 *     step; granular: one per chunk), empty otherwise
 * @param perClass per class name, that class's own ranking (feature ids, most important first);
 *     may be empty
 * @param parameters the method's settings (stride, seed, k, ...) as text, for provenance
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NeuronRanking(
    String method,
    int[] ordering,
    double[] scores,
    int[] cutoffs,
    Map<String, int[]> perClass,
    Map<String, String> parameters) {

  /** One ranked neuron located in the network. */
  public record NeuronRef(int feature, int layer, int index, String hook) {}

  public NeuronRanking {
    ordering = ordering.clone();
    Set<Integer> seen = new HashSet<>();
    for (int id : ordering) {
      if (!seen.add(id)) {
        throw new IllegalArgumentException("ranking " + method + ": feature " + id + " appears twice");
      }
    }
    if (scores != null && scores.length != ordering.length) {
      throw new IllegalArgumentException(
          "ranking " + method + ": " + scores.length + " scores for " + ordering.length + " neurons");
    }
    scores = scores == null ? null : scores.clone();
    cutoffs = cutoffs == null ? new int[0] : cutoffs.clone();
    Map<String, int[]> pc = new LinkedHashMap<>();
    if (perClass != null) {
      perClass.forEach((k, v) -> pc.put(k, v.clone()));
    }
    perClass = java.util.Collections.unmodifiableMap(pc);
    parameters = parameters == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
  }

  @Override
  public int[] ordering() {
    return ordering.clone();
  }

  @Override
  public double[] scores() {
    return scores == null ? null : scores.clone();
  }

  @Override
  public int[] cutoffs() {
    return cutoffs.clone();
  }

  /** Number of ranked neurons. */
  public int size() {
    return ordering.length;
  }

  /** The first {@code k} feature ids. */
  public int[] top(int k) {
    return java.util.Arrays.copyOf(ordering, check(k));
  }

  /** The last {@code k} feature ids (least important first is NOT implied: ordering order kept). */
  public int[] bottom(int k) {
    return java.util.Arrays.copyOfRange(ordering, ordering.length - check(k), ordering.length);
  }

  /** The top {@code round(fraction * size)} ids, at least one. */
  public int[] topFraction(double fraction) {
    return top(countFor(fraction, ordering.length));
  }

  /** {@code round(fraction * n)}, at least 1 and at most n. */
  public static int countFor(double fraction, int n) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new dev.neurolens.util.NeuroLensException(
          "neuron fraction must be in (0, 1], found " + fraction);
    }
    return (int) Math.max(1, Math.min(n, Math.round(fraction * n)));
  }

  /** The first {@code k} neurons as (feature, layer, index, hook). */
  public List<NeuronRef> neurons(LayerLayout layout, int k) {
    List<NeuronRef> refs = new ArrayList<>();
    for (int id : top(k)) {
      int layer = layout.layerOf(id);
      refs.add(new NeuronRef(id, layer, layout.indexOf(id), layout.hookName(layer)));
    }
    return refs;
  }

  /** How many of the first {@code k} neurons fall in each layer (length L). */
  public int[] layerDistribution(LayerLayout layout, int k) {
    int[] counts = new int[layout.numLayers()];
    for (int id : top(k)) {
      counts[layout.layerOf(id)]++;
    }
    return counts;
  }

  private int check(int k) {
    if (k < 0 || k > ordering.length) {
      throw new IllegalArgumentException("k must be in 0.." + ordering.length + ", found " + k);
    }
    return k;
  }
}
