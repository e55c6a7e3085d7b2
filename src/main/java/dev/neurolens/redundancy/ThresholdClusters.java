package dev.neurolens.redundancy;

import java.util.Arrays;

/**
 * The flat clusters of one threshold of correlation clustering.
 *
 * <p>Usage: {@code ThresholdClusters c = CorrelationClustering.cut(r, tree, 0.3, ClusterOptions.defaults(), 13, 384);
 * int[] kept = c.representatives()}
 *
 * @param threshold the distance cut
 * @param clusters member feature ids (layer * D + index) of each cluster, ascending, clusters in
 *     order of their smallest member
 * @param representatives the kept neuron of each cluster (same order as {@code clusters})
 * @param independentPerLayer number of representatives in each layer (L entries)
 */
public record ThresholdClusters(
    double threshold, int[][] clusters, int[] representatives, int[] independentPerLayer) {

  public ThresholdClusters {
    clusters = Arrays.stream(clusters).map(int[]::clone).toArray(int[][]::new);
    representatives = representatives.clone();
    independentPerLayer = independentPerLayer.clone();
    if (clusters.length != representatives.length) {
      throw new IllegalArgumentException(
          clusters.length + " clusters but " + representatives.length + " representatives");
    }
  }

  /** Number of independent neurons (= clusters = representatives). */
  public int independent() {
    return representatives.length;
  }

  @Override
  public int[][] clusters() {
    return Arrays.stream(clusters).map(int[]::clone).toArray(int[][]::new);
  }

  @Override
  public int[] representatives() {
    return representatives.clone();
  }

  @Override
  public int[] independentPerLayer() {
    return independentPerLayer.clone();
  }
}
