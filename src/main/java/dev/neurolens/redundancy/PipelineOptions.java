package dev.neurolens.redundancy;

import dev.neurolens.probe.ProbeOptions;
import dev.neurolens.util.NeuroLensException;
import java.util.List;

/**
 * Settings of the LayerSelector -> CC -> LCA pipeline (ALGORITHMS.md 6); {@link #defaults(long)} are
 * the paper's.
 *
 * <p>Usage: {@code RedundancyPipeline.run(x, task, train, test, layout, PipelineOptions.defaults(42), s -> {})}
 *
 * @param probe probe hyper-parameters (10 epochs, batch 128, lambda1 = lambda2 = 1e-5)
 * @param thresholds (layer delta, neuron delta) pairs in percent
 * @param ccThresholds correlation-clustering cuts to try; {@link #NO_CC} (0) = no clustering
 * @param stride LCA search stride S of the neuron ordering
 * @param percentages fractions (0..1) of all L*D neurons tried as minimal-set sizes, ascending
 * @param devFraction part of the training rows held out as the dev split
 * @param seed seeds the dev split and the clustering representatives
 * @param cluster clustering settings (distance, representative)
 */
public record PipelineOptions(
    ProbeOptions probe,
    List<Thresholds> thresholds,
    List<Double> ccThresholds,
    int stride,
    List<Double> percentages,
    double devFraction,
    long seed,
    ClusterOptions cluster) {

  /** "No correlation clustering" in {@link #ccThresholds()}. */
  public static final double NO_CC = 0.0;

  /** A (layer delta, neuron delta) pair, both in percent of the reference dev score. */
  public record Thresholds(double layerDelta, double neuronDelta) {
    public Thresholds {
      if (!(layerDelta >= 0 && layerDelta < 100 && neuronDelta >= 0 && neuronDelta < 100)) {
        throw new NeuroLensException(
            "thresholds: deltas must be in [0, 100) percent, found (" + layerDelta + ", " + neuronDelta + ")");
      }
    }
  }

  public PipelineOptions {
    thresholds = List.copyOf(thresholds);
    ccThresholds = List.copyOf(ccThresholds);
    percentages = List.copyOf(percentages);
    if (thresholds.isEmpty() || ccThresholds.isEmpty() || percentages.isEmpty()) {
      throw new NeuroLensException("pipeline options: thresholds, CC thresholds and percentages must not be empty");
    }
    for (double t : ccThresholds) {
      if (t != NO_CC) {
        LinkageTree.checkThreshold(t);
      }
    }
    for (int i = 0; i < percentages.size(); i++) {
      double p = percentages.get(i);
      if (!(p > 0 && p <= 1) || (i > 0 && p <= percentages.get(i - 1))) {
        throw new NeuroLensException("percentages: must ascend inside (0, 1], found " + percentages);
      }
    }
    if (stride < 1) {
      throw new NeuroLensException("stride: must be >= 1, found " + stride);
    }
    if (!(devFraction > 0 && devFraction < 1)) {
      throw new NeuroLensException("dev fraction: must be in (0, 1), found " + devFraction);
    }
  }

  /** The paper's settings with the given seed. */
  public static PipelineOptions defaults(long seed) {
    ProbeOptions probe =
        ProbeOptions.builder().optEpochs(10).optBatchSize(128).optLambda1(1e-5).optLambda2(1e-5).optSeed(seed).build();
    return new PipelineOptions(
        probe,
        List.of(new Thresholds(3, 1), new Thresholds(2, 1), new Thresholds(1, 1)),
        List.of(NO_CC, CorrelationClustering.DEFAULT_THRESHOLD),
        1000,
        percentageGrid(),
        0.1,
        seed,
        new ClusterOptions(ClusterOptions.Distance.ABS, ClusterOptions.Representative.CENTRE, seed));
  }

  /** 0.1%, 0.2%, ..., 0.5%, 1%, 2%, ..., 10%, 15%, 20%, ..., 50%, 60%, ..., 90% (as fractions). */
  public static List<Double> percentageGrid() {
    java.util.ArrayList<Double> out = new java.util.ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      out.add(i / 1000.0);
    }
    for (int i = 1; i <= 10; i++) {
      out.add(i / 100.0);
    }
    for (int i = 15; i <= 50; i += 5) {
      out.add(i / 100.0);
    }
    for (int i = 60; i <= 90; i += 10) {
      out.add(i / 100.0);
    }
    return out;
  }
}
