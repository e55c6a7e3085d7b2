package dev.neurolens.report;

import static dev.neurolens.report.Html.esc;
import static dev.neurolens.report.Html.list;
import static dev.neurolens.report.Html.num;
import static dev.neurolens.report.Html.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The findings at the top of the report: sentences generated from {@code results.json}, each with
 * the figure it rests on — where each property is decoded best and how selective that is, what a
 * memorisation-proof split changes, how much of the network is removable, how stable the top
 * neurons are, and the best detectors of numbers, strings and comments. A sentence whose figures
 * are missing is left out, never written without its number.
 */
final class Findings {
  /** Concepts named in the findings when the concept search found them. */
  static final List<String> HEADLINE_CONCEPTS = List.of("NUMBER", "STRING", "COMMENT");

  private Findings() {}

  /** The findings as plain sentences (no markup). */
  static List<String> sentences(JsonNode results) {
    List<String> out = new ArrayList<>();
    for (JsonNode task : list(results, "tasks")) {
      taskFindings(task, out);
    }
    for (JsonNode section : list(results, "concepts")) {
      conceptFindings(section, out);
    }
    JsonNode clustering = results.get("clustering");
    if (clustering != null && clustering.isObject()) {
      double[] thresholds = Html.numbers(clustering.get("thresholds"));
      double[] total = Html.numbers(clustering.get("total_independent"));
      double all = num(clustering, "total_neurons");
      for (int i = 0; i < Math.min(thresholds.length, total.length); i++) {
        if (Math.abs(thresholds[i] - 0.3) < 1e-9 && Double.isFinite(total[i]) && all > 0) {
          out.add(String.format(Locale.ROOT, "General redundancy: at correlation distance 0.3, %d of the %d neurons "
              + "are independent (%.1f%%); each of the others shares a cluster (average |r| above 0.7) with one of them.",
              (long) total[i], (long) all, 100 * total[i] / all));
        }
      }
    }
    return out;
  }

  static String html(JsonNode results) {
    List<String> s = sentences(results);
    if (s.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("<section id=\"findings\"><h2>Findings</h2><ul class=\"findings\">");
    s.forEach(x -> sb.append("<li>").append(esc(x)).append("</li>"));
    return sb.append("</ul><p class=\"meta\">Each sentence is generated from results.json; the sections below hold")
        .append(" the full figures.</p></section>").toString();
  }

  private static void taskFindings(JsonNode task, List<String> out) {
    String name = text(task, "task");
    String metric = text(task, "metric");
    List<JsonNode> layers = list(task, "layers");
    if (name == null || layers.isEmpty()) {
      return;
    }
    JsonNode best = layers.get(0);
    for (JsonNode l : layers) {
      if (num(l, "test") > num(best, "test")) {
        best = l;
      }
    }
    double test = num(best, "test");
    if (!Double.isFinite(test)) {
      return;
    }
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s is decoded best at layer %d (test %s %.3f",
        name, (long) num(best, "layer"), metric == null ? "score" : metric, test));
    double selectivity = num(best, "selectivity");
    if (Double.isFinite(selectivity)) {
      s.append(String.format(Locale.ROOT, ", control task %.3f, selectivity %+.3f", num(best, "control_test"), selectivity));
    }
    JsonNode baselines = task.get("baselines");
    if (baselines != null && Double.isFinite(num(baselines, "majority"))) {
      s.append(String.format(Locale.ROOT, "; majority class %.3f", num(baselines, "majority")));
      if (Double.isFinite(num(baselines, "type_lookup"))) {
        s.append(String.format(Locale.ROOT, ", token-type lookup %.3f", num(baselines, "type_lookup")));
      }
    }
    s.append(").");
    if (Double.isFinite(selectivity) && selectivity < 0.05) {
      s.append(" Its selectivity is low: the probe does about as well on word types given random labels, so this score"
          + " says more about what a linear probe can memorise than about what the layer encodes.");
    }
    out.add(s.toString());
    JsonNode other = task.get("other_split");
    JsonNode oracle = task.get("oracle");
    if (other != null && other.isObject() && oracle != null && Double.isFinite(num(other.get("oracle"), "test"))) {
      out.add(String.format(Locale.ROOT, "%s under the %s split: oracle test %.3f (selectivity %+.3f) against %.3f "
              + "(selectivity %+.3f) under the %s split.", name, text(other, "split"), num(other.get("oracle"), "test"),
          num(other.get("oracle"), "selectivity"), num(oracle, "test"), num(oracle, "selectivity"),
          text(task, "split") == null ? "section's" : text(task, "split")));
    }
    JsonNode redundancy = task.get("redundancy");
    if (redundancy != null && redundancy.isObject()) {
      for (JsonNode row : list(redundancy, "pipeline")) {
        if (num(row, "layer_delta") == 1 && num(row, "neuron_delta") == 1 && Double.isFinite(num(row, "cc_threshold"))) {
          out.add(String.format(Locale.ROOT, "%s needs %d neurons (LayerSelector -> clustering 0.3 -> LCA, 1%% "
                  + "thresholds): %.1f%% of the network is removable while test %s stays %.3f (all neurons: %.3f).",
              name, (long) num(row, "minimal_k"), num(row, "removable_percent"), metric == null ? "score" : metric,
              num(row, "minimal_test"), num(row, "oracle_test")));
        }
      }
    }
    JsonNode stability = task.get("stability");
    if (stability != null && stability.isObject() && Double.isFinite(num(stability, "mean_jaccard"))) {
      out.add(String.format(Locale.ROOT, "The top-%d LCA neurons of %s overlap across %d probe seeds with mean Jaccard "
              + "%.2f; %d of them are selected in at least 80%% of the runs.", (long) num(stability, "top_k"), name,
          (long) num(stability, "runs"), num(stability, "mean_jaccard"), (long) num(stability, "stable_in_top_k")));
    }
  }

  private static void conceptFindings(JsonNode section, List<String> out) {
    Set<String> wanted = Set.copyOf(HEADLINE_CONCEPTS);
    for (JsonNode c : list(section, "concepts")) {
      String concept = text(c, "concept");
      List<JsonNode> neurons = list(c, "neurons");
      if (concept == null || !wanted.contains(concept) || neurons.isEmpty()) {
        continue;
      }
      JsonNode n = neurons.get(0);
      JsonNode random = c.get("random_baseline");
      out.add(String.format(Locale.ROOT, "The best %s neuron is layer %d neuron %d (%s activation): average precision "
              + "%.3f, precision at k = %d %.3f, against %.3f and %.3f for a random neuron (%s is %.2f%% of the tokens).",
          concept, (long) num(n, "layer"), (long) num(n, "index"), num(n, "sign") < 0 ? "low" : "high", num(n, "ap"),
          (long) num(c, "count"), num(n, "precision_at_k"), num(random, "ap"), num(random, "precision_at_k"), concept,
          100 * num(c, "base_rate")));
    }
  }
}
