package dev.neurolens.redundancy;

import java.util.List;

/**
 * Correlation clustering of a set of neurons at one or more thresholds (the CC curve).
 *
 * <p>Usage: {@code ClusterSweep s = CorrelationClustering.cluster(r, List.of(0.3), ClusterOptions.defaults(), 13, 384);
 * int kept = s.results().get(0).independent()}
 *
 * @param numLayers L, layers the feature ids are spread over
 * @param hidden D, neurons per layer
 * @param neurons number of neurons clustered
 * @param rows N, rows the correlations were computed over
 * @param options the clustering settings (with seed)
 * @param constantNeurons feature ids of zero-variance neurons (each its own cluster)
 * @param results one entry per threshold, in the order asked
 */
public record ClusterSweep(
    int numLayers,
    int hidden,
    int neurons,
    long rows,
    ClusterOptions options,
    int[] constantNeurons,
    List<ThresholdClusters> results) {

  public ClusterSweep {
    constantNeurons = constantNeurons.clone();
    results = List.copyOf(results);
  }

  @Override
  public int[] constantNeurons() {
    return constantNeurons.clone();
  }
}
