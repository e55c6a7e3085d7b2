package dev.neurolens.concept;

import dev.neurolens.corpus.Language;
import dev.neurolens.corpus.SyntaxTree;
import java.util.Locale;
import java.util.Set;

/**
 * Snippet-level labels derived from the syntax tree.
 *
 * <ul>
 *   <li>{@code loops}: {@code yes} if a loop statement occurs.
 *   <li>{@code returns-void}: {@code yes} if the (first) function declares a void/None return type,
 *       or declares none where the language requires one (Go, Java constructors), or - without a
 *       declaration (Python, JavaScript) - no return statement carries a value.
 *   <li>{@code complexity}: McCabe: 1 + branches + loops + short-circuit operators, bucketed
 *       {@code 1, 2-3, 4-6, 7+}.
 *   <li>{@code length}: code tokens bucketed {@code 0-24, 25-49, 50-99, 100-199, 200+}.
 *   <li>{@code name-verb}: first word of the function name: get/set/is/has/to/create, else other.
 * </ul>
 */
final class SentenceLabels {
  static final Set<String> VERBS = Set.of("get", "set", "is", "has", "to", "create");

  private SentenceLabels() {}

  /** First node of a function type within [from, to), or -1. */
  static int function(Language lang, SyntaxTree t, int from, int to) {
    for (int i = from; i < to; i++) {
      if (lang.functionTypes().contains(t.type(i))) {
        return i;
      }
    }
    return -1;
  }

  static String loops(Language lang, SyntaxTree t, int from, int to) {
    for (int i = from; i < to; i++) {
      if (lang.loopTypes().contains(t.type(i))) {
        return "yes";
      }
    }
    return "no";
  }

  static String returnsVoid(Language lang, SyntaxTree t, int from, int to) {
    int fn = function(lang, t, from, to);
    if (fn >= 0 && lang.returnTypeField() != null) {
      int rt = t.childByField(fn, lang.returnTypeField());
      if (rt >= 0) {
        return lang.voidReturnTexts().contains(t.text(rt).strip()) ? "yes" : "no";
      }
      if (lang.returnTypeMandatory()) {
        return "yes";
      }
    }
    for (int i = from; i < to; i++) {
      if (lang.returnStatementTypes().contains(t.type(i))) {
        for (int c = i + 1; c < t.subtreeEnd(i); c++) {
          if (t.parent(c) == i && t.isNamed(c) && !lang.commentTypes().contains(t.type(c))) {
            return "no";
          }
        }
      }
    }
    return "yes";
  }

  static int complexity(Language lang, SyntaxTree t, int from, int to) {
    int c = 1;
    for (int i = from; i < to; i++) {
      String type = t.type(i);
      if (lang.branchTypes().contains(type) || lang.loopTypes().contains(type)) {
        c++;
      } else if (!t.isNamed(i) && lang.logicalOperators().contains(type)) {
        c++;
      }
    }
    return c;
  }

  static String complexityBucket(int c) {
    return c <= 1 ? "1" : c <= 3 ? "2-3" : c <= 6 ? "4-6" : "7+";
  }

  static String lengthBucket(int tokens) {
    return tokens < 25 ? "0-24" : tokens < 50 ? "25-49" : tokens < 100 ? "50-99" : tokens < 200 ? "100-199" : "200+";
  }

  /** The verb class of a function name ({@code getFoo}, {@code is_empty}, {@code toString}...). */
  static String nameVerb(String name) {
    int k = 0;
    while (k < name.length() && name.charAt(k) == '_') {
      k++;
    }
    int e = k;
    while (e < name.length() && Character.isLetter(name.charAt(e))
        && (e == k || !Character.isUpperCase(name.charAt(e)))) {
      e++;
    }
    String first = name.substring(k, e).toLowerCase(Locale.ROOT);
    return VERBS.contains(first) ? first : "other";
  }
}
