package dev.neurolens.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Refuses tokenizer.json regular expressions that can backtrack catastrophically. The native
 * tokenizer runs a pre-tokenizer's or normalizer's {@code Regex} on every snippet; a pattern with a
 * nested unbounded quantifier, such as {@code (a+)+$}, takes exponential time on an input like
 * {@code aaa…ab}, and the regex engine's give-up turns into a panic that aborts the whole JVM (no
 * exception reaches Java). Such patterns are caught when the tokenizer is loaded, with one line
 * naming the file, the JSON path and the pattern. The published pre-tokenizers (BERT's, GPT-2's
 * byte-level split, Llama 3's) have no nested unbounded quantifier and pass.
 *
 * <p>Usage: {@code TokenizerPatterns.check(Json.MAPPER.readTree(json), "model/tokenizer.json")}
 */
public final class TokenizerPatterns {
  private TokenizerPatterns() {}

  /** Checks every {@code {"Regex": ...}} pattern in a parsed tokenizer.json. */
  public static void check(JsonNode root, String source) {
    walk(root, "$", source);
  }

  private static void walk(JsonNode n, String path, String source) {
    if (n == null) {
      return;
    }
    if (n.isObject()) {
      JsonNode re = n.get("Regex");
      if (re != null && re.isTextual()) {
        String why = nestedQuantifier(re.asText());
        if (why != null) {
          throw new NeuroLensException(source + ": " + path + ".Regex " + quote(re.asText()) + " " + why
              + " (catastrophic backtracking: the native tokenizer would abort the process on some inputs); "
              + "rewrite the pattern without it");
        }
      }
      n.fields().forEachRemaining(e -> walk(e.getValue(), path + "." + e.getKey(), source));
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        walk(n.get(i), path + "[" + i + "]", source);
      }
    }
  }

  private static String quote(String s) {
    return "'" + (s.length() > 80 ? s.substring(0, 77) + "..." : s) + "'";
  }

  /**
   * Why {@code pattern} is dangerous (a group holding an unbounded quantifier is itself repeated
   * without bound), or null. A scan, not a full regex parser: escapes, character classes and
   * group prefixes are skipped; bounded counts {@code {n}} and {@code {n,m}} are bounded.
   */
  static String nestedQuantifier(String pattern) {
    Deque<boolean[]> groups = new ArrayDeque<>(); // per open group: holds an unbounded quantifier
    groups.push(new boolean[1]);
    int i = 0;
    int n = pattern.length();
    while (i < n) {
      char c = pattern.charAt(i);
      boolean innerUnbounded = false;
      int groupStart = -1;
      if (c == '\\') {
        i += 2;
        if (i <= n && i - 1 < n && (pattern.charAt(i - 1) == 'p' || pattern.charAt(i - 1) == 'P') && i < n
            && pattern.charAt(i) == '{') {
          int close = pattern.indexOf('}', i);
          i = close < 0 ? n : close + 1;
        }
      } else if (c == '[') {
        i = classEnd(pattern, i);
      } else if (c == '(') {
        groups.push(new boolean[1]);
        i++;
        continue;
      } else if (c == ')') {
        if (groups.size() == 1) {
          return null; // unbalanced: the engine will reject it with its own error
        }
        innerUnbounded = groups.pop()[0];
        groupStart = i;
        i++;
      } else {
        i++;
      }
      int q = quantifier(pattern, i);
      boolean unbounded = q > 0;
      if (q != 0) {
        i += Math.abs(q);
        if (i < n && (pattern.charAt(i) == '?' || pattern.charAt(i) == '+')) {
          i++;
        }
      }
      if (groupStart >= 0 && innerUnbounded && unbounded) {
        return "repeats a group that already holds an unbounded repetition (at character " + groupStart + ")";
      }
      if (unbounded || innerUnbounded) {
        groups.peek()[0] = true;
      }
    }
    return null;
  }

  /** Index after the character class starting at {@code start} ('['). */
  private static int classEnd(String p, int start) {
    int i = start + 1;
    if (i < p.length() && p.charAt(i) == '^') {
      i++;
    }
    if (i < p.length() && p.charAt(i) == ']') {
      i++;
    }
    int depth = 1;
    while (i < p.length()) {
      char c = p.charAt(i);
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == '[') {
        depth++;
      } else if (c == ']' && --depth == 0) {
        return i + 1;
      }
      i++;
    }
    return p.length();
  }

  /**
   * The quantifier at {@code i}: its length, positive when unbounded ({@code + * {n,}}), negative
   * when bounded ({@code ? {n} {n,m}}), 0 when there is none.
   */
  private static int quantifier(String p, int i) {
    if (i >= p.length()) {
      return 0;
    }
    char c = p.charAt(i);
    if (c == '+' || c == '*') {
      return 1;
    }
    if (c == '?') {
      return -1;
    }
    if (c == '{') {
      int close = p.indexOf('}', i);
      if (close < 0) {
        return 0;
      }
      String body = p.substring(i + 1, close);
      if (body.matches("\\d+")) {
        return -(close - i + 1);
      }
      if (body.matches("\\d*,")) {
        return close - i + 1;
      }
      if (body.matches("\\d*,\\d+")) {
        return -(close - i + 1);
      }
    }
    return 0;
  }
}
