package dev.neurolens.report;

import static dev.neurolens.report.Html.esc;
import static dev.neurolens.report.Html.fmt;
import static dev.neurolens.report.Html.fmtAny;
import static dev.neurolens.report.Html.list;
import static dev.neurolens.report.Html.num;
import static dev.neurolens.report.Html.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The neuron explorer ({@code neurons[]} of {@code results.json}): per neuron its concept, purity,
 * top tokens, and heat-maps of its activation over real code, with a text filter.
 *
 * <p>Heat-map colouring: each code token is shaded red for a positive and blue for a negative
 * activation, with opacity {@code |a| / max|a|} where the maximum runs over all examples of that
 * neuron (so its examples are comparable); an all-zero or non-finite neuron is left unshaded.
 */
final class NeuronExplorer {
  /** Top tokens shown per neuron. */
  static final int TOP_TOKENS = 20;

  private NeuronExplorer() {}

  /** Filter box script: no {@code <} or {@code &}, so the page stays well-formed XML. */
  static final String SCRIPT =
      "function nlFilter(q){q=q.toLowerCase();"
          + "document.querySelectorAll('.neuron').forEach(function(c){"
          + "c.style.display=c.getAttribute('data-search').indexOf(q)>=0?'':'none';});}"
          + "function nlSet(b){var i=document.getElementById('nlq');i.value=b.getAttribute('data-q');nlFilter(i.value);}";

  static String html(List<JsonNode> neurons) {
    StringBuilder sb = new StringBuilder();
    sb.append("<section id=\"neurons\"><h2>Neuron explorer</h2>")
        .append("<p class=\"meta\">").append(neurons.size()).append(" neurons. Code heat-maps: ")
        .append("<span class=\"tok\" style=\"background-color:rgba(214,39,40,0.8)\">positive</span> / ")
        .append("<span class=\"tok\" style=\"background-color:rgba(31,119,180,0.8)\">negative</span>")
        .append(" activation; opacity = |a| / max |a| over the neuron's examples. Hover a token for its value.</p>")
        .append("<p><label>Filter (concept, layer, hook, token): <input type=\"search\" id=\"nlq\"")
        .append(" oninput=\"nlFilter(this.value)\"/></label> ");
    Set<String> concepts = new TreeSet<>();
    neurons.forEach(n -> concepts.add(text(n, "concept") == null ? "" : text(n, "concept")));
    concepts.remove("");
    sb.append("<button type=\"button\" data-q=\"\" onclick=\"nlSet(this)\">all</button>");
    for (String c : concepts) {
      sb.append(" <button type=\"button\" data-q=\"").append(esc(c.toLowerCase(Locale.ROOT)))
          .append("\" onclick=\"nlSet(this)\">").append(esc(c)).append("</button>");
    }
    sb.append("</p>");
    for (JsonNode n : neurons) {
      card(sb, n);
    }
    return sb.append("</section>").toString();
  }

  private static void card(StringBuilder sb, JsonNode n) {
    String layer = fmtAny(num(n, "layer"));
    String index = fmtAny(num(n, "index"));
    String hook = text(n, "hook");
    String concept = text(n, "concept");
    JsonNode detected = n.get("detected");
    String detectedConcept = detected != null && detected.isObject() ? text(detected, "concept") : null;
    String rankedFor = text(n, "ranked_for");
    StringBuilder search = new StringBuilder("layer ").append(layer).append(" l").append(layer)
        .append(" #").append(index).append(' ').append(hook == null ? "" : hook).append(' ')
        .append(concept == null ? "" : concept).append(' ').append(detectedConcept == null ? "" : detectedConcept);
    List<JsonNode> tops = list(n, "top_tokens");
    for (int i = 0; i < Math.min(TOP_TOKENS, tops.size()); i++) {
      search.append(' ').append(Html.text(tops.get(i), "token"));
    }
    sb.append("<div class=\"neuron\" data-search=\"").append(esc(search.toString().toLowerCase(Locale.ROOT)))
        .append("\"><h3>Layer ").append(esc(layer)).append(" · neuron ").append(esc(index));
    if (hook != null) {
      sb.append(" <span class=\"meta\">").append(esc(hook)).append("</span>");
    }
    sb.append("</h3><p>concept: <b>").append(esc(concept == null ? Html.MISSING : concept))
        .append("</b> · purity: ").append(fmt(num(n, "purity")));
    if (rankedFor != null) {
      sb.append(" · LCA class: <b>").append(esc(rankedFor)).append("</b>");
    }
    sb.append("</p>");
    if (detectedConcept != null) {
      sb.append("<p class=\"detected\">detects best: <b>").append(esc(detectedConcept)).append("</b> (")
          .append(num(detected, "sign") < 0 ? "low" : "high").append(" activation; AP ").append(fmt(num(detected, "ap")))
          .append(" vs ").append(fmt(num(detected, "base_rate"))).append(" for a random neuron)");
      if (rankedFor != null && !rankedFor.equals(detectedConcept)) {
        sb.append(" · <span class=\"differs\">differs from its LCA class ").append(esc(rankedFor)).append("</span>");
      }
      sb.append("</p>");
    }
    if (!tops.isEmpty()) {
      sb.append("<p class=\"toptokens\">top tokens: ");
      for (int i = 0; i < Math.min(TOP_TOKENS, tops.size()); i++) {
        JsonNode t = tops.get(i);
        sb.append("<span class=\"chip\"><code>").append(esc(text(t, "token"))).append("</code> ")
            .append(fmt(num(t, "score"))).append("</span> ");
      }
      sb.append("</p>");
    }
    List<JsonNode> examples = list(n, "examples");
    double max = maxAbs(examples);
    for (JsonNode ex : examples) {
      sb.append("<div class=\"code\">");
      String snippet = text(ex, "snippet");
      if (snippet != null) {
        sb.append("<span class=\"snippet\">").append(esc(snippet)).append("</span>");
      }
      sb.append(heatMap(list(ex, "tokens"), Html.numbers(ex.get("values")), max)).append("</div>");
    }
    sb.append("</div>");
  }

  /**
   * One code example as coloured token spans; tokens without a value (arrays of unequal length)
   * are shown uncoloured.
   */
  static String heatMap(List<JsonNode> tokens, double[] values, double maxAbs) {
    StringBuilder sb = new StringBuilder("<pre class=\"heat\">");
    for (int i = 0; i < tokens.size(); i++) {
      double a = i < values.length ? values[i] : Double.NaN;
      if (i > 0) {
        sb.append(' ');
      }
      sb.append("<span class=\"tok\"");
      if (Double.isFinite(a) && maxAbs > 0 && a != 0) {
        double alpha = Math.min(1, Math.abs(a) / maxAbs);
        sb.append(" style=\"background-color:rgba(")
            .append(a > 0 ? "214,39,40," : "31,119,180,")
            .append(String.format(Locale.ROOT, "%.3f", alpha)).append(")\"");
      }
      sb.append(" title=\"").append(Html.sig4(a))
          .append("\">").append(esc(tokens.get(i).asText())).append("</span>");
    }
    return sb.append("</pre>").toString();
  }

  /** Largest finite |activation| over all examples, 0 when there is none. */
  static double maxAbs(List<JsonNode> examples) {
    double max = 0;
    for (JsonNode ex : examples) {
      for (double v : Html.numbers(ex.get("values"))) {
        if (Double.isFinite(v)) {
          max = Math.max(max, Math.abs(v));
        }
      }
    }
    return max;
  }
}
