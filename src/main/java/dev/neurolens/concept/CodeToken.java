package dev.neurolens.concept;

import java.util.Objects;

/**
 * One code token: a leaf of the syntax tree.
 *
 * <p>Usage: {@code CodeToken t = CodeLabeller.create().label(snippet, Set.of("lexical")).tokens().get(0)}
 *
 * @param text the token text, {@code code.substring(start, end)}
 * @param start UTF-16 char offset into {@code Snippet.code} (inclusive)
 * @param end UTF-16 char offset (exclusive)
 * @param line 0-based line within the snippet code
 * @param leafType grammar type of the leaf; for keywords/operators the token itself ({@code "if"})
 * @param parentType grammar type of the parent node
 * @param blockDepth enclosing blocks inside the snippet (a block's braces count as inside it)
 * @param astDepth depth below the snippet's root node (its direct children are at 1)
 */
public record CodeToken(String text, int start, int end, int line, String leafType, String parentType, int blockDepth, int astDepth) {
  public CodeToken {
    Objects.requireNonNull(text, "text");
    if (start < 0 || end <= start || end - start != text.length()) {
      throw new IllegalArgumentException("CodeToken: need 0 <= start < end and end-start = text length, found " + start + ".." + end + " '" + text + "'");
    }
    if (line < 0 || blockDepth < 0 || astDepth < 0) {
      throw new IllegalArgumentException("CodeToken: line and depths must be >= 0");
    }
  }
}
