package dev.neurolens.report;

import static dev.neurolens.report.Html.esc;
import static dev.neurolens.report.Html.fmt;
import static dev.neurolens.report.Html.fmtAny;
import static dev.neurolens.report.Html.list;
import static dev.neurolens.report.Html.num;
import static dev.neurolens.report.Html.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.analysis.AnalysisResult;
import dev.neurolens.report.Charts.Series;
import dev.neurolens.util.Json;
import dev.neurolens.util.AtomicFiles;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a {@code results.json} tree (written by {@code neurolens analyze}, schema in
 * docs/results-schema.md) into one self-contained HTML page: inline CSS, inline SVG charts, a few lines
 * of inline script for the neuron filter, and no reference to any network resource.
 *
 * <p>Every section is optional: the page shows the header (model, corpus, extraction settings,
 * timings), then per task the layer-wise scores, top neurons, ablation and redundancy, then the
 * correlation clustering curves, the layer CKA heat-map and the neuron explorer — whatever the
 * tree holds. Missing, null or non-finite numbers render as a dash and leave gaps in charts.
 *
 * <p>Usage: {@code HtmlReport.write(AnalysisResult.read(Path.of("out/results.json")), Path.of("out/report.html"))}
 */
public final class HtmlReport {
  private HtmlReport() {}

  /**
   * Reads and checks a results file: a JSON object with {@code model} and {@code corpus} objects.
   * Accepts bare {@code NaN}/{@code Infinity} tokens as well as Jackson's quoted form.
   *
   * @throws NeuroLensException naming the file when it is missing, unreadable, not JSON, or lacks
   *     the required objects
   */
  public static JsonNode read(Path resultsJson) {
    JsonNode root = Json.readObject(resultsJson, "run `neurolens analyze` first");
    for (String required : List.of("model", "corpus")) {
      if (!Html.isObject(root, required)) {
        throw new NeuroLensException(resultsJson + ": missing required object '" + required
            + "' (is this a results.json written by `neurolens analyze`?)");
      }
    }
    return root;
  }

  /** Renders the results of an analysis and writes the page to {@code htmlFile} atomically. */
  public static void write(AnalysisResult results, Path htmlFile) {
    write((JsonNode) Json.MAPPER.valueToTree(results), htmlFile);
  }

  /** The report page for {@code results}; never fails on missing sections or non-finite values. */
  public static String render(JsonNode results) {
    Objects.requireNonNull(results, "results");
    if (!results.isObject()) {
      throw new IllegalArgumentException("results must be a JSON object, found " + results.getNodeType());
    }
    Charts charts = new Charts();
    List<TaskSection> tasks = new ArrayList<>();
    List<JsonNode> taskNodes = list(results, "tasks");
    for (int i = 0; i < taskNodes.size(); i++) {
      if (taskNodes.get(i).isObject()) {
        tasks.add(new TaskSection(taskNodes.get(i), charts, i));
      }
    }
    JsonNode model = results.get("model");
    String modelId = model != null ? text(model, "id") : null;
    String title = "NeuroLens report" + (modelId == null ? "" : " — " + modelId);

    StringBuilder body = new StringBuilder();
    StringBuilder nav = new StringBuilder("<nav>");
    String findings = Findings.html(results);
    if (!findings.isEmpty()) {
      nav.append("<a href=\"#findings\">findings</a> · ");
      body.append(findings);
    }
    nav.append("<a href=\"#run\">run</a>");
    body.append(header(results));
    for (int i = 0; i < tasks.size(); i++) {
      String anchor = "task-" + i;
      nav.append(" · <a href=\"#").append(anchor).append("\">").append(esc(tasks.get(i).name())).append("</a>");
      body.append(tasks.get(i).html(anchor));
    }
    List<JsonNode> concepts = list(results, "concepts");
    if (!concepts.isEmpty()) {
      nav.append(" · <a href=\"#concepts\">concept neurons</a>");
      body.append(ConceptSectionHtml.html(concepts));
    }
    JsonNode clustering = results.get("clustering");
    if (clustering != null && clustering.isObject()) {
      nav.append(" · <a href=\"#clustering\">clustering</a>");
      body.append(clustering(clustering, charts));
    }
    JsonNode cka = results.get("cka");
    if (cka != null && cka.isObject() && !list(cka, "matrix").isEmpty()) {
      nav.append(" · <a href=\"#cka\">layer CKA</a>");
      body.append(cka(cka, charts));
    }
    JsonNode comparison = results.get("comparison");
    if (comparison != null && comparison.isObject()) {
      nav.append(" · <a href=\"#finetuning\">fine-tuning</a>");
      body.append(ComparisonSection.html(comparison, charts));
    }
    List<JsonNode> neurons = list(results, "neurons");
    neurons.removeIf(n -> !n.isObject());
    if (!neurons.isEmpty()) {
      nav.append(" · <a href=\"#neurons\">neuron explorer</a>");
      body.append(NeuronExplorer.html(neurons));
    }
    nav.append("</nav>");

    return "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/><title>" + esc(title) + "</title>"
        + "<style>" + CSS + "</style><script>" + NeuronExplorer.SCRIPT + "</script></head><body><h1>" + esc(title)
        + "</h1>" + nav + body + "<footer>Generated by NeuroLens"
        + (text(results, "neurolens_version") == null ? "" : " " + esc(text(results, "neurolens_version")))
        + ". Self-contained page: no network resources.</footer></body></html>\n";
  }

