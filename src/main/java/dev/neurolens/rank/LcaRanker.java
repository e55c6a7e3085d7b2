package dev.neurolens.rank;

import dev.neurolens.util.Shuffle;
import dev.neurolens.probe.Probe;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Linguistic Correlation Analysis (Dalvi et al.) on the weights of a trained probe, as in
 * ALGORITHMS.md section 4: weight-mass top neurons, the full ordering with cutoffs, the granular
 * ordering, and the bottom / random / hard-threshold baselines. Classes whose weights are all zero
 * (dropped classes) select nothing. All ids returned are original feature ids.
 *
 * <p>Usage: {@code NeuronRanking r = LcaRanker.ordering(probe); int[] top = LcaRanker.topNeurons(probe, 0.05)}
 */
public final class LcaRanker {
  /** Search stride S of NeuroX's {@code get_neuron_ordering}. */
  public static final int DEFAULT_STRIDE = 100;
  /** Chunk size of the granular ordering. */
  public static final int DEFAULT_GRANULARITY = 50;

  private LcaRanker() {}

  /**
   * For each class c: sort |W[c]| descending and keep the shortest prefix whose cumulative sum
   * reaches {@code percentage * sum|W[c]|} (at least one neuron).
   *
   * @return class name -> feature ids, most important first
   */
  public static Map<String, int[]> topNeuronsPerClass(Probe probe, double percentage) {
    checkPercentage(percentage);
    Weights w = new Weights(probe);
    Map<String, int[]> out = new LinkedHashMap<>();
    for (int c = 0; c < w.classes; c++) {
      int len = w.prefix(c, percentage);
      int[] ids = new int[len];
      for (int i = 0; i < len; i++) {
        ids[i] = w.ids[w.sorted[c][i]];
      }
      out.put(probe.labelNames().get(c), ids);
    }
    return out;
  }

  /**
   * The union over classes of {@link #topNeuronsPerClass} ({@code get_top_neurons}), ordered by
   * max |weight| over classes, descending.
   */
  public static int[] topNeurons(Probe probe, double percentage) {
    checkPercentage(percentage);
    Weights w = new Weights(probe);
    boolean[] taken = new boolean[w.features];
    for (int c = 0; c < w.classes; c++) {
      int len = w.prefix(c, percentage);
      for (int i = 0; i < len; i++) {
        taken[w.sorted[c][i]] = true;
      }
    }
    return w.toIds(w.byMaxWeight(taken));
  }

  /**
   * The full ordering ({@code get_neuron_ordering}): for p = 0, 1/S, ..., 1 append the neurons new
   * in the top set for p, ordered inside the step by max |weight|; neurons never reached (zero
   * weight everywhere) are appended at the end, so the ordering is a permutation of all F
   * features. {@code cutoffs[i]} = ordering length after step i (S + 1 entries, plus F when
   * unreached neurons were appended).
   */
  public static NeuronRanking ordering(Probe probe, int stride) {
    checkStride(stride);
    Weights w = new Weights(probe);
    boolean[] taken = new boolean[w.features];
    List<Integer> order = new ArrayList<>();
    List<Integer> cutoffs = new ArrayList<>();
    w.sweep(w.allSorted(), stride, Integer.MAX_VALUE, taken, order, cutoffs);
    appendRest(w, taken, order, cutoffs);
    return ranking("lca", w, order, cutoffs, probe, Map.of("stride", Integer.toString(stride)));
  }

  /** {@link #ordering(Probe, int)} with the default stride 100. */
  public static NeuronRanking ordering(Probe probe) {
    return ordering(probe, DEFAULT_STRIDE);
  }

