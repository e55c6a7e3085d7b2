package dev.neurolens.finetune;

import dev.neurolens.corpus.Language;
import dev.neurolens.corpus.Languages;
import dev.neurolens.corpus.SyntaxTree;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a method into its documentation and the code without it, and cuts a code-search query
 * out of the documentation: a Javadoc-style comment ({@code /** ... *}{@code /}) the snippet
 * starts with (see {@code CorpusReader.Builder.optDocComments}), or a Python docstring (the first
 * statement of the function body, found with the parser).
 *
 * <p>Usage: {@code Optional<DocComments.Split> s = DocComments.split("java", code); String q = DocComments.firstSentence(s.get().doc())}
 */
public final class DocComments {
  private static final Pattern INLINE_TAG = Pattern.compile("\\{@(code|literal|link|linkplain|value)\\s+([^}]*)}");
  private static final Pattern OTHER_INLINE = Pattern.compile("\\{@[^}]*}");
  private static final Pattern HTML = Pattern.compile("<[^>]+>");
  private static final Pattern SENTENCE_END = Pattern.compile("[.!?](\\s|$)");

  private DocComments() {}

  /**
   * The documentation and the remaining code.
   *
   * @param doc the raw comment or docstring (delimiters included)
   * @param code the method without it
   */
  public record Split(String doc, String code) {}

  /** The documentation of {@code code} in language {@code lang}, if it has one. */
  public static Optional<Split> split(String lang, String code) {
    String c = code.stripLeading();
    if (c.startsWith("/**")) {
      int end = c.indexOf("*/", 3);
      if (end < 0) {
        return Optional.empty();
      }
      String rest = c.substring(end + 2).strip();
      return rest.isEmpty() ? Optional.empty() : Optional.of(new Split(c.substring(0, end + 2), rest));
    }
    if (lang.equals("python")) {
      return pythonDocstring(code);
    }
    return Optional.empty();
  }

  private static Optional<Split> pythonDocstring(String code) {
    Language py = Languages.byName("python");
    SyntaxTree t = SyntaxTree.parse(py, code);
    for (int i = 0; i < t.size(); i++) {
      if (!t.type(i).equals("function_definition")) {
        continue;
      }
      int body = t.childByField(i, "body");
      if (body < 0) {
        return Optional.empty();
      }
      for (int j = body + 1; j < t.subtreeEnd(body); j++) {
        if (t.parent(j) != body || !t.isNamed(j)) {
          continue;
        }
        if (!t.type(j).equals("expression_statement") || j + 1 >= t.size() || !t.type(j + 1).equals("string")
            || t.end(j + 1) != t.end(j)) {
          return Optional.empty();
        }
        int from = code.lastIndexOf('\n', t.start(j) - 1) + 1;
        int to = code.indexOf('\n', t.end(j));
        to = to < 0 ? code.length() : to + 1;
        String rest = (code.substring(0, from) + code.substring(to)).strip();
        return Optional.of(new Split(t.text(j), rest));
      }
      return Optional.empty();
    }
    return Optional.empty();
  }

  /**
   * The first sentence of a doc comment or docstring as plain text: delimiters, leading
   * asterisks, block tags ({@code @param}...), Python sections ({@code Args:}, {@code :param}),
   * HTML and inline tags removed ({@code {@code x}} becomes {@code x}), whitespace collapsed;
   * empty when nothing is left.
   */
  public static String firstSentence(String doc) {
    String d = doc.strip();
    if (d.startsWith("/**")) {
      d = d.substring(3, d.endsWith("*/") ? d.length() - 2 : d.length());
    } else {
      d = d.replaceFirst("^[rRuUbB]{0,2}(\"\"\"|'''|\"|')", "");
      d = d.replaceFirst("(\"\"\"|'''|\"|')$", "");
    }
    StringBuilder text = new StringBuilder();
    for (String line : d.split("\n", -1)) {
      String l = line.strip();
      if (l.startsWith("*")) {
        l = l.substring(1).strip();
      }
      if (l.startsWith("@") || l.startsWith(":param") || l.startsWith(":return") || l.matches("(Args|Arguments|Returns|Raises|Parameters|Example|Examples):?")) {
        break;
      }
      if (l.isEmpty() && !text.isEmpty()) {
        break; // first paragraph only
      }
      text.append(l).append(' ');
    }
    String s = text.toString();
    Matcher m = INLINE_TAG.matcher(s);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String arg = m.group(2).strip();
      if (m.group(1).startsWith("link")) {
        int sp = arg.indexOf(' ');
        arg = sp > 0 ? arg.substring(sp + 1) : arg.substring(arg.lastIndexOf('#') + 1);
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(arg));
    }
    m.appendTail(sb);
    s = OTHER_INLINE.matcher(sb.toString()).replaceAll("");
    s = HTML.matcher(s).replaceAll("");
    s = s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&nbsp;", " ").replace("&amp;", "&");
    s = s.replaceAll("\\s+", " ").strip();
    Matcher end = SENTENCE_END.matcher(s);
    if (end.find()) {
      s = s.substring(0, end.start() + 1);
    }
    return s.strip();
  }
}
