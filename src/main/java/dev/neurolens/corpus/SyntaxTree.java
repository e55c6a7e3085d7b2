package dev.neurolens.corpus;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.treesitter.TSNode;
import org.treesitter.TSParser;
import org.treesitter.TSTree;
import org.treesitter.TSTreeCursor;

/**
 * A tree-sitter parse flattened into plain arrays, nodes in pre-order (node 0 is the root).
 *
 * <p>Offsets are UTF-16 {@code char} indices into the parsed text (tree-sitter reports UTF-8 byte
 * offsets; they are converted here, so a code point outside the BMP spans two chars). Nodes of the
 * language's atomic types (string literals...) are kept but their children are not, so they are
 * leaves. Not thread-safe to build (a parser is per thread); the result is immutable.
 *
 * <p>Usage: {@code SyntaxTree t = SyntaxTree.parse(Languages.JAVA, "class A { int f() { return 1; } }");
 * int leaves = t.leafCount()}
 */
public final class SyntaxTree {
  private static final ThreadLocal<Map<String, TSParser>> PARSERS = ThreadLocal.withInitial(HashMap::new);
  private static final ThreadLocal<Map<String, Map<Integer, String>>> SYMBOL_TYPES = ThreadLocal.withInitial(HashMap::new);
  private static final ThreadLocal<Map<String, Map<Integer, Boolean>>> SYMBOL_NAMED = ThreadLocal.withInitial(HashMap::new);

  private final String text;
  private final String[] type;
  private final String[] field;
  private final boolean[] named;
  private final byte[] flags;
  private final int[] start;
  private final int[] end;
  private final int[] parent;
  private final int[] depth;
  private final int[] childCount;
  private final int[] leaves;
  private final int errorNodes;

  private static final byte ERROR = 1;
  private static final byte MISSING = 2;

