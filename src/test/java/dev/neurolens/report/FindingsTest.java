package dev.neurolens.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.util.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class FindingsTest {
  private static JsonNode results() throws Exception {
    return Json.MAPPER.readTree("""
        {"model": {"id": "m"}, "corpus": {"spec": "c"},
         "tasks": [{"task": "lexical", "metric": "accuracy", "split": "snippet",
           "layers": [{"layer": 0, "test": 0.90, "control_test": 0.80, "selectivity": 0.10},
                      {"layer": 1, "test": 0.95, "control_test": 0.93, "selectivity": 0.02}],
           "oracle": {"test": 0.96, "selectivity": 0.04},
           "baselines": {"majority": 0.43, "type_lookup": 0.97},
           "other_split": {"split": "type-disjoint", "oracle": {"test": 0.81, "selectivity": 0.20}},
           "stability": {"runs": 3, "top_k": 250, "mean_jaccard": 0.41, "stable_in_top_k": 60},
           "redundancy": {"pipeline": [
             {"layer_delta": 3, "neuron_delta": 1, "cc_threshold": 0.3, "minimal_k": 5, "removable_percent": 99.9,
              "minimal_test": 0.5, "oracle_test": 0.96},
             {"layer_delta": 1, "neuron_delta": 1, "cc_threshold": 0.3, "minimal_k": 40, "removable_percent": 99.2,
              "minimal_test": 0.95, "oracle_test": 0.96}]}},
          {"task": "broken", "layers": []}],
         "concepts": [{"task": "lexical", "concepts": [
           {"concept": "NUMBER", "count": 567, "base_rate": 0.0103, "random_baseline": {"ap": 0.0101, "precision_at_k": 0.008},
            "neurons": [{"layer": 9, "index": 1, "sign": 1, "ap": 0.4, "precision_at_k": 0.443}]},
           {"concept": "IDENTIFIER", "count": 9, "base_rate": 0.2, "neurons": [{"layer": 1, "index": 2, "ap": 0.7}]}]}],
         "clustering": {"thresholds": [0.1, 0.3], "total_independent": [4000, 2620], "total_neurons": 4992}}
        """);
  }

  @Test
  void everySentenceCarriesItsFigures_missingFiguresLeaveTheSentenceOut() throws Exception {
    List<String> s = Findings.sentences(results());
    assertEquals("lexical is decoded best at layer 1 (test accuracy 0.950, control task 0.930, selectivity +0.020; "
        + "majority class 0.430, token-type lookup 0.970). Its selectivity is low: the probe does about as well on word"
        + " types given random labels, so this score says more about what a linear probe can memorise than about what"
        + " the layer encodes.", s.get(0));
    assertEquals("lexical under the type-disjoint split: oracle test 0.810 (selectivity +0.200) against 0.960 "
        + "(selectivity +0.040) under the snippet split.", s.get(1));
    assertEquals("lexical needs 40 neurons (LayerSelector -> clustering 0.3 -> LCA, 1% thresholds): 99.2% of the "
        + "network is removable while test accuracy stays 0.950 (all neurons: 0.960).", s.get(2));
    assertEquals("The top-250 LCA neurons of lexical overlap across 3 probe seeds with mean Jaccard 0.41; 60 of them "
        + "are selected in at least 80% of the runs.", s.get(3));
    assertEquals("The best NUMBER neuron is layer 9 neuron 1 (high activation): average precision 0.400, precision at "
        + "k = 567 0.443, against 0.010 and 0.008 for a random neuron (NUMBER is 1.03% of the tokens).", s.get(4));
    assertTrue(s.get(5).startsWith("General redundancy: at correlation distance 0.3, 2620 of the 4992 neurons are "
        + "independent (52.5%)"), s.get(5));
    assertEquals(6, s.size(), "the task without layers and IDENTIFIER (not a headline concept) give no sentence");
    String html = HtmlReport.render(results());
    assertTrue(html.indexOf("<section id=\"findings\">") < html.indexOf("<section id=\"run\">"), "findings come first");
  }
}
