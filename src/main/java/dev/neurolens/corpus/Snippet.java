package dev.neurolens.corpus;

import java.util.Objects;

/**
 * One unit of analysis: a method/function or a whole file.
 *
 * <p>Usage: {@code Snippet s = new Snippet("A.java#f@1", "A.java", "java", "void f() {}", 1, 0, null)}
 *
 * @param id unique, stable id, e.g. {@code "guava-sources.jar!com/google/.../Ints.java#max@123"}
 *     (source, method name, 1-based start line); for JSONL {@code "data.jsonl#17"} (line number)
 * @param source the file, or {@code archive!entry}, the code came from
 * @param lang language name (see {@link Languages})
 * @param code the code; for a method cut from a file, the node's text with the first line's
 *     indentation also removed from the following lines (when they all carry it)
 * @param startLine 1-based line of the first character in the source
 * @param startChar UTF-16 char offset of the first character in the source
 * @param label the JSONL {@code label} field, or null
 */
public record Snippet(String id, String source, String lang, String code, int startLine, int startChar, String label) {
  public Snippet {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(lang, "lang");
    Objects.requireNonNull(code, "code");
    if (startLine < 1 || startChar < 0) {
      throw new IllegalArgumentException(id + ": startLine must be >= 1 and startChar >= 0, found " + startLine + "/" + startChar);
    }
  }

  /** The same snippet with other code (used to hide a method name). */
  public Snippet withCode(String newCode) {
    return new Snippet(id, source, lang, newCode, startLine, startChar, label);
  }
}
