package dev.neurolens.report;

import static dev.neurolens.report.Html.esc;
import static dev.neurolens.report.Html.fmt;
import static dev.neurolens.report.Html.fmtAny;
import static dev.neurolens.report.Html.list;
import static dev.neurolens.report.Html.num;
import static dev.neurolens.report.Html.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The "Concept neurons" section ({@code concepts[]} of results.json): per task and concept, the
 * neurons that detect it best among all neurons, with average precision, precision at k and IoU
 * beside a random neuron's, their top tokens and heat-maps over real code.
 */
final class ConceptSectionHtml {
  /** Top tokens shown per neuron. */
  static final int TOP_TOKENS = 12;

  private ConceptSectionHtml() {}

  static String html(List<JsonNode> sections) {
    StringBuilder sb = new StringBuilder("<section id=\"concepts\"><h2>Concept neurons</h2><p class=\"meta\">")
        .append("Every neuron is scored as a detector of every value of the task over all labelled tokens, with both")
        .append(" signs (+: high activation marks the concept, −: low activation does). AP = average precision;")
        .append(" P@k = precision among the k most activated tokens, k = the concept's count; P@100 likewise for the")
        .append(" top 100; IoU of the top-quantile tokens with the concept's tokens. <i>random</i> = the mean of 16")
        .append(" seeded random neurons (a random neuron scores the concept's share on AP and precision).</p>");
    for (JsonNode s : sections) {
      if (!s.isObject()) {
        continue;
      }
      String task = text(s, "task");
      sb.append("<h3>Task ").append(esc(task == null ? Html.MISSING : task)).append(" <span class=\"meta\">")
          .append(fmtAny(num(s, "rows"))).append(" tokens, ").append(fmtAny(num(s, "neurons_searched")))
          .append(" neurons searched</span></h3>");
      for (JsonNode c : list(s, "concepts")) {
        concept(sb, c);
      }
    }
    return sb.append("</section>").toString();
  }

  private static void concept(StringBuilder sb, JsonNode c) {
    String name = text(c, "concept");
    JsonNode random = c.get("random_baseline");
    sb.append("<div class=\"concept\" data-concept=\"").append(esc(name == null ? "" : name)).append("\"><h4>")
        .append(esc(name == null ? Html.MISSING : name)).append(" <span class=\"meta\">").append(fmtAny(num(c, "count")))
        .append(" tokens (").append(fmt(100 * num(c, "base_rate"))).append("%)</span></h4>");
    Html.Table t = new Html.Table("data", "neuron", "sign", "AP", "P@k", "P@100", "IoU", "top tokens");
    if (random != null && random.isObject()) {
      t.row("<i>random</i>", "", fmt(num(random, "ap")), fmt(num(random, "precision_at_k")),
          fmt(num(random, "precision_at_100")), fmt(num(random, "iou")), "");
    }
    List<JsonNode> neurons = list(c, "neurons");
    for (JsonNode n : neurons) {
      StringBuilder tops = new StringBuilder();
      List<JsonNode> tokens = list(n, "top_tokens");
      for (int i = 0; i < Math.min(TOP_TOKENS, tokens.size()); i++) {
        tops.append("<span class=\"chip\"><code>").append(esc(text(tokens.get(i), "token"))).append("</code></span> ");
      }
      t.row("layer " + fmtAny(num(n, "layer")) + " · " + fmtAny(num(n, "index")), num(n, "sign") < 0 ? "−" : "+",
          fmt(num(n, "ap")), fmt(num(n, "precision_at_k")), fmt(num(n, "precision_at_100")), fmt(num(n, "iou")),
          tops.toString().strip());
    }
    sb.append(t.html());
    for (JsonNode n : neurons) {
      List<JsonNode> examples = list(n, "examples");
      if (examples.isEmpty()) {
        continue;
      }
      sb.append("<details class=\"heatmaps\"><summary>heat-maps of layer ").append(esc(fmtAny(num(n, "layer"))))
          .append(" · neuron ").append(esc(fmtAny(num(n, "index")))).append("</summary>");
      double max = NeuronExplorer.maxAbs(examples);
      for (JsonNode ex : examples) {
        sb.append("<div class=\"code\"><span class=\"snippet\">").append(esc(text(ex, "snippet"))).append("</span>")
            .append(NeuronExplorer.heatMap(list(ex, "tokens"), Html.numbers(ex.get("values")), max)).append("</div>");
      }
      sb.append("</details>");
    }
    sb.append("</div>");
  }
}