  /**
   * Renders {@code results} and writes the page to {@code htmlFile} atomically (temp file in the
   * same folder, then rename): a failure leaves no partial report behind.
   */
  public static void write(JsonNode results, Path htmlFile) {
    String html = render(results);
    try {
      AtomicFiles.write(htmlFile, tmp -> Files.writeString(tmp, html, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new NeuroLensException(htmlFile + ": cannot write report (" + e + ")", e);
    }
  }

  /** Top-level fields that have their own section below the header. */
  private static final List<String> BODY_SECTIONS = List.of("tasks", "concepts", "clustering", "cka", "comparison", "neurons");

  private static String header(JsonNode r) {
    StringBuilder sb = new StringBuilder("<section id=\"run\"><h2>Run</h2><div class=\"kvgrid\">");
    Html.Table run = new Html.Table("kv", "run", "");
    List<String> objects = new ArrayList<>(List.of("model", "corpus", "extraction", "timings"));
    for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      // scalars and unknown objects (settings a later analyze may add) are shown here too
      if (!BODY_SECTIONS.contains(e.getKey()) && !objects.contains(e.getKey())) {
        if (e.getValue().isObject()) {
          objects.add(e.getKey());
        } else {
          run.row(esc(e.getKey()), Html.scalar(e.getValue()));
        }
      }
    }
    sb.append(run.html());
    for (String section : objects) {
      JsonNode obj = r.get(section);
      if (obj == null || !obj.isObject()) {
        continue;
      }
      Html.Table t = new Html.Table("kv", section + ("timings".equals(section) ? " (s)" : ""), "");
      for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String value = Html.scalar(e.getValue());
        if ("hooks".equals(e.getKey()) && e.getValue().isArray()) {
          value = "<details><summary>" + e.getValue().size() + " hooks</summary>" + value + "</details>";
        }
        t.row(esc(e.getKey()), value);
      }
      sb.append(t.html());
    }
    return sb.append("</div></section>").toString();
  }

  private static String clustering(JsonNode c, Charts charts) {
    double[] thresholds = Html.numbers(c.get("thresholds"));
    double[] total = Html.numbers(c.get("total_independent"));
    List<JsonNode> layers = list(c, "layers");
    List<JsonNode> perLayer = list(c, "independent_per_layer");
    StringBuilder sb = new StringBuilder("<section id=\"clustering\"><h2>Correlation clustering</h2><p class=\"meta\">")
        .append("neurons in all: ").append(fmtAny(num(c, "total_neurons")))
        .append(" · constant (dropped): ").append(fmtAny(num(c, "constant_neurons")))
        .append(". A neuron is independent when no other neuron of its cluster represents it at the threshold.</p>");
    if (thresholds.length == 0) {
      return sb.append("</section>").toString();
    }
    sb.append("<div class=\"charts\">");
    List<Series> totals = new ArrayList<>(List.of(Series.of("independent neurons", total)));
    double all = num(c, "total_neurons");
    if (Double.isFinite(all)) {
      double[] flat = new double[thresholds.length];
      java.util.Arrays.fill(flat, all);
      totals.add(new Series("all neurons", flat, Charts.palette(7), Charts.Stroke.DASHED));
    }
    sb.append(charts.line("independent neurons vs clustering threshold", "correlation-distance threshold",
        "independent neurons", thresholds, totals, false));
    List<Series> byLayer = new ArrayList<>();
    for (int l = 0; l < layers.size(); l++) {
      double[] ys = new double[thresholds.length];
      for (int t = 0; t < thresholds.length; t++) {
        ys[t] = t < perLayer.size() ? num(perLayer.get(t).get(l)) : Double.NaN;
      }
      byLayer.add(new Series("layer " + layers.get(l).asText(), ys, Charts.ramp(l, layers.size()), Charts.Stroke.SOLID));
    }
    if (!byLayer.isEmpty()) {
      sb.append(charts.line("independent neurons per layer vs threshold", "correlation-distance threshold",
          "independent neurons", thresholds, byLayer, false));
    }
    sb.append("</div>");
    List<String> headers = new ArrayList<>(List.of("threshold", "total"));
    layers.forEach(l -> headers.add("layer " + l.asText()));
    Html.Table t = new Html.Table("data", headers.toArray(String[]::new));
    for (int i = 0; i < thresholds.length; i++) {
      List<String> cells = new ArrayList<>(List.of(fmt(thresholds[i]), fmtAny(i < total.length ? total[i] : Double.NaN)));
      JsonNode row = i < perLayer.size() ? perLayer.get(i) : null;
      for (int l = 0; l < layers.size(); l++) {
        cells.add(fmtAny(row == null ? Double.NaN : num(row.get(l))));
      }
      t.row(cells.toArray(String[]::new));
    }
    return sb.append(t.html()).append("</section>").toString();
  }

