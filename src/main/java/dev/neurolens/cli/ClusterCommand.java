package dev.neurolens.cli;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.activation.ActivationStore;
import dev.neurolens.model.HookName;
import dev.neurolens.redundancy.ClusterOptions;
import dev.neurolens.redundancy.ClusterSweep;
import dev.neurolens.redundancy.CorrelationClustering;
import dev.neurolens.redundancy.CorrelationMatrix;
import dev.neurolens.redundancy.NeuronCorrelation;
import dev.neurolens.redundancy.ThresholdClusters;
import dev.neurolens.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code neurolens cluster}: correlation clustering of the neurons of a store (CC curve). */
@Command(
    name = "cluster",
    description = "Correlation clustering of neurons: independent neurons per layer at each threshold.")
final class ClusterCommand implements Callable<Integer> {
  @Option(names = "--store", required = true, description = "Activation store directory.")
  Path store;

  @Option(names = "--layers", split = ",", description = "Layers to cluster (default: all), e.g. 0,6,12.")
  List<Integer> layers;

  @Option(
      names = "--thresholds",
      split = ",",
      defaultValue = "0.3",
      description = "Distance cuts in (0, 2) (default ${DEFAULT-VALUE}; e.g. 0.1,0.2,...,0.9).")
  List<Double> thresholds;

  @Option(names = "--signed", description = "Distance 1 - r instead of 1 - |r|.")
  boolean signed;

  @Option(names = "--representative", defaultValue = "CENTRE", description = "CENTRE or RANDOM (default ${DEFAULT-VALUE}).")
  ClusterOptions.Representative representative;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of random representatives.")
  long seed;

  @Option(names = "--out", description = "Write clusters.json (all clusters) into this directory.")
  Path out;

  @Mixin OutputOptions output = new OutputOptions();

  @Override
  public Integer call() {
    OutPaths.directory("--out", out);
    CorrelationClustering.checkThresholds(thresholds);
    try (ActivationStore s = ActivationStore.open(store)) {
      List<HookName> hooks = StoreLayers.select(s, layers);
      int hidden = StoreLayers.hidden(s, hooks);
      ActivationMatrix m = s.view(hooks);
      output.info("cluster: correlating " + m.cols() + " neurons over " + m.rows() + " tokens");
      CorrelationMatrix r = NeuronCorrelation.compute(m);
      ClusterOptions opts =
          new ClusterOptions(signed ? ClusterOptions.Distance.SIGNED : ClusterOptions.Distance.ABS, representative, seed);
      ClusterSweep sweep = CorrelationClustering.cluster(r, thresholds, opts, hooks.size(), hidden);
      Map<String, Object> res = summary(sweep, hooks);
      if (out != null) {
        Json.writeAtomically(out.resolve("clusters.json"), Map.of("layers", hookNames(hooks), "sweep", sweep));
        res.put("clustersFile", out.resolve("clusters.json").toString());
      }
      output.emit(res, human(sweep, hooks));
      return 0;
    }
  }

  static Map<String, Object> summary(ClusterSweep sweep, List<HookName> hooks) {
    Map<String, Object> res = new LinkedHashMap<>();
    res.put("layers", hookNames(hooks));
    res.put("neurons", sweep.neurons());
    res.put("tokens", sweep.rows());
    res.put("constantNeurons", sweep.constantNeurons().length);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (ThresholdClusters t : sweep.results()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("threshold", t.threshold());
      row.put("independent", t.independent());
      row.put("percentIndependent", 100.0 * t.independent() / sweep.neurons());
      row.put("independentPerLayer", t.independentPerLayer());
      rows.add(row);
    }
    res.put("thresholds", rows);
    return res;
  }

  static List<String> hookNames(List<HookName> hooks) {
    return hooks.stream().map(HookName::toString).toList();
  }

  private static String human(ClusterSweep sweep, List<HookName> hooks) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%d neurons, %d tokens, %d constant%n", sweep.neurons(), sweep.rows(), sweep.constantNeurons().length));
    for (ThresholdClusters t : sweep.results()) {
      sb.append(String.format("threshold %.2f: %d independent (%.1f%%) per layer %s%n", t.threshold(), t.independent(),
          100.0 * t.independent() / sweep.neurons(), Arrays.toString(t.independentPerLayer())));
    }
    return sb.toString().stripTrailing();
  }
}
