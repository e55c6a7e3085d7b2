package dev.neurolens.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Small helpers shared by the report sections: HTML escaping, number formatting that tolerates
 * NaN/missing values, lenient reads from the results tree, and table markup.
 *
 * <p>Every string that comes from the results (task names, class names, code tokens, hooks) goes
 * through {@link #esc}; the page is written as well-formed XHTML-compatible HTML5 so that a plain
 * XML parser can check it.
 */
final class Html {
  static final String MISSING = "–";

  private Html() {}

  /** Escapes text for element content and quoted attribute values. */
  static String esc(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> {
          // control characters other than tab/newline are not allowed in XML 1.0 documents
          if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            sb.append('\uFFFD');
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }

  /**
   * A number from the tree: JSON numbers, the strings Jackson writes for non-finite doubles
   * ({@code "NaN"}, {@code "Infinity"}), or NaN for anything else (missing, null, text).
   */
  static double num(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return Double.NaN;
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isTextual()) {
      try {
        return Double.parseDouble(node.asText().trim());
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
    return Double.NaN;
  }

  static double num(JsonNode parent, String field) {
    return parent == null ? Double.NaN : num(parent.get(field));
  }

  /** Text of a scalar field, or {@code null} if absent or not a scalar. */
  static String text(JsonNode parent, String field) {
    if (parent == null) {
      return null;
    }
    JsonNode n = parent.get(field);
    return n != null && n.isValueNode() && !n.isNull() ? n.asText() : null;
  }

  /** Elements of an array field; empty when absent or not an array. */
  static List<JsonNode> list(JsonNode parent, String field) {
    JsonNode n = parent == null ? null : parent.get(field);
    List<JsonNode> out = new ArrayList<>();
    if (n != null && n.isArray()) {
      n.forEach(out::add);
    }
    return out;
  }

  /** Numeric elements of an array node (NaN for non-numbers); empty when not an array. */
  static double[] numbers(JsonNode array) {
    if (array == null || !array.isArray()) {
      return new double[0];
    }
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = num(array.get(i));
    }
    return out;
  }

  static boolean isObject(JsonNode parent, String field) {
    return parent != null && parent.get(field) != null && parent.get(field).isObject();
  }

  /** A metric with three decimals, or a dash for NaN/infinite. */
  static String fmt(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : MISSING;
  }

  /** Integers without decimals, other numbers compactly, non-finite as a dash. */
  static String fmtAny(double v) {
    if (!Double.isFinite(v)) {
      return MISSING;
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.format(Locale.ROOT, "%,d", (long) v);
    }
    return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%,.1f" : "%.4g", v);
  }

  /** Four significant digits without trailing zeros ({@code 2.058}, {@code -0.077}), "n/a" if not finite. */
  static String sig4(double v) {
    if (!Double.isFinite(v)) {
      return "n/a";
    }
    return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
  }

  /** A scalar JSON value as display text (escaped). */
  static String scalar(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return MISSING;
    }
    if (n.isNumber()) {
      return fmtAny(n.doubleValue());
    }
    if (n.isArray()) {
      List<String> parts = new ArrayList<>();
      int shown = 0;
      for (JsonNode e : n) {
        if (shown++ == 8) {
          parts.add("… (" + n.size() + " in all)");
          break;
        }
        parts.add(e.isValueNode() ? e.asText() : e.toString());
      }
      return esc(String.join(", ", parts));
    }
    return esc(n.isValueNode() ? n.asText() : n.toString());
  }

  /** Accumulates one HTML table; cells passed to {@link #row} must already be escaped. */
  static final class Table {
    private final StringBuilder sb = new StringBuilder();

    Table(String cssClass, String... headers) {
      sb.append("<table class=\"").append(cssClass).append("\"><thead><tr>");
      for (String h : headers) {
        sb.append("<th>").append(esc(h)).append("</th>");
      }
      sb.append("</tr></thead><tbody>");
    }

    Table row(String... cells) {
      return rowWithClass("", cells);
    }

    Table rowWithClass(String cssClass, String... cells) {
      sb.append(cssClass.isEmpty() ? "<tr>" : "<tr class=\"" + cssClass + "\">");
      for (String c : cells) {
        sb.append("<td>").append(c).append("</td>");
      }
      sb.append("</tr>");
      return this;
    }

    String html() {
      return sb + "</tbody></table>";
    }
  }
}
