package dev.neurolens.corpus;

import java.util.ArrayList;
import java.util.List;
import org.treesitter.TSNode;
import org.treesitter.TSTree;
import org.treesitter.TSTreeCursor;

/** Cuts the outermost methods/functions out of one parsed file. */
final class MethodCutter {
  private MethodCutter() {}

  /**
   * The outermost functions of {@code text} (a file named {@code source}) with their code-token
   * counts, taken from this one parse (the leaves of each function's subtree, plus its doc comment
   * when kept; see {@link SyntaxTree#countLeaves} for where a count stops).
   *
   * <p>One pre-order cursor walk that does not enter a function once taken: linear in the nodes
   * outside functions. (A tree-sitter query was tried: its cursor costs time quadratic in nesting
   * depth, 6 s for 20 KB of unbalanced braces.)
   */
  static List<CorpusReader.Candidate> cut(Language lang, String source, String text, boolean docComments, int tokenLimit) {
    TSTree tree = SyntaxTree.parser(lang).parseString(null, text);
    SyntaxTree.Types types = SyntaxTree.Types.of(lang);
    int[] b2c = SyntaxTree.byteToChar(text);
    int[] lineStarts = lineStarts(text);
    List<CorpusReader.Candidate> out = new ArrayList<>();
    TSTreeCursor cur = new TSTreeCursor(tree.getRootNode());
    while (true) {
      TSNode fn = cur.currentNode();
      if (lang.functionTypes().contains(types.of(fn))) {
        out.add(candidate(lang, source, text, fn, docComments, tokenLimit, b2c, lineStarts));
      } else if (cur.gotoFirstChild()) {
        continue;
      }
      while (!cur.gotoNextSibling()) {
        if (!cur.gotoParent()) {
          return out;
        }
      }
    }
  }

  private static CorpusReader.Candidate candidate(Language lang, String source, String text, TSNode fn,
      boolean docComments, int tokenLimit, int[] b2c, int[] lineStarts) {
    TSNode node = fn;
    TSNode p = fn.getParent();
    if (p != null && !p.isNull() && lang.functionWrapperTypes().contains(p.getType())) {
      node = p;
    }
    int endByte = node.getEndByte();
    int startByte0 = node.getStartByte();
    int tokens = SyntaxTree.countLeaves(lang, node, tokenLimit);
    if (docComments) {
      TSNode prev = node.getPrevNamedSibling();
      if (prev != null && !prev.isNull() && prev.getType().contains("comment")
          && text.startsWith("/**", map(b2c, prev.getStartByte()))
          && text.substring(map(b2c, prev.getEndByte()), map(b2c, startByte0)).isBlank()) {
        startByte0 = prev.getStartByte();
        tokens = (int) Math.min((long) tokenLimit + 1, (long) tokens + SyntaxTree.countLeaves(lang, prev, tokenLimit));
      }
    }
    int start = map(b2c, startByte0);
    int end = map(b2c, endByte);
    TSNode nameNode = fn.getChildByFieldName("name");
    String name =
        nameNode == null || nameNode.isNull()
            ? "anonymous"
            : text.substring(map(b2c, nameNode.getStartByte()), map(b2c, nameNode.getEndByte()));
    int line = line(lineStarts, start);
    String code = dedent(text, lineStarts[line], start, end);
    String id = source + "#" + name + "@" + (line + 1);
    return new CorpusReader.Candidate(new Snippet(id, source, lang.name(), code, line + 1, start, null), tokens);
  }

  private static int map(int[] b2c, int bytePos) {
    return b2c == null ? bytePos : b2c[Math.min(bytePos, b2c.length - 1)];
  }

  /** Text of [start, end), with the whitespace before {@code start} on its line removed from later lines. */
  static String dedent(String text, int lineStart, int start, int end) {
    String code = text.substring(start, end);
    String indent = text.substring(lineStart, start);
    if (indent.isEmpty() || !indent.isBlank() || code.indexOf('\n') < 0) {
      return code;
    }
    String[] lines = code.split("\n", -1);
    for (int k = 1; k < lines.length; k++) {
      if (!lines[k].isBlank() && !lines[k].startsWith(indent)) {
        return code;
      }
    }
    StringBuilder sb = new StringBuilder(lines[0]);
    for (int k = 1; k < lines.length; k++) {
      sb.append('\n').append(lines[k].startsWith(indent) ? lines[k].substring(indent.length()) : lines[k].strip());
    }
    return sb.toString();
  }

  static int[] lineStarts(String text) {
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        starts.add(i + 1);
      }
    }
    return starts.stream().mapToInt(Integer::intValue).toArray();
  }

  /** 0-based line of char offset {@code pos}. */
  static int line(int[] lineStarts, int pos) {
    int lo = 0;
    int hi = lineStarts.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (lineStarts[mid] <= pos) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }
}
