package dev.neurolens.corpus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.treesitter.TSNode;
import org.treesitter.TSQuery;
import org.treesitter.TSQueryCapture;
import org.treesitter.TSQueryCursor;
import org.treesitter.TSQueryMatch;
import org.treesitter.TSTree;

/** Cuts the outermost methods/functions out of one parsed file. */
final class MethodCutter {
  private MethodCutter() {}

  private static final ThreadLocal<Map<String, TSQuery>> QUERIES = ThreadLocal.withInitial(HashMap::new);

  /**
   * The outermost functions of {@code text} (a file named {@code source}) with their code-token
   * counts, taken from this one parse (the leaves of each function's subtree, plus its doc comment
   * when kept); a count stops at {@code tokenLimit + 1}, so a function longer than the limit costs
   * no more than {@code tokenLimit} leaves. Uses a tree-sitter query, so only the function nodes
   * cross the JNI boundary.
   */
  static List<CorpusReader.Candidate> cut(Language lang, String source, String text, boolean docComments, int tokenLimit) {
    TSTree tree = SyntaxTree.parser(lang).parseString(null, text);
    TSQuery query =
        QUERIES.get().computeIfAbsent(lang.name(), k -> new TSQuery(lang.grammar().get(),
            lang.functionTypes().stream().sorted().map(t -> "(" + t + ")").collect(Collectors.joining(" ", "[", "] @f"))));
    int[] b2c = SyntaxTree.byteToChar(text);
    int[] lineStarts = lineStarts(text);
    List<CorpusReader.Candidate> out = new ArrayList<>();
    TSQueryCursor qc = new TSQueryCursor();
    qc.exec(query, tree.getRootNode());
    TSQueryMatch m = new TSQueryMatch();
    int lastEnd = -1;
    while (qc.nextMatch(m)) {
      for (TSQueryCapture c : m.getCaptures()) {
        TSNode fn = c.getNode();
        int startByte = fn.getStartByte();
        if (startByte < lastEnd) {
          continue; // nested in a function already taken
        }
        TSNode node = fn;
        TSNode p = fn.getParent();
        if (p != null && !p.isNull() && lang.functionWrapperTypes().contains(p.getType())) {
          node = p;
        }
        lastEnd = node.getEndByte();
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
        int end = map(b2c, lastEnd);
        TSNode nameNode = fn.getChildByFieldName("name");
        String name =
            nameNode == null || nameNode.isNull()
                ? "anonymous"
                : text.substring(map(b2c, nameNode.getStartByte()), map(b2c, nameNode.getEndByte()));
        int line = line(lineStarts, start);
        String code = dedent(text, lineStarts[line], start, end);
        String id = source + "#" + name + "@" + (line + 1);
        out.add(new CorpusReader.Candidate(new Snippet(id, source, lang.name(), code, line + 1, start, null), tokens));
      }
    }
    return out;
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