  /**
   * Granular ordering: chunks of {@code granularity} neurons. Each chunk is the first
   * {@code granularity} new neurons of a percentage sweep over the neurons not yet chosen, with the
   * weight mass of every class recomputed over those remaining neurons. {@code cutoffs} = ordering
   * length after each chunk.
   */
  public static NeuronRanking granularOrdering(Probe probe, int granularity, int stride) {
    checkStride(stride);
    if (granularity < 1) {
      throw new NeuroLensException("granularity must be >= 1, found " + granularity);
    }
    Weights w = new Weights(probe);
    boolean[] taken = new boolean[w.features];
    List<Integer> order = new ArrayList<>();
    List<Integer> cutoffs = new ArrayList<>();
    while (order.size() < w.features) {
      int before = order.size();
      int[][] remaining = new int[w.classes][];
      for (int c = 0; c < w.classes; c++) {
        remaining[c] = java.util.Arrays.stream(w.sorted[c]).filter(j -> !taken[j]).toArray();
      }
      w.sweep(remaining, stride, granularity, taken, order, new ArrayList<>());
      if (order.size() == before) {
        appendRest(w, taken, order, new ArrayList<>());
      }
      cutoffs.add(order.size());
    }
    return ranking(
        "lca-granular", w, order, cutoffs, probe,
        Map.of("granularity", Integer.toString(granularity), "stride", Integer.toString(stride)));
  }

