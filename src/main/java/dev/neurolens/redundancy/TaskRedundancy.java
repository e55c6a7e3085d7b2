package dev.neurolens.redundancy;

import java.util.List;

/**
 * The LayerSelector -> CC -> LCA results of one task (ALGORITHMS.md 6).
 *
 * <p>Usage: {@code TaskRedundancy t = RedundancyPipeline.run(x, task, train, test, layout, opts, log);
 * double oracle = t.oracleTestScore()}
 *
 * @param task the task name
 * @param metric the score used ({@code accuracy} for classification, {@code pearson} for regression)
 * @param numLayers L
 * @param hidden D
 * @param trainRows rows the probes were trained on (training split minus dev)
 * @param devRows rows of the dev split (seeded, from the training split)
 * @param testRows rows of the test split
 * @param oracleDevScore s*, dev score of the probe on all L * D neurons
 * @param oracleTestScore test score of that probe
 * @param layerDevScores dev score of the probe on layers 0..l, for each l
 * @param rows one row per (thresholds, CC setting)
 * @param options the settings, with seed
 */
public record TaskRedundancy(
    String task,
    String metric,
    int numLayers,
    int hidden,
    int trainRows,
    int devRows,
    int testRows,
    double oracleDevScore,
    double oracleTestScore,
    double[] layerDevScores,
    List<PipelineRow> rows,
    PipelineOptions options) {

  public TaskRedundancy {
    layerDevScores = layerDevScores.clone();
    rows = List.copyOf(rows);
  }

  @Override
  public double[] layerDevScores() {
    return layerDevScores.clone();
  }
}
