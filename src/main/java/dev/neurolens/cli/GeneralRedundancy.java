package dev.neurolens.cli;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The general-redundancy sections of {@code analyze} (ALGORITHMS.md section 6): correlation
 * clustering of every neuron over all tokens swept over thresholds 0.1..0.9, and linear CKA between
 * every pair of layers.
 */
final class GeneralRedundancy {
  private GeneralRedundancy() {}

  /** Returns the {@code clustering} and {@code cka} sections of results.json. */
  static Map<String, Object> run(ActivationStore store, long seed, boolean quiet) {
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
    Map<String, Object> clustering = new LinkedHashMap<>();
    clustering.put("thresholds", thresholds);
    List<Integer> layerIds = hooks.stream().map(HookName::layer).toList();
    clustering.put("layers", layerIds);
    List<int[]> perLayer = new ArrayList<>();
    List<Integer> total = new ArrayList<>();
    for (ThresholdClusters tc : sweep.results()) {
      perLayer.add(tc.independentPerLayer());
      total.add(tc.independent());
    }
    clustering.put("independent_per_layer", perLayer);
    clustering.put("total_independent", total);
    clustering.put("total_neurons", layers * hidden);
    clustering.put("constant_neurons", sweep.constantNeurons().length);
    clustering.put("rows", x.rows());

    LayerSimilarityResult sim = LayerSimilarity.within(x, layers, hidden);
    Map<String, Object> cka = new LinkedHashMap<>();
    cka.put("layers", hooks.stream().map(HookName::toString).toList());
    cka.put("matrix", sim.cka());
    cka.put("adjacent_best_abs_r", sim.adjacentBestAbsR());

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("clustering", clustering);
    out.put("cka", cka);
    return out;
  }
}