  private static String cka(JsonNode c, Charts charts) {
    List<JsonNode> rows = list(c, "matrix");
    List<String> labels = new ArrayList<>();
    list(c, "layers").forEach(l -> labels.add(l.asText()));
    for (int i = labels.size(); i < rows.size(); i++) {
      labels.add(Integer.toString(i));
    }
    double[][] m = new double[rows.size()][];
    for (int i = 0; i < m.length; i++) {
      m[i] = Html.numbers(rows.get(i));
    }
    List<String> used = labels.subList(0, rows.size());
    StringBuilder sb = new StringBuilder("<section id=\"cka\"><h2>Layer similarity (linear CKA)</h2>");
    sb.append("<div class=\"charts\">")
        .append(charts.heatMap("linear CKA between layers", "layer", used, m, "CKA")).append("</div>");
    List<String> headers = new ArrayList<>(List.of("layer"));
    headers.addAll(used);
    Html.Table t = new Html.Table("data compact", headers.toArray(String[]::new));
    for (int i = 0; i < m.length; i++) {
      List<String> cells = new ArrayList<>(List.of(esc(used.get(i))));
      for (int j = 0; j < used.size(); j++) {
        cells.add(fmt(j < m[i].length ? m[i][j] : Double.NaN));
      }
      t.row(cells.toArray(String[]::new));
    }
    return sb.append("<details><summary>CKA values</summary>").append(t.html()).append("</details></section>").toString();
  }

  static final String CSS = String.join("",
      "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1400px;padding:0 1.5em 3em;color:#222}",
      "h1{font-size:1.6em;margin:.8em 0 .3em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:1.6em}",
      "h5{margin:.3em 0}nav{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid #eee;z-index:2}",
      ".meta{color:#666;font-size:.9em;font-weight:normal}",
      "table{border-collapse:collapse;margin:.5em 0 1em;font-size:.88em}",
      "th,td{border:1px solid #ddd;padding:.25em .6em;text-align:right}th{background:#f5f5f5}",
      "td:first-child,th:first-child{text-align:left}table.kv td:nth-child(2){text-align:left;max-width:40em}",
      "tr.best td{background:#eef7ee}tr.oracle td{font-weight:bold;background:#f7f3e8}",
      "table.compact{font-size:.8em}.kvgrid{display:flex;flex-wrap:wrap;gap:1.2em;align-items:flex-start}",
      ".charts{display:flex;flex-wrap:wrap;gap:1em}.charts svg{max-width:100%;height:auto;border:1px solid #eee}",
      ".classgrid{display:flex;flex-wrap:wrap;gap:1em}.classbox{border:1px solid #eee;padding:.3em .6em}",
      ".neuron{border:1px solid #ddd;border-radius:6px;padding:.2em 1em .6em;margin:1em 0}.neuron h3{margin:.5em 0 .2em}",
      ".chip{display:inline-block;background:#f0f0f0;border-radius:4px;padding:0 .4em;margin:.1em;font-size:.85em}",
      ".code{margin:.4em 0}.snippet{color:#888;font-size:.75em}",
      "pre.heat{white-space:pre-wrap;word-break:break-word;background:#fafafa;border:1px solid #eee;padding:.5em;margin:.2em 0;",
      "font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:.85em;line-height:1.7}",
      ".differs{color:#a35200}.concept{margin:.6em 0 1.2em}",
      ".tok{border-radius:2px;padding:0 1px}.nochart{color:#a00}footer{margin-top:3em;color:#888;font-size:.8em}");
}
