package dev.neurolens.report;

import static dev.neurolens.report.Html.esc;
import static dev.neurolens.report.Html.fmt;
import static dev.neurolens.report.Html.fmtAny;
import static dev.neurolens.report.Html.list;
import static dev.neurolens.report.Html.num;
import static dev.neurolens.report.Html.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.report.Charts.BarLayout;
import dev.neurolens.report.Charts.Series;
import dev.neurolens.report.Charts.Stroke;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The HTML of one probing task of {@code results.json} ({@code tasks[i]}): layer-wise scores with
 * the control task and selectivity, the oracle (all layers), top neurons per class and their layer
 * distribution, the ablation curves and the redundancy pipeline. Absent parts are skipped.
 */
final class TaskSection {
  /** Rows shown per class in the top-neuron tables. */
  static final int TOP_ROWS = 10;
  /** Most classes drawn as stacks in the per-class layer chart (beyond: tables only). */
  static final int MAX_STACKED = 12;

  private final JsonNode task;
  private final Charts charts;
  private final String name;
  private final String metric;

  TaskSection(JsonNode task, Charts charts, int position) {
    this.task = task;
    this.charts = charts;
    String n = text(task, "task");
    this.name = n == null || n.isBlank() ? "task " + (position + 1) : n;
    String m = text(task, "metric");
    this.metric = m != null ? m : "regression".equals(text(task, "kind")) ? "pearson" : "accuracy";
  }

  String name() {
    return name;
  }

  String html(String anchor) {
    StringBuilder sb = new StringBuilder();
    sb.append("<section class=\"task\" id=\"").append(anchor).append("\"><h2>Task: ").append(esc(name)).append("</h2>");
    sb.append("<p class=\"meta\">kind: ").append(esc(orDash(text(task, "kind"))))
        .append(" · metric: ").append(esc(metric));
    List<JsonNode> classes = list(task, "classes");
    if (!classes.isEmpty()) {
      sb.append(" · ").append(classes.size()).append(" classes");
    }
    sb.append("</p>");
    classCounts(sb, classes);
    layers(sb);
    topNeurons(sb);
    ablation(sb);
    redundancy(sb);
    return sb.append("</section>").toString();
  }

  private void classCounts(StringBuilder sb, List<JsonNode> classes) {
    JsonNode counts = task.get("class_counts");
    if (counts == null || !counts.isObject() || counts.isEmpty()) {
      if (!classes.isEmpty()) {
        List<String> names = new ArrayList<>();
        classes.forEach(c -> names.add(c.asText()));
        sb.append("<p class=\"classes\">").append(esc(String.join(", ", names))).append("</p>");
      }
      return;
    }
    sb.append("<details><summary>class counts</summary>");
    Html.Table t = new Html.Table("data", "class", "count");
    for (Iterator<Map.Entry<String, JsonNode>> it = counts.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      t.row(esc(e.getKey()), fmtAny(num(e.getValue())));
    }
    sb.append(t.html()).append("</details>");
  }

