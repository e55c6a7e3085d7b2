package dev.neurolens.redundancy;

import java.util.List;

/**
 * One line of the LayerSelector -> CC -> LCA table: one (layer delta, neuron delta) pair and one
 * CC setting for one task.
 *
 * <p>Usage: {@code PipelineRow row = RedundancyPipeline.run(x, task, train, test, layout, opts, log).rows().get(0)}
 *
 * @param layerDelta LayerSelector tolerance, percent of the oracle dev score
 * @param neuronDelta minimal-set tolerance, percent of the base probe's dev score
 * @param ccThreshold correlation-clustering cut; 0 = no clustering
 * @param selectedLayer l: the layers kept are 0..l
 * @param neuronsInLayers (l + 1) * D
 * @param neuronsAfterCc independent neurons after clustering (= neuronsInLayers without CC)
 * @param baseDevScore dev score of the probe on the neurons after CC
 * @param minimalNeurons k, the size of the minimal set
 * @param minimalDevScore dev score of the probe retrained on the minimal set
 * @param percentRemovable 100 * (1 − k / (L * D))
 * @param oracleTestScore test score of the probe on all L * D neurons
 * @param minimalTestScore test score of the probe retrained on the minimal set
 * @param minimalSet the minimal set as original (layer, index) ids, in LCA order
 */
public record PipelineRow(
    double layerDelta,
    double neuronDelta,
    double ccThreshold,
    int selectedLayer,
    int neuronsInLayers,
    int neuronsAfterCc,
    double baseDevScore,
    int minimalNeurons,
    double minimalDevScore,
    double percentRemovable,
    double oracleTestScore,
    double minimalTestScore,
    List<LayerNeuron> minimalSet) {

  public PipelineRow {
    minimalSet = List.copyOf(minimalSet);
    if (minimalSet.size() != minimalNeurons) {
      throw new IllegalArgumentException(
          "minimal set has " + minimalSet.size() + " neurons, expected " + minimalNeurons);
    }
  }
}
