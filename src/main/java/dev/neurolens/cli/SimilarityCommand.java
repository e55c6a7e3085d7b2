package dev.neurolens.cli;

import dev.neurolens.activation.ActivationStore;
import dev.neurolens.model.HookName;
import dev.neurolens.redundancy.LayerSimilarity;
import dev.neurolens.redundancy.LayerSimilarityResult;
import dev.neurolens.util.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code neurolens similarity}: layer x layer linear CKA within a store or between two stores. */
@Command(
    name = "similarity",
    description = "Linear CKA between every pair of layers (one model, or two models on the same tokens).")
final class SimilarityCommand implements Callable<Integer> {
  @Option(names = "--store", required = true, description = "Activation store directory.")
  Path store;

  @Option(names = "--store2", description = "Second store (another model on the same tokens).")
  Path store2;

  @Option(names = "--layers", split = ",", description = "Layers to compare (default: all).")
  List<Integer> layers;

  @Option(names = "--out", description = "Write similarity.json into this directory.")
  Path out;

  @Mixin OutputOptions output = new OutputOptions();

  @Override
  public Integer call() {
    OutPaths.directory("--out", out);
    try (ActivationStore a = ActivationStore.open(store)) {
      List<HookName> hooksA = StoreLayers.select(a, layers);
      int hiddenA = StoreLayers.hidden(a, hooksA);
      LayerSimilarityResult res;
      List<HookName> hooksB = hooksA;
      if (store2 == null) {
        output.info("similarity: CKA of " + hooksA.size() + " layers over " + a.tokenCount() + " tokens");
        res = LayerSimilarity.within(a.view(hooksA), hooksA.size(), hiddenA);
      } else {
        try (ActivationStore b = ActivationStore.open(store2)) {
          hooksB = StoreLayers.select(b, layers);
          int hiddenB = StoreLayers.hidden(b, hooksB);
          output.info("similarity: CKA of " + hooksA.size() + " x " + hooksB.size() + " layers over " + a.tokenCount() + " tokens");
          res = LayerSimilarity.between(a.view(hooksA), hooksA.size(), hiddenA, b.view(hooksB), hooksB.size(), hiddenB);
        }
      }
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("store", store.toString());
      if (store2 != null) {
        json.put("store2", store2.toString());
      }
      json.put("layersA", ClusterCommand.hookNames(hooksA));
      json.put("layersB", ClusterCommand.hookNames(hooksB));
      json.put("tokens", res.rows());
      json.put("cka", res.cka());
      json.put("meanBestAbsR", res.meanBestAbsR());
      if (store2 == null) {
        json.put("adjacentBestAbsR", res.adjacentBestAbsR());
      }
      if (out != null) {
        Json.writeAtomically(out.resolve("similarity.json"), json);
      }
      output.emit(json, human(res, hooksA, hooksB));
      return 0;
    }
  }

  private static String human(LayerSimilarityResult res, List<HookName> a, List<HookName> b) {
    StringBuilder sb = new StringBuilder("linear CKA (rows: " + (a == b ? "layers" : "store") + ", columns: " + (a == b ? "layers" : "store2") + ")\n");
    sb.append(String.format("%-18s", ""));
    for (HookName h : b) {
      sb.append(String.format("%7s", "L" + h.layer()));
    }
    sb.append('\n');
    double[][] cka = res.cka();
    for (int i = 0; i < a.size(); i++) {
      sb.append(String.format("%-18s", a.get(i)));
      for (int j = 0; j < b.size(); j++) {
        sb.append(String.format("%7.3f", cka[i][j]));
      }
      sb.append('\n');
    }
    return sb.toString().stripTrailing();
  }
}
