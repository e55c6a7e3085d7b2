package dev.neurolens.rank;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.probe.ProbeOptions;
import dev.neurolens.probe.ProbeTask;
import dev.neurolens.probe.ProbeTrainer;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * How stable a ranking is across runs that differ only in probe initialisation and minibatch order
 * (same data, same split): the consensus ranking (neurons by their mean position over the runs,
 * ties by feature id), each neuron's selection frequency (the share of runs whose top k holds it)
 * and the mean pairwise Jaccard index of the runs' top-k sets. A single LCA run says little about
 * individual neurons when that Jaccard is low.
 *
 * <p>Usage: {@code RankingStability s = RankingStability.of(runs, k); s.meanJaccard(); s.frequency(f)}
 *
 * @param runs the number of rankings
 * @param k size of the top sets compared
 * @param consensus the consensus ranking (method {@code <method>-consensus})
 * @param meanJaccard mean Jaccard index over all pairs of runs' top-k sets (1 for one run)
 * @param frequencies feature id -> share of runs whose top k contains it (features never in a top k absent)
 */
public record RankingStability(int runs, int k, NeuronRanking consensus, double meanJaccard,
    Map<Integer, Double> frequencies) {
  /** Share of the runs a neuron must be selected in to count as stable. */
  public static final double STABLE = 0.8;

  public RankingStability {
    frequencies = Map.copyOf(frequencies);
  }

  /** The share of runs whose top k contains {@code feature} (0 when none does). */
  public double frequency(int feature) {
    return frequencies.getOrDefault(feature, 0.0);
  }

  /** Whether {@code feature} is in the top k of at least {@link #STABLE} of the runs. */
  public boolean isStable(int feature) {
    return frequency(feature) >= STABLE - 1e-12;
  }

  /** Share of the neurons in the top sets compared by default (the papers' top 5%). */
  public static final double TOP_SHARE = 0.05;

  /**
   * Trains {@code runs} probes on the same rows, run i with probe seed {@code options.seed() + i}
   * (run 0 is the single run {@code rank} makes), and compares their LCA orderings' top
   * {@link #TOP_SHARE}.
   */
  public static RankingStability lca(ActivationMatrix x, int[] train,
      ProbeTask task, ProbeOptions options, int runs, String source,
      Consumer<String> progress) {
    return lca(x, train, task, options, runs, source, progress, null);
  }

  /**
   * As {@link #lca(ActivationMatrix, int[], ProbeTask, ProbeOptions, int, String, Consumer)}, with
   * run 0's ranking already made ({@code first}, from a probe with {@code options.seed()}; null =
   * train it too).
   */
  public static RankingStability lca(ActivationMatrix x, int[] train, ProbeTask task, ProbeOptions options, int runs,
      String source, Consumer<String> progress, NeuronRanking first) {
    if (runs < 1) {
      throw new NeuroLensException("--runs: must be >= 1, found " + runs);
    }
    List<NeuronRanking> rankings = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      if (i == 0 && first != null) {
        rankings.add(first);
        continue;
      }
      ProbeOptions o = options.toBuilder().optSeed(options.seed() + i).build();
      rankings.add(LcaRanker.ordering(ProbeTrainer.train(x, train, task, o, i == 0 ? source : source + " run " + i)));
      progress.accept("ranking run " + (i + 1) + " / " + runs + " done");
    }
    return of(rankings, topCount(x.cols()));
  }

  /** The top-set size for {@code features} neurons: {@link #TOP_SHARE} of them, at least 1. */
  public static int topCount(int features) {
    return Math.max(1, (int) Math.round(TOP_SHARE * features));
  }

  /** Compares the top {@code k} of each ranking; all rankings must order the same features. */
  public static RankingStability of(List<NeuronRanking> rankings, int k) {
    if (rankings.isEmpty()) {
      throw new NeuroLensException("ranking stability: needs at least one run");
    }
    int n = rankings.get(0).size();
    if (k < 1 || k > n) {
      throw new NeuroLensException("ranking stability: top k must be in [1, " + n + "], found " + k);
    }
    Set<Integer> features = new HashSet<>();
    for (int f : rankings.get(0).ordering()) {
      features.add(f);
    }
    Map<Integer, Double> positionSum = new HashMap<>();
    Map<Integer, Integer> inTop = new HashMap<>();
    List<Set<Integer>> tops = new ArrayList<>();
    for (NeuronRanking r : rankings) {
      int[] o = r.ordering();
      if (o.length != n || !Arrays.stream(o).allMatch(features::contains)) {
        throw new NeuroLensException("ranking stability: the runs must rank the same " + n + " features");
      }
      Set<Integer> top = new HashSet<>();
      for (int i = 0; i < o.length; i++) {
        positionSum.merge(o[i], (double) i, Double::sum);
        if (i < k) {
          top.add(o[i]);
          inTop.merge(o[i], 1, Integer::sum);
        }
      }
      tops.add(top);
    }
    double jaccard = 0;
    int pairs = 0;
    for (int a = 0; a < tops.size(); a++) {
      for (int b = a + 1; b < tops.size(); b++) {
        Set<Integer> inter = new HashSet<>(tops.get(a));
        inter.retainAll(tops.get(b));
        jaccard += inter.size() / (double) (2 * k - inter.size());
        pairs++;
      }
    }
    int[] consensus = positionSum.keySet().stream()
        .sorted((x, y) -> {
          int c = Double.compare(positionSum.get(x), positionSum.get(y));
          return c != 0 ? c : Integer.compare(x, y);
        })
        .mapToInt(Integer::intValue).toArray();
    double[] meanPosition = Arrays.stream(consensus).mapToDouble(f -> positionSum.get(f) / rankings.size()).toArray();
    Map<Integer, Double> freq = new HashMap<>();
    inTop.forEach((f, c) -> freq.put(f, c / (double) rankings.size()));
    NeuronRanking first = rankings.get(0);
    NeuronRanking cons = new NeuronRanking(first.method() + "-consensus", consensus, meanPosition, null, null,
        Map.of("runs", Integer.toString(rankings.size()), "k", Integer.toString(k),
            "scores", "mean position over the runs (lower is better)"));
    return new RankingStability(rankings.size(), k, cons, pairs == 0 ? 1.0 : jaccard / pairs, freq);
  }
}
