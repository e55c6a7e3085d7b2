package dev.neurolens.analysis;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.activation.ActivationStore;
import dev.neurolens.model.HookName;
import dev.neurolens.redundancy.ClusterOptions;
import dev.neurolens.redundancy.ClusterSweep;
import dev.neurolens.redundancy.CorrelationClustering;
import dev.neurolens.redundancy.CorrelationMatrix;
import dev.neurolens.redundancy.LayerSimilarity;
import dev.neurolens.redundancy.LayerSimilarityResult;
import dev.neurolens.redundancy.NeuronCorrelation;
import dev.neurolens.redundancy.ThresholdClusters;
import java.util.ArrayList;
import java.util.List;

/**
 * The general-redundancy sections of {@code analyze} (ALGORITHMS.md section 6): correlation
 * clustering of every neuron over all tokens swept over thresholds 0.1..0.9, and linear CKA between
 * every pair of layers.
 */
final class GeneralRedundancy {
  private GeneralRedundancy() {}

  /** The clustering and CKA sections. */
  record Sections(AnalysisResult.Clustering clustering, AnalysisResult.Cka cka) {}

  /** Clusters every neuron of the store's uniform hooks and compares its layers. */
  static Sections run(ActivationStore store, long seed) {
    List<HookName> hooks = StoreTask.uniformHooks(store);
    int layers = hooks.size();
    int hidden = store.width(hooks.get(0));
    ActivationMatrix x = store.view(hooks);
    CorrelationMatrix r = NeuronCorrelation.compute(x);
    List<Double> thresholds = CorrelationClustering.sweepThresholds();
    ClusterOptions defaults = ClusterOptions.defaults();
    ClusterSweep sweep =
        CorrelationClustering.cluster(r, thresholds,
            new ClusterOptions(defaults.distance(), defaults.representative(), seed), layers, hidden);
    List<int[]> perLayer = new ArrayList<>();
    List<Integer> total = new ArrayList<>();
    for (ThresholdClusters tc : sweep.results()) {
      perLayer.add(tc.independentPerLayer());
      total.add(tc.independent());
    }
    AnalysisResult.Clustering clustering =
        new AnalysisResult.Clustering(thresholds, hooks.stream().map(HookName::layer).toList(), perLayer, total,
            layers * hidden, sweep.constantNeurons().length, x.rows());
    LayerSimilarityResult sim = LayerSimilarity.within(x, layers, hidden);
    AnalysisResult.Cka cka =
        new AnalysisResult.Cka(hooks.stream().map(HookName::toString).toList(), sim.cka(), sim.adjacentBestAbsR());
    return new Sections(clustering, cka);
  }
}