  /**
   * Bottom neurons ({@code get_bottom_neurons}): per class, sort |W[c]| ascending and keep the
   * shortest prefix reaching {@code percentage} of the mass; the union, by max |weight| ascending.
   */
  public static int[] bottomNeurons(Probe probe, double percentage) {
    checkPercentage(percentage);
    Weights w = new Weights(probe);
    boolean[] taken = new boolean[w.features];
    for (int c = 0; c < w.classes; c++) {
      double cum = 0;
      for (int i = w.features - 1; i >= 0; i--) {
        int j = w.sorted[c][i];
        cum += w.abs[c][j];
        taken[j] = true;
        if (cum >= percentage * w.total[c]) {
          break;
        }
      }
    }
    int[] ids = w.toIds(w.byMaxWeight(taken));
    int[] rev = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      rev[i] = ids[ids.length - 1 - i];
    }
    return rev;
  }

  /**
   * Hard threshold ({@code get_top_neurons_hard_threshold}): per class the neurons with
   * |W[c][j]| > max_j |W[c][j]| / fraction; the union by max |weight| descending.
   */
  public static int[] hardThresholdNeurons(Probe probe, double fraction) {
    if (!(fraction > 0)) {
      throw new NeuroLensException("hard threshold fraction must be > 0, found " + fraction);
    }
    Weights w = new Weights(probe);
    boolean[] taken = new boolean[w.features];
    for (int c = 0; c < w.classes; c++) {
      double threshold = w.abs[c][w.sorted[c][0]] / fraction;
      for (int j = 0; j < w.features; j++) {
        if (w.abs[c][j] > threshold) {
          taken[j] = true;
        }
      }
    }
    return w.toIds(w.byMaxWeight(taken));
  }

  /** A uniformly random ordering of {@code featureIds} (the random baseline), seeded. */
  public static NeuronRanking random(int[] featureIds, long seed) {
    List<Integer> ids = new ArrayList<>();
    for (int id : featureIds) {
      ids.add(id);
    }
    Shuffle.inPlace(ids, new Random(seed));
    return new NeuronRanking(
        "random", ids.stream().mapToInt(Integer::intValue).toArray(), null, null, null,
        Map.of("seed", Long.toString(seed)));
  }

  private static void appendRest(Weights w, boolean[] taken, List<Integer> order, List<Integer> cutoffs) {
    int[] rest = w.byMaxWeight(notTaken(taken));
    for (int j : rest) {
      taken[j] = true;
      order.add(j);
    }
    if (rest.length > 0) {
      cutoffs.add(order.size());
    }
  }

  private static boolean[] notTaken(boolean[] taken) {
    boolean[] rest = new boolean[taken.length];
    for (int j = 0; j < taken.length; j++) {
      rest[j] = !taken[j];
    }
    return rest;
  }

  private static NeuronRanking ranking(
      String method, Weights w, List<Integer> order, List<Integer> cutoffs, Probe probe,
      Map<String, String> params) {
    int[] ids = new int[order.size()];
    double[] scores = new double[order.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = w.ids[order.get(i)];
      scores[i] = w.maxAbs[order.get(i)];
    }
    Map<String, int[]> perClass = new LinkedHashMap<>();
    for (int c = 0; c < w.classes; c++) {
      int[] cls = new int[w.features];
      for (int i = 0; i < w.features; i++) {
        cls[i] = w.ids[w.sorted[c][i]];
      }
      perClass.put(probe.labelNames().get(c), cls);
    }
    Map<String, String> p = new LinkedHashMap<>(params);
    p.put("task", probe.provenance().task());
    return new NeuronRanking(
        method, ids, scores, cutoffs.stream().mapToInt(Integer::intValue).toArray(), perClass, p);
  }

  private static void checkPercentage(double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new NeuroLensException("percentage must be in [0, 1], found " + p);
    }
  }

  private static void checkStride(int stride) {
    if (stride < 1) {
      throw new NeuroLensException("search stride must be >= 1, found " + stride);
    }
  }

  /** |W| of a probe with per-class descending orders and masses (columns = positions 0..F-1). */
  private static final class Weights {
    final int classes;
    final int features;
    final int[] ids;
    final double[][] abs;
    final double[] maxAbs;
    final int[][] sorted;
    final double[] total;

    Weights(Probe probe) {
      classes = probe.numClasses();
      features = probe.numFeatures();
      ids = probe.featureIds();
      abs = new double[classes][features];
      maxAbs = new double[features];
      sorted = new int[classes][];
      total = new double[classes];
      for (int c = 0; c < classes; c++) {
        for (int j = 0; j < features; j++) {
          abs[c][j] = Math.abs(probe.weight(c, j));
          maxAbs[j] = Math.max(maxAbs[j], abs[c][j]);
          total[c] += abs[c][j];
        }
        double[] a = abs[c];
        sorted[c] =
            java.util.stream.IntStream.range(0, features).boxed()
                .sorted(Comparator.<Integer>comparingDouble(j -> -a[j]).thenComparingInt(j -> j))
                .mapToInt(Integer::intValue).toArray();
      }
    }

    int[][] allSorted() {
      return sorted;
    }

    /** Shortest prefix length of sorted[c] whose mass reaches p * total (0 for a zero class). */
    int prefix(int c, double p) {
      if (total[c] == 0) {
        return 0;
      }
      double cum = 0;
      for (int i = 0; i < features; i++) {
        cum += abs[c][sorted[c][i]];
        if (cum >= p * total[c]) {
          return i + 1;
        }
      }
      return features;
    }

    /**
     * Percentage sweep over per-class lists {@code lists} (descending |w|), appending new neurons
     * to {@code order} step by step until {@code limit} neurons were added in this sweep.
     */
    void sweep(int[][] lists, int stride, int limit, boolean[] taken, List<Integer> order, List<Integer> cutoffs) {
      int[] pos = new int[classes];
      double[] cum = new double[classes];
      double[] mass = new double[classes];
      for (int c = 0; c < classes; c++) {
        for (int j : lists[c]) {
          mass[c] += abs[c][j];
        }
      }
      int added = 0;
      for (int step = 0; step <= stride && added < limit; step++) {
        double p = step == stride ? 1.0 : (double) step / stride;
        List<Integer> fresh = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
          if (mass[c] == 0) {
            continue;
          }
          int[] list = lists[c];
          // extend the prefix until its mass reaches p * mass (at least one neuron)
          while (pos[c] < list.length && (pos[c] == 0 || cum[c] < p * mass[c])) {
            int j = list[pos[c]++];
            cum[c] += abs[c][j];
            if (!taken[j]) {
              taken[j] = true;
              fresh.add(j);
            }
          }
        }
        fresh.sort(Comparator.<Integer>comparingDouble(j -> -maxAbs[j]).thenComparingInt(j -> j));
        for (int j : fresh) {
          if (added == limit) {
            taken[j] = false;
            continue;
          }
          order.add(j);
          added++;
        }
        cutoffs.add(order.size());
      }
    }

    int[] toIds(int[] positions) {
      int[] out = new int[positions.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = ids[positions[i]];
      }
      return out;
    }

    /** Features with {@code mask} set, by max |weight| descending (ties: lower id first). */
    int[] byMaxWeight(boolean[] mask) {
      return java.util.stream.IntStream.range(0, features).filter(j -> mask[j]).boxed()
          .sorted(Comparator.<Integer>comparingDouble(j -> -maxAbs[j]).thenComparingInt(j -> j))
          .mapToInt(Integer::intValue).toArray();
    }
  }
}