  private SyntaxTree(String text, Builder b) {
    this.text = text;
    int n = b.size;
    type = Arrays.copyOf(b.type, n);
    field = Arrays.copyOf(b.field, n);
    named = Arrays.copyOf(b.named, n);
    flags = Arrays.copyOf(b.flags, n);
    start = Arrays.copyOf(b.start, n);
    end = Arrays.copyOf(b.end, n);
    parent = Arrays.copyOf(b.parent, n);
    depth = Arrays.copyOf(b.depth, n);
    childCount = new int[n];
    int errors = 0;
    List<Integer> leafList = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (parent[i] >= 0) {
        childCount[parent[i]]++;
      }
      if ((flags[i] & (ERROR | MISSING)) != 0) {
        errors++;
      }
    }
    for (int i = 0; i < n; i++) {
      if (childCount[i] == 0) {
        leafList.add(i);
      }
    }
    leaves = leafList.stream().mapToInt(Integer::intValue).toArray();
    errorNodes = errors;
  }

  /** Parses {@code text} with {@code lang}'s grammar. */
  public static SyntaxTree parse(Language lang, String text) {
    TSTree tree = parser(lang).parseString(null, text);
    return flatten(lang, text, tree.getRootNode());
  }

  /**
   * Nodes a count may visit per allowed token (real code has 2 to 3 nodes per token); past {@code
   * NODES_PER_TOKEN * (limit + 1)} nodes a count gives up as over the limit, so that a deeply
   * nested expression is not walked down to its first leaf.
   */
  static final int NODES_PER_TOKEN = 64;

  /**
   * Code tokens of {@code text} (non-empty leaves of its parse, atomic nodes counting as one),
   * counted without flattening; at most {@code limit + 1} (see {@link #countLeaves}).
   */
  static int countTokens(Language lang, String text, int limit) {
    return countLeaves(lang, parser(lang).parseString(null, text).getRootNode(), limit);
  }

  /**
   * Non-empty leaves of the subtree of {@code top} (the leaves {@link #parse} would make, atomic
   * nodes counting as one), or {@code limit + 1} once there are more, or once the walk has visited
   * more than {@link #NODES_PER_TOKEN} nodes per allowed token. No limit: {@code
   * Integer.MAX_VALUE - 1}.
   */
  static int countLeaves(Language lang, TSNode top, int limit) {
    Types types = Types.of(lang);
    long budget = limit >= Integer.MAX_VALUE - 1 ? Long.MAX_VALUE : (long) NODES_PER_TOKEN * (limit + 1);
    TSTreeCursor cur = new TSTreeCursor(top);
    int n = 0;
    for (long visited = 1; ; visited++) {
      if (visited > budget) {
        return limit + 1;
      }
      TSNode node = cur.currentNode();
      if (!lang.atomicTypes().contains(types.of(node)) && cur.gotoFirstChild()) {
        continue;
      }
      if (node.getEndByte() > node.getStartByte() && ++n > limit) {
        return n;
      }
      while (!cur.gotoNextSibling()) {
        if (!cur.gotoParent()) {
          return n;
        }
      }
    }
  }

  /** Node types by grammar symbol, this thread's cache for one language ({@code getType} is a JNI call). */
  static final class Types {
    private final Map<Integer, String> types;
    private final Map<Integer, Boolean> namedBySymbol;

    private Types(Map<Integer, String> types, Map<Integer, Boolean> namedBySymbol) {
      this.types = types;
      this.namedBySymbol = namedBySymbol;
    }

    static Types of(Language lang) {
      return new Types(SYMBOL_TYPES.get().computeIfAbsent(lang.name(), k -> new HashMap<>()),
          SYMBOL_NAMED.get().computeIfAbsent(lang.name(), k -> new HashMap<>()));
    }

    /** The type of {@code node} (both caches are filled on a symbol's first sight). */
    String of(TSNode node) {
      return of(node.getSymbol(), node);
    }

    /** The type of {@code node}, whose symbol {@code sym} the caller has read already. */
    String of(int sym, TSNode node) {
      String t = types.get(sym);
      if (t == null) {
        t = node.getType();
        types.put(sym, t);
        namedBySymbol.put(sym, node.isNamed());
      }
      return t;
    }

    /** Whether nodes of symbol {@code sym} are named (after {@link #of} has seen it). */
    boolean isNamed(int sym) {
      return namedBySymbol.get(sym);
    }
  }

  /** Whether the parse of {@code text} has any error or missing node (cheap: no flattening). */
  public static boolean hasErrors(Language lang, String text) {
    return parser(lang).parseString(null, text).getRootNode().hasError();
  }

  /** This thread's parser for {@code lang}. */
  static TSParser parser(Language lang) {
    return PARSERS.get().computeIfAbsent(lang.name(), k -> newParser(lang));
  }

  private static TSParser newParser(Language lang) {
    TSParser p = new TSParser();
    if (!p.setLanguage(lang.grammar().get())) {
      throw new IllegalStateException(lang.name() + ": tree-sitter grammar version is not supported");
    }
    return p;
  }

  private static SyntaxTree flatten(Language lang, String text, TSNode root) {
    // JNI calls dominate the cost: types come from a per-symbol cache, spans are read for leaves
    // only (an inner node spans its first to its last child), field names for named nodes only.
    int[] b2c = byteToChar(text);
    boolean checkMissing = root.hasError();
    Types types = Types.of(lang);
    Builder b = new Builder();
    TSTreeCursor cur = new TSTreeCursor(root);
    int[] stack = new int[64];
    int sp = 0;
    int parentIdx = -1;
    while (true) {
      TSNode node = cur.currentNode();
      int sym = node.getSymbol();
      String t = types.of(sym, node);
      boolean isNamed = types.isNamed(sym);
      byte f = 0;
      if (t.equals("ERROR")) {
        f |= ERROR;
      }
      int idx = b.add(t, isNamed ? cur.currentFieldName() : null, isNamed, f, -1, -1, parentIdx, sp);
      if (!lang.atomicTypes().contains(t) && cur.gotoFirstChild()) {
        if (sp == stack.length) {
          stack = Arrays.copyOf(stack, sp * 2);
        }
        stack[sp++] = parentIdx;
        parentIdx = idx;
        continue;
      }
      b.start[idx] = map(b2c, node.getStartByte());
      b.end[idx] = map(b2c, node.getEndByte());
      if (checkMissing && b.end[idx] == b.start[idx] && node.isMissing()) {
        b.flags[idx] |= MISSING;
      }
      while (!cur.gotoNextSibling()) {
        if (sp == 0 || !cur.gotoParent()) {
          b.fillInnerSpans();
          return new SyntaxTree(text, b);
        }
        parentIdx = stack[--sp];
      }
    }
  }

  private static int map(int[] b2c, int bytePos) {
    if (b2c == null) {
      return bytePos;
    }
    return b2c[Math.min(bytePos, b2c.length - 1)];
  }

  /** UTF-8 byte offset -> UTF-16 char offset, or null when the text is ASCII (identity). */
  static int[] byteToChar(String text) {
    int bytes = text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes == text.length()) {
      return null;
    }
    int[] map = new int[bytes + 1];
    int bi = 0;
    for (int ci = 0; ci < text.length(); ) {
      int cp = text.codePointAt(ci);
      int nb = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      for (int k = 0; k < nb; k++) {
        map[bi + k] = ci;
      }
      bi += nb;
      ci += Character.charCount(cp);
    }
    map[bytes] = text.length();
    return map;
  }

  public String text() { return text; }
  public int size() { return type.length; }
  /** Grammar type of node {@code i} (for anonymous nodes, the token itself: {@code "if"}). */
  public String type(int i) { return type[i]; }
  /** The field name of node {@code i} in its parent, or null. */
  public String field(int i) { return field[i]; }
  public boolean isNamed(int i) { return named[i]; }
  public boolean isError(int i) { return (flags[i] & ERROR) != 0; }
  public boolean isMissing(int i) { return (flags[i] & MISSING) != 0; }
  public int start(int i) { return start[i]; }
  public int end(int i) { return end[i]; }
  /** Parent index, -1 for the root. */
  public int parent(int i) { return parent[i]; }
  /** Depth below the root (root = 0). */
  public int depth(int i) { return depth[i]; }
  public int childCount(int i) { return childCount[i]; }
  public String text(int i) { return text.substring(start[i], end[i]); }
  /** Leaf node indices in source order (atomic nodes are leaves). */
  public int[] leaves() { return leaves.clone(); }
  public int leafCount() { return leaves.length; }
  /** Number of ERROR and MISSING nodes. */
  public int errorNodes() { return errorNodes; }

  /** Whether node {@code i} lies inside an ERROR node (or is one). */
  public boolean inError(int i) {
    for (int k = i; k >= 0; k = parent[k]) {
      if ((flags[k] & ERROR) != 0) {
        return true;
      }
    }
    return false;
  }

  /** First child of {@code i} with field name {@code f}, or -1. */
  public int childByField(int i, String f) {
    for (int k = i + 1; k < type.length && start[k] <= end[i]; k++) {
      if (parent[k] == i && f.equals(field[k])) {
        return k;
      }
      if (depth[k] <= depth[i]) {
        break;
      }
    }
    return -1;
  }

  /** One past the last descendant of {@code i} (pre-order: descendants are i+1 .. subtreeEnd-1). */
  public int subtreeEnd(int i) {
    int k = i + 1;
    while (k < type.length && depth[k] > depth[i]) {
      k++;
    }
    return k;
  }

  private static final class Builder {
    int size;
    String[] type = new String[256];
    String[] field = new String[256];
    boolean[] named = new boolean[256];
    byte[] flags = new byte[256];
    int[] start = new int[256];
    int[] end = new int[256];
    int[] parent = new int[256];
    int[] depth = new int[256];
    final Map<String, String> intern = new HashMap<>();

    /** Inner nodes (start -1) span from their first child's start to their last child's end. */
    void fillInnerSpans() {
      for (int i = size - 1; i >= 0; i--) {
        int p = parent[i];
        if (p >= 0) {
          if (start[p] < 0 || start[i] < start[p]) {
            start[p] = start[i];
          }
          if (end[i] > end[p]) {
            end[p] = end[i];
          }
        }
      }
      for (int i = 0; i < size; i++) {
        if (start[i] < 0) {
          start[i] = 0;
          end[i] = Math.max(end[i], 0);
        }
      }
    }

    int add(String t, String f, boolean isNamed, byte fl, int s, int e, int p, int d) {
      if (size == type.length) {
        int n = size * 2;
        type = Arrays.copyOf(type, n);
        field = Arrays.copyOf(field, n);
        named = Arrays.copyOf(named, n);
        flags = Arrays.copyOf(flags, n);
        start = Arrays.copyOf(start, n);
        end = Arrays.copyOf(end, n);
        parent = Arrays.copyOf(parent, n);
        depth = Arrays.copyOf(depth, n);
      }
      type[size] = intern.computeIfAbsent(t, x -> x);
      field[size] = f == null ? null : intern.computeIfAbsent(f, x -> x);
      named[size] = isNamed;
      flags[size] = fl;
      start[size] = s;
      end[size] = e;
      parent[size] = p;
      depth[size] = d;
      return size++;
    }
  }
}
