package dev.neurolens.redundancy;

import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Correlation clustering (CC, ALGORITHMS.md 6): average-linkage clustering of neurons on the
 * distance 1 − |r| (or 1 − r), cut at a threshold, keeping one representative per cluster.
 *
 * <p>The linkage tree is built once (NN-chain, O(D'^2) time and memory) and cut per threshold.
 * Zero-variance neurons take no part in the linkage and are singleton clusters at every threshold.
 *
 * <p>Usage: {@code ClusterSweep s = CorrelationClustering.cluster(NeuronCorrelation.compute(x),
 * CorrelationClustering.sweepThresholds(), ClusterOptions.defaults(), numLayers, hidden)}
 */
public final class CorrelationClustering {
  /** The default cut, as in the redundancy paper. */
  public static final double DEFAULT_THRESHOLD = 0.3;

  private CorrelationClustering() {}

  /** The thresholds 0.1, 0.2, ..., 0.9 of the CC curve. */
  public static List<Double> sweepThresholds() {
    List<Double> out = new ArrayList<>();
    for (int i = 1; i <= 9; i++) {
      out.add(i / 10.0);
    }
    return out;
  }

  /** Checks that {@code thresholds} is non-empty and every value lies in (0, 2). */
  public static void checkThresholds(List<Double> thresholds) {
    if (thresholds.isEmpty()) {
      throw new NeuroLensException("thresholds: give at least one threshold in (0, 2)");
    }
    thresholds.forEach(LinkageTree::checkThreshold);
  }

  /** Builds the average-linkage tree over the positions of {@code r} (constant neurons left out). */
  public static LinkageTree linkage(CorrelationMatrix r, ClusterOptions.Distance distance) {
    int d = r.size();
    boolean[] constant = new boolean[d];
    for (int c : r.constantPositions()) {
      constant[c] = true;
    }
    int[] ids = java.util.stream.IntStream.range(0, d).filter(i -> !constant[i]).toArray();
    int n = ids.length;
    float[] values = r.values();
    float[] dist = new float[n * n];
    ClusterOptions opts = new ClusterOptions(distance, ClusterOptions.Representative.CENTRE, 0);
    for (int i = 0; i < n; i++) {
      int row = ids[i] * d;
      for (int j = 0; j < n; j++) {
        dist[i * n + j] = i == j ? 0f : opts.distance(values[row + ids[j]]);
      }
    }
    return AverageLinkage.cluster(dist, n, ids, d);
  }

  /**
   * Clusters at every threshold of {@code thresholds}.
   *
   * @param numLayers L; every feature id must be below L * hidden
   * @param hidden D, neurons per layer (feature id = layer * D + index)
   */
  public static ClusterSweep cluster(
      CorrelationMatrix r, List<Double> thresholds, ClusterOptions opts, int numLayers, int hidden) {
    checkThresholds(thresholds);
    checkLayout(r, numLayers, hidden);
    LinkageTree tree = linkage(r, opts.distance());
    List<ThresholdClusters> results = new ArrayList<>();
    for (double t : thresholds) {
      results.add(cut(r, tree, t, opts, numLayers, hidden));
    }
    return new ClusterSweep(
        numLayers, hidden, r.size(), r.rows(), opts, r.constantFeatures(), results);
  }

  /** The clusters of one threshold of a tree built by {@link #linkage}. */
  public static ThresholdClusters cut(
      CorrelationMatrix r, LinkageTree tree, double threshold, ClusterOptions opts, int numLayers, int hidden) {
    checkLayout(r, numLayers, hidden);
    int[] label = tree.cut(threshold);
    int k = Arrays.stream(label).max().orElse(-1) + 1;
    int[] count = new int[k];
    for (int l : label) {
      count[l]++;
    }
    int[][] members = new int[k][];
    for (int c = 0; c < k; c++) {
      members[c] = new int[count[c]];
    }
    int[] fill = new int[k];
    for (int i = 0; i < label.length; i++) {
      members[label[i]][fill[label[i]]++] = i;
    }
    Random rnd = new Random(opts.seed());
    int[][] clusters = new int[k][];
    int[] reps = new int[k];
    int[] perLayer = new int[numLayers];
    for (int c = 0; c < k; c++) {
      int rep =
          opts.representative() == ClusterOptions.Representative.RANDOM
              ? members[c][rnd.nextInt(members[c].length)]
              : centre(r, members[c], opts, rnd);
      clusters[c] = Arrays.stream(members[c]).map(r::feature).sorted().toArray();
      reps[c] = r.feature(rep);
      perLayer[reps[c] / hidden]++;
    }
    return new ThresholdClusters(threshold, clusters, reps, perLayer);
  }

  /**
   * The member with the highest mean similarity (1 − distance) to the other members; ties (every
   * cluster of one or two members, and exact ties in larger ones) broken uniformly at random with
   * the seed, so that no layer is favoured: a pair of a layer-11 and a layer-12 neuron credits
   * either layer half of the time.
   */
  private static int centre(CorrelationMatrix r, int[] members, ClusterOptions opts, Random rnd) {
    if (members.length == 1) {
      return members[0];
    }
    if (members.length == 2) {
      return members[rnd.nextInt(2)];
    }
    double bestScore = Double.NEGATIVE_INFINITY;
    int[] tied = new int[members.length];
    int nTied = 0;
    for (int i : members) {
      double s = 0;
      for (int j : members) {
        if (j != i) {
          s += 1 - opts.distance(r.get(i, j));
        }
      }
      if (s > bestScore) {
        bestScore = s;
        nTied = 0;
      }
      if (s == bestScore) {
        tied[nTied++] = i;
      }
    }
    return nTied == 1 ? tied[0] : tied[rnd.nextInt(nTied)];
  }

  private static void checkLayout(CorrelationMatrix r, int numLayers, int hidden) {
    if (numLayers <= 0 || hidden <= 0) {
      throw new NeuroLensException(
          "layout: layers and hidden size must be positive, found " + numLayers + " x " + hidden);
    }
    for (int i = 0; i < r.size(); i++) {
      if (r.feature(i) >= (long) numLayers * hidden || r.feature(i) < 0) {
        throw new NeuroLensException(
            "neurons: feature id " + r.feature(i) + " outside " + numLayers + " layers x " + hidden);
      }
    }
  }
}
