package dev.neurolens.report;

import static dev.neurolens.report.Html.esc;
import static dev.neurolens.report.Html.fmt;
import static dev.neurolens.report.Html.list;
import static dev.neurolens.report.Html.num;
import static dev.neurolens.report.Html.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The "Fine-tuning" section: the layer drift curves (RSA, CKA, token cosine, neuron
 * self-correlation), the freeze advice, and per task the probe curves of both models on one chart
 * and the relocation histograms side by side. Renders the JSON form of {@code ComparisonResult}.
 */
final class ComparisonSection {
  private ComparisonSection() {}

  static String html(JsonNode c, Charts charts) {
    List<JsonNode> layers = list(c, "layers");
    double[] xs = new double[layers.size()];
    String[][] fields = {
      {"rsa_spearman", "RSA (Spearman)"}, {"rsa_pearson", "RSA (Pearson)"}, {"cka", "linear CKA"},
      {"token_cosine", "same-token cosine"}, {"neuron_self_correlation_median", "neuron self-correlation (median)"}
    };
    List<Charts.Series> series = new ArrayList<>();
    for (String[] f : fields) {
      double[] v = new double[layers.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = num(layers.get(i), f[0]);
      }
      series.add(Charts.Series.of(f[1], v));
    }
    for (int i = 0; i < xs.length; i++) {
      xs[i] = num(layers.get(i), "layer");
    }
    StringBuilder sb = new StringBuilder("<section id=\"finetuning\"><h2>Fine-tuning: what changed</h2>");
    sb.append("<p class=\"meta\">base ").append(esc(text(c, "base"))).append(" vs tuned ").append(esc(text(c, "tuned")))
        .append(", ").append((long) num(c, "tokens")).append(" tokens, RSA over ").append((long) num(c, "rsa_snippets"))
        .append(" snippets (layer 0 = embeddings)</p>");
    JsonNode advice = c.get("freeze_advice");
    if (advice != null && advice.isObject()) {
      sb.append("<p><b>Freeze advice: --freeze ").append(esc(text(advice, "suggested_freeze"))).append("</b> — ")
          .append(esc(text(advice, "reason"))).append("</p>");
    }
    sb.append("<div class=\"charts\">")
        .append(charts.line("Base vs tuned, per layer", "layer", "similarity", xs, series, true));
    for (JsonNode task : list(c, "tasks")) {
      List<JsonNode> base = list(task, "base");
      List<JsonNode> tuned = list(task, "tuned");
      double[] tx = new double[base.size()];
      double[] vb = new double[base.size()];
      double[] vt = new double[base.size()];
      for (int i = 0; i < base.size(); i++) {
        tx[i] = num(base.get(i), "layer");
        vb[i] = num(base.get(i), "test");
        vt[i] = i < tuned.size() ? num(tuned.get(i), "test") : Double.NaN;
      }
      sb.append(charts.line("Probe " + text(task, "metric") + ": " + text(task, "task"), "layer", "test " + text(task, "metric"),
          tx, List.of(Charts.Series.of("base", vb), new Charts.Series("tuned", vt, null, Charts.Stroke.DASHED)), true));
    }
    for (JsonNode r : list(c, "relocation")) {
      double[] hb = Html.numbers(r.get("base_histogram"));
      double[] ht = Html.numbers(r.get("tuned_histogram"));
      List<String> cats = new ArrayList<>();
      for (int i = 0; i < hb.length; i++) {
        cats.add(Integer.toString(i));
      }
      sb.append(charts.bars(String.format(java.util.Locale.ROOT, "Top %s neurons (%.0f%% weight mass) by layer",
              text(r, "task"), 100 * num(r, "mass")), "layer", "neurons", cats,
          List.of(Charts.Series.of("base", hb), Charts.Series.of("tuned", ht)), Charts.BarLayout.GROUPED));
    }
    sb.append("</div>");
    Html.Table t = new Html.Table("data", "layer", "RSA Spearman", "RSA Pearson", "CKA", "token cosine",
        "self-corr. median", "self-corr. < 0.5");
    for (JsonNode l : layers) {
      t.row(esc(Long.toString((long) num(l, "layer"))), fmt(num(l, "rsa_spearman")), fmt(num(l, "rsa_pearson")),
          fmt(num(l, "cka")), fmt(num(l, "token_cosine")), fmt(num(l, "neuron_self_correlation_median")),
          fmt(num(l, "neuron_self_correlation_below_half")));
    }
    sb.append(t.html());
    Html.Table rt = new Html.Table("data", "task", "mean layer (base)", "mean layer (tuned)", "shift", "overlap", "common");
    for (JsonNode r : list(c, "relocation")) {
      rt.row(esc(text(r, "task")), fmt(num(r, "base_mean_layer")), fmt(num(r, "tuned_mean_layer")),
          fmt(num(r, "mean_layer_shift")), fmt(num(r, "top_overlap")), esc(Long.toString((long) num(r, "common"))));
    }
    return sb.append(rt.html()).append("</section>").toString();
  }
}