  private void layers(StringBuilder sb) {
    List<JsonNode> layers = list(task, "layers");
    JsonNode oracle = task.get("oracle");
    JsonNode b = task.get("baselines");
    JsonNode baselines = b != null && b.isObject() ? b : null;
    if (layers.isEmpty() && (oracle == null || !oracle.isObject())) {
      return;
    }
    sb.append("<h3>Layer-wise probing</h3>");
    if (!layers.isEmpty()) {
      int n = layers.size();
      double[] xs = new double[n];
      double[] train = new double[n];
      double[] dev = new double[n];
      double[] test = new double[n];
      double[] control = new double[n];
      double[] selectivity = new double[n];
      List<String> labels = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        JsonNode l = layers.get(i);
        double layer = num(l, "layer");
        xs[i] = Double.isFinite(layer) ? layer : i;
        train[i] = num(l, "train");
        dev[i] = num(l, "dev");
        test[i] = num(l, "test");
        control[i] = num(l, "control_test");
        selectivity[i] = num(l, "selectivity");
        labels.add(fmtAny(xs[i]));
      }
      sb.append("<div class=\"charts\">");
      List<Series> series = new ArrayList<>(List.of(Series.of("train", train), Series.of("dev", dev),
          Series.of("test", test), Series.of("control task (test)", control)));
      double majority = baselines == null ? Double.NaN : num(baselines, "majority");
      if (Double.isFinite(majority)) {
        double[] flat = new double[n];
        java.util.Arrays.fill(flat, majority);
        series.add(new Series("majority class (test)", flat, Charts.palette(7), Stroke.DASHED));
      }
      sb.append(charts.line(name + ": " + metric + " by layer", "layer", metric, xs, series, true));
      if (anyFinite(selectivity)) {
        sb.append(charts.bars(name + ": selectivity by layer", "layer",
            "selectivity (test − control)", labels, List.of(new Series("selectivity", selectivity, Charts.palette(4), Stroke.SOLID)), BarLayout.GROUPED));
      }
      sb.append("</div>");
    }
    Html.Table t = new Html.Table("data", "layer", "hook", "train", "dev", "test", "control (test)", "selectivity");
    int best = bestLayer(layers);
    for (int i = 0; i < layers.size(); i++) {
      JsonNode l = layers.get(i);
      t.rowWithClass(i == best ? "best" : "", fmtAny(num(l, "layer")), esc(orDash(text(l, "hook"))),
          fmt(num(l, "train")), fmt(num(l, "dev")), fmt(num(l, "test")),
          fmt(num(l, "control_test")), fmt(num(l, "selectivity")));
    }
    if (oracle != null && oracle.isObject()) {
      t.rowWithClass("oracle", "oracle", "all layers", fmt(num(oracle, "train")), fmt(num(oracle, "dev")),
          fmt(num(oracle, "test")), fmt(num(oracle, "control_test")), fmt(num(oracle, "selectivity")));
    }
    sb.append(t.html());
    if (baselines != null && !baselines.has("type_lookup")) {
      sb.append("<p class=\"baselines\">Without activations (test split): majority class <b>")
          .append(fmt(num(baselines, "majority"))).append("</b>.</p>");
    } else if (baselines != null) {
      sb.append("<p class=\"baselines\">Without activations (test split): majority class <b>")
          .append(fmt(num(baselines, "majority"))).append("</b> · each token type's most frequent training label <b>")
          .append(fmt(num(baselines, "type_lookup"))).append("</b> · the same lookup on the control task <b>")
          .append(fmt(num(baselines, "control_type_lookup"))).append("</b> · test tokens whose type occurs in training ")
          .append(fmt(num(baselines, "seen_types"))).append(". A control score near the control lookup means the probe")
          .append(" memorises word types as well as a lookup table; a real score near the type lookup means the labels")
          .append(" follow from the token's identity.</p>");
    }
    JsonNode other = task.get("other_split");
    if (other != null && other.isObject() && other.get("oracle") != null) {
      JsonNode o = other.get("oracle");
      JsonNode ob = other.get("baselines");
      String own = text(task, "split");
      Html.Table s = new Html.Table("data", "split", "oracle test", "control (test)", "selectivity", "type lookup",
          "control lookup", "train rows", "test rows");
      if (oracle != null && oracle.isObject()) {
        JsonNode sp = task.get("splits");
        s.row(esc(own == null ? "this section's" : own), fmt(num(oracle, "test")), fmt(num(oracle, "control_test")),
            fmt(num(oracle, "selectivity")), baselines == null ? Html.MISSING : fmt(num(baselines, "type_lookup")),
            baselines == null ? Html.MISSING : fmt(num(baselines, "control_type_lookup")),
            fmtAny(num(sp, "train")), fmtAny(num(sp, "test")));
      }
      s.row(esc(orDash(text(other, "split"))), fmt(num(o, "test")), fmt(num(o, "control_test")),
          fmt(num(o, "selectivity")), ob == null ? Html.MISSING : fmt(num(ob, "type_lookup")),
          ob == null ? Html.MISSING : fmt(num(ob, "control_type_lookup")),
          fmtAny(num(other.get("splits"), "train")), fmtAny(num(other.get("splits"), "test")));
      sb.append("<h4>Memorisation check: the oracle under both splits</h4><p class=\"meta\">type-disjoint: no")
          .append(" keyword, operator, punctuation, boolean/null or type name seen in training appears in dev or test,")
          .append(" so neither the probe nor a lookup table can pass by remembering those words.</p>").append(s.html());
    }
  }

  private void topNeurons(StringBuilder sb) {
    JsonNode top = task.get("top_neurons");
    double[] dist = Html.numbers(task.get("layer_distribution"));
    boolean hasTop = top != null && top.isObject();
    if (!hasTop && dist.length == 0) {
      return;
    }
    sb.append("<h3>Top neurons</h3>");
    JsonNode perClass = hasTop ? top.get("per_class") : null;
    List<Series> byClass = perClassLayers(perClass, dist.length);
    if (dist.length > 0 || !byClass.isEmpty()) {
      sb.append("<div class=\"charts\">");
      if (dist.length > 0) {
        sb.append(charts.bars(name + ": top neurons per layer", "layer", "neurons", layerLabels(dist.length),
            List.of(new Series("overall top neurons", dist, Charts.palette(0), Stroke.SOLID)), BarLayout.GROUPED));
      }
      if (!byClass.isEmpty()) {
        sb.append(charts.bars(name + ": top neurons per class and layer", "layer", "neurons",
            layerLabels(byClass.get(0).values().length), byClass, BarLayout.STACKED));
      }
      sb.append("</div>");
    }
    if (!hasTop) {
      return;
    }
    JsonNode stability = task.get("stability");
    if (stability != null && stability.isObject()) {
      sb.append("<p class=\"stability\">Stability over ").append(fmtAny(num(stability, "runs")))
          .append(" probe seeds (same split): the top-").append(fmtAny(num(stability, "top_k")))
          .append(" sets (5% of the neurons) overlap with mean Jaccard <b>").append(fmt(num(stability, "mean_jaccard")))
          .append("</b>; ").append(fmtAny(num(stability, "stable_in_top_k")))
          .append(" of them are selected in at least 80% of the runs (marked ✓ stable). A single run's ranking says")
          .append(" little about a neuron that is not stable.</p>");
    }
    List<JsonNode> overall = list(top, "overall");
    if (!overall.isEmpty()) {
      sb.append("<h4>Overall</h4>").append(neuronTable(overall));
    }
    if (perClass != null && perClass.isObject() && !perClass.isEmpty()) {
      sb.append("<h4>Per class</h4><div class=\"classgrid\">");
      for (Iterator<Map.Entry<String, JsonNode>> it = perClass.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        List<JsonNode> neurons = new ArrayList<>();
        if (e.getValue().isArray()) {
          e.getValue().forEach(neurons::add);
        }
        sb.append("<div class=\"classbox\"><h5>").append(esc(e.getKey())).append(" <span class=\"meta\">(")
            .append(neurons.size()).append(" neurons)</span></h5>");
        sb.append(neurons.isEmpty() ? "<p class=\"meta\">none</p>" : neuronTable(neurons)).append("</div>");
      }
      sb.append("</div>");
    }
  }

  /**
   * Per class, how many of its top neurons sit in each layer (one series per class, for a stacked
   * bar chart); empty when there are no per-class lists or more than {@link #MAX_STACKED} classes.
   */
  static List<Series> perClassLayers(JsonNode perClass, int minLayers) {
    if (perClass == null || !perClass.isObject() || perClass.size() > MAX_STACKED) {
      return List.of();
    }
    int layers = minLayers;
    for (JsonNode list : perClass) {
      for (JsonNode n : list) {
        double l = num(n, "layer");
        if (Double.isFinite(l) && l >= 0 && l < 10_000) {
          layers = Math.max(layers, (int) l + 1);
        }
      }
    }
    List<Series> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = perClass.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      double[] counts = new double[layers];
      for (JsonNode n : e.getValue()) {
        double l = num(n, "layer");
        if (Double.isFinite(l) && l >= 0 && l < layers) {
          counts[(int) l]++;
        }
      }
      out.add(Series.of(e.getKey(), counts));
    }
    return layers == 0 || out.stream().noneMatch(s -> anyPositive(s.values())) ? List.of() : out;
  }

  private static boolean anyPositive(double[] values) {
    for (double v : values) {
      if (v > 0) {
        return true;
      }
    }
    return false;
  }

  private static List<String> layerLabels(int n) {
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      labels.add(Integer.toString(i));
    }
    return labels;
  }

  private static String neuronTable(List<JsonNode> neurons) {
    boolean runs = neurons.stream().anyMatch(n -> n.has("selected"));
    boolean detects = neurons.stream().anyMatch(n -> n.has("detected"));
    List<String> headers = new ArrayList<>(List.of("#", "layer", "neuron", "hook", "weight"));
    if (runs) {
      headers.add("selected in");
    }
    if (detects) {
      headers.add("detects best (AP vs chance)");
    }
    Html.Table t = new Html.Table("data compact", headers.toArray(String[]::new));
    int shown = Math.min(TOP_ROWS, neurons.size());
    for (int i = 0; i < shown; i++) {
      JsonNode n = neurons.get(i);
      List<String> cells = new ArrayList<>(List.of(Integer.toString(i + 1), fmtAny(num(n, "layer")),
          fmtAny(num(n, "index")), esc(orDash(text(n, "hook"))), fmt(num(n, "weight"))));
      if (runs) {
        double sel = num(n, "selected");
        String pct = Double.isFinite(sel) ? Math.round(100 * sel) + "% of runs" : Html.MISSING;
        cells.add(sel >= 0.8 - 1e-12 ? "<b class=\"stable\">" + pct + " ✓ stable</b>" : pct);
      }
      if (detects) {
        JsonNode d = n.get("detected");
        cells.add(d == null || !d.isObject() ? Html.MISSING : esc(orDash(text(d, "concept")))
            + (num(d, "sign") < 0 ? " (−)" : "") + " " + fmt(num(d, "ap")) + " vs " + fmt(num(d, "base_rate")));
      }
      t.row(cells.toArray(String[]::new));
    }
    String more = neurons.size() > shown
        ? "<p class=\"meta\">… and " + (neurons.size() - shown) + " more</p>" : "";
    return t.html() + more;
  }

  private void ablation(StringBuilder sb) {
    List<JsonNode> rows = list(task, "ablation");
    if (rows.isEmpty()) {
      return;
    }
    int n = rows.size();
    double[] k = new double[n];
    String[] keys = {"top_zeroed", "random_zeroed", "bottom_zeroed", "top_retrained", "random_retrained", "bottom_retrained"};
    double[][] v = new double[keys.length][n];
    for (int i = 0; i < n; i++) {
      k[i] = num(rows.get(i), "k_percent");
      for (int j = 0; j < keys.length; j++) {
        v[j][i] = num(rows.get(i), keys[j]);
      }
    }
    sb.append("<h3>Ablation</h3><p class=\"meta\">k% of neurons (ranked top / random / bottom) are zeroed in"
        + " the trained probe, or kept alone and the probe retrained.</p><div class=\"charts\">");
    String[] who = {"top", "random", "bottom"};
    for (int mode = 0; mode < 2; mode++) {
      List<Series> series = new ArrayList<>();
      for (int j = 0; j < 3; j++) {
        series.add(new Series(who[j] + " k% " + (mode == 0 ? "zeroed" : "kept, retrained"), v[mode * 3 + j], Charts.palette(j),
            mode == 0 ? Stroke.SOLID : Stroke.DASHED));
      }
      if (series.stream().anyMatch(s -> anyFinite(s.values()))) {
        sb.append(charts.line(name + ": " + (mode == 0 ? "zeroing" : "retraining on") + " k% neurons",
            "k (% of neurons)", metric, k, series, false));
      }
    }
    sb.append("</div>");
    Html.Table t = new Html.Table("data", "k %", "top zeroed", "random zeroed", "bottom zeroed",
        "top retrained", "random retrained", "bottom retrained");
    for (int i = 0; i < n; i++) {
      t.row(fmtAny(k[i]), fmt(v[0][i]), fmt(v[1][i]), fmt(v[2][i]), fmt(v[3][i]), fmt(v[4][i]), fmt(v[5][i]));
    }
    sb.append(t.html());
  }

  private void redundancy(StringBuilder sb) {
    List<JsonNode> rows = list(task.get("redundancy"), "pipeline");
    if (rows.isEmpty()) {
      return;
    }
    sb.append("<h3>Redundancy: LayerSelector → correlation clustering → LCA</h3>");
    Html.Table t = new Html.Table("data", "layer δ", "neuron δ", "CC threshold", "selected layers",
        "neurons after CC", "minimal k", "removable %", "oracle test", "minimal test");
    for (JsonNode r : rows) {
      t.row(fmt(num(r, "layer_delta")), fmt(num(r, "neuron_delta")), fmt(num(r, "cc_threshold")),
          Html.scalar(r.get("selected_layers")), fmtAny(num(r, "neurons_after_cc")), fmtAny(num(r, "minimal_k")),
          fmtAny(num(r, "removable_percent")), fmt(num(r, "oracle_test")), fmt(num(r, "minimal_test")));
    }
    sb.append(t.html());
  }

  /** Index of the layer with the best dev score (test if no dev), or -1. */
  private static int bestLayer(List<JsonNode> layers) {
    int best = -1;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < layers.size(); i++) {
      double s = num(layers.get(i), "dev");
      if (!Double.isFinite(s)) {
        s = num(layers.get(i), "test");
      }
      if (Double.isFinite(s) && s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    return best;
  }

  static boolean anyFinite(double[] values) {
    for (double v : values) {
      if (Double.isFinite(v)) {
        return true;
      }
    }
    return false;
  }

  private static String orDash(String s) {
    return s == null ? Html.MISSING : s;
  }
}
