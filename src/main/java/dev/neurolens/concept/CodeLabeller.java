package dev.neurolens.concept;

import dev.neurolens.corpus.Corpus;
import dev.neurolens.corpus.Language;
import dev.neurolens.corpus.Languages;
import dev.neurolens.corpus.Snippet;
import dev.neurolens.corpus.SyntaxTree;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Labels snippets: tokens (syntax-tree leaves) with lexical, syntactic, structural and role labels,
 * and snippet-level labels.
 *
 * <p>A snippet that does not parse cleanly on its own is retried inside the language's wrappers
 * (a Java/JavaScript method inside a class) and the parse with fewest ERROR/MISSING nodes is used;
 * tokens that fall inside errors are still labelled, and the error count is kept so that {@link
 * #labelCorpus} can skip snippets above {@code maxErrorRatio}. Not thread-safe per instance
 * beyond the per-thread parsers; cheap to create.
 *
 * <p>Usage: {@code LabelledCorpus lc = CodeLabeller.builder().optProgress(false).build()
 * .labelCorpus(corpus, Set.of("lexical", "loops"))}
 */
public final class CodeLabeller {
  /** Default ERROR/MISSING nodes per token above which {@link #labelCorpus} skips a snippet. */
  public static final double DEFAULT_MAX_ERROR_RATIO = 0.05;
  /** Default minimum occurrences of a lexical-fine/syntactic label before it is folded into OTHER. */
  public static final int DEFAULT_MIN_COUNT = 5;

  private final boolean skipComments;
  private final double maxErrorRatio;
  private final int minCount;
  private final boolean progress;

  private CodeLabeller(Builder b) {
    this.skipComments = b.skipComments;
    this.maxErrorRatio = b.maxErrorRatio;
    this.minCount = b.minCount;
    this.progress = b.progress;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A labeller with default settings. */
  public static CodeLabeller create() {
    return builder().build();
  }

  /** Labels one snippet for {@code tasks} (task names, see {@link Tasks}); no rare-label folding. */
  public LabelledSnippet label(Snippet s, Set<String> tasks) {
    List<LabelTask> specs = tasks.stream().map(Tasks::parse).toList();
    return label(s, specs);
  }

  LabelledSnippet label(Snippet s, List<LabelTask> specs) {
    Language lang = Languages.byName(s.lang());
    Parsed p = parse(lang, s.code());
    boolean nameVerb = specs.stream().anyMatch(t -> t.base().equals("name-verb"));
    String verb = null;
    if (nameVerb) {
      int fn = SentenceLabels.function(lang, p.tree, p.root, p.tree.subtreeEnd(p.root));
      int name = fn < 0 ? -1 : p.tree.childByField(fn, "name");
      if (name >= 0) {
        verb = SentenceLabels.nameVerb(p.tree.text(name));
        int a = p.tree.start(name) - p.offset;
        int b = p.tree.end(name) - p.offset;
        s = s.withCode(s.code().substring(0, a) + "f" + s.code().substring(b));
        p = parse(lang, s.code());
      } else {
        verb = IdentifierRoles.NONE;
      }
    }
    return build(lang, s, p, specs, verb);
  }

  private LabelledSnippet build(Language lang, Snippet s, Parsed p, List<LabelTask> specs, String verb) {
    SyntaxTree t = p.tree;
    String code = s.code();
    List<Integer> leafList = new ArrayList<>();
    for (int i : t.leaves()) {
      int a = t.start(i) - p.offset;
      int b = t.end(i) - p.offset;
      if (a < 0 || b > code.length() || b <= a || code.substring(a, b).isBlank()) {
        continue;
      }
      if (skipComments && lang.commentTypes().contains(t.type(i))) {
        continue;
      }
      leafList.add(i);
    }
    int[] leaves = leafList.stream().mapToInt(Integer::intValue).toArray();
    int rootDepth = t.depth(p.root);
    int[] lineStarts = lineStarts(code);
    List<CodeToken> tokens = new ArrayList<>(leaves.length);
    List<LexicalClass> classes = new ArrayList<>(leaves.length);
    for (int i : leaves) {
      int a = t.start(i) - p.offset;
      int b = t.end(i) - p.offset;
      int blocks = 0;
      for (int k = t.parent(i); k >= 0 && t.depth(k) >= rootDepth; k = t.parent(k)) {
        if (lang.blockTypes().contains(t.type(k))) {
          blocks++;
        }
      }
      int parent = t.parent(i);
      tokens.add(new CodeToken(code.substring(a, b), a, b, line(lineStarts, a), t.type(i),
          parent < 0 ? "ROOT" : t.type(parent), blocks, Math.max(0, t.depth(i) - rootDepth)));
      classes.add(LexicalClass.of(lang, t.type(i), t.isNamed(i)));
    }
    Map<String, List<String>> tokenLabels = new LinkedHashMap<>();
    Map<String, String> snippetLabels = new LinkedHashMap<>();
    int from = p.root;
    int to = t.subtreeEnd(p.root);
    for (LabelTask spec : specs) {
      if (spec.isTokenLevel()) {
        List<String> labels = tokenLabels(spec.base(), lang, t, leaves, tokens, classes);
        tokenLabels.put(spec.name(), spec.isBinary() ? binary(labels, spec.positive()) : labels);
      } else {
        String label = switch (spec.base()) {
          case "loops" -> SentenceLabels.loops(lang, t, from, to);
          case "returns-void" -> SentenceLabels.returnsVoid(lang, t, from, to);
          case "complexity" -> SentenceLabels.complexityBucket(SentenceLabels.complexity(lang, t, from, to));
          case "complexity-1-5" -> PresetLabels.complexityClass(SentenceLabels.complexity(lang, t, from, to));
          case "length" -> SentenceLabels.lengthBucket(tokens.size());
          case "name-verb" -> verb;
          case "language" -> lang.name();
          case "label" -> s.label();
          default -> throw new IllegalStateException("unhandled task " + spec.base());
        };
        if (label != null) {
          snippetLabels.put(spec.name(), spec.isBinary() ? (label.equals(spec.positive()) ? label : Tasks.REST) : label);
        }
      }
    }
    return new LabelledSnippet(s, tokens, tokenLabels, snippetLabels, t.errorNodes());
  }

  private static List<String> tokenLabels(String base, Language lang, SyntaxTree t, int[] leaves,
      List<CodeToken> tokens, List<LexicalClass> classes) {
    return switch (base) {
      case "lexical" -> classes.stream().map(Enum::name).toList();
      case "lexical-fine" -> tokens.stream().map(CodeToken::leafType).toList();
      case "syntactic" -> tokens.stream().map(CodeToken::parentType).toList();
      case "structural" -> tokens.stream().map(tk -> tk.blockDepth() >= 4 ? "4+" : String.valueOf(tk.blockDepth())).toList();
      case "nesting-depth" -> tokens.stream().map(tk -> String.valueOf(tk.blockDepth())).toList();
      case "ast-depth" -> tokens.stream().map(tk -> String.valueOf(tk.astDepth())).toList();
      case "identifier-role" -> IdentifierRoles.roles(lang, t, leaves, classes);
      case "javalang" -> PresetLabels.javalang(tokens, classes);
      case "py-tokenize" -> PresetLabels.pyTokenize(classes);
      default -> throw new IllegalStateException("unhandled task " + base);
    };
  }

  private static List<String> binary(List<String> labels, String positive) {
    return labels.stream().map(l -> l.equals(positive) ? l : Tasks.REST).toList();
  }

  /**
   * Labels a whole corpus: skips snippets above {@code maxErrorRatio}, without tokens, or without
   * a user label when task {@code label} is asked; folds rare lexical-fine/syntactic labels.
   */
  public LabelledCorpus labelCorpus(Corpus corpus, Set<String> tasks) {
    List<LabelTask> specs = tasks.stream().map(Tasks::parse).toList();
    return CorpusLabelling.run(this, corpus, specs, maxErrorRatio, minCount, progress);
  }

  /** The labelled snippets of {@link #labelCorpus}. */
  public List<LabelledSnippet> labelAll(Corpus corpus, Set<String> tasks) {
    return labelCorpus(corpus, tasks).snippets();
  }

  /** Parses {@code code}, trying the language's wrappers when it does not parse cleanly. */
  static Parsed parse(Language lang, String code) {
    Parsed best = null;
    for (List<String> w : lang.wrappers()) {
      String text = w.get(0) + code + w.get(1);
      if (best != null && SyntaxTree.hasErrors(lang, text)) {
        continue;
      }
      SyntaxTree t = SyntaxTree.parse(lang, text);
      Parsed p = new Parsed(t, w.get(0).length(), root(t, w.get(0).length(), w.get(0).length() + code.length()));
      if (best == null || t.errorNodes() < best.tree.errorNodes()) {
        best = p;
      }
      if (t.errorNodes() == 0) {
        break;
      }
    }
    return best;
  }

  /** The deepest node covering all non-blank text in [from, to). */
  private static int root(SyntaxTree t, int from, int to) {
    String text = t.text();
    int a = from;
    int b = to;
    while (a < b && Character.isWhitespace(text.charAt(a))) {
      a++;
    }
    while (b > a && Character.isWhitespace(text.charAt(b - 1))) {
      b--;
    }
    int best = 0;
    for (int i = 0; i < t.size(); i++) {
      if (t.start(i) <= a && t.end(i) >= b && t.depth(i) > t.depth(best)) {
        best = i;
      }
    }
    return best;
  }

  private static int[] lineStarts(String code) {
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = 0; i < code.length(); i++) {
      if (code.charAt(i) == '\n') {
        starts.add(i + 1);
      }
    }
    return starts.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int line(int[] starts, int pos) {
    int lo = 0;
    int hi = starts.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= pos) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** A parse of (possibly wrapped) code: the code starts at {@code offset}; {@code root} is its node. */
  record Parsed(SyntaxTree tree, int offset, int root) {}

  /** Settings of a {@link CodeLabeller}; all optional. */
  public static final class Builder {
    private boolean skipComments;
    private double maxErrorRatio = DEFAULT_MAX_ERROR_RATIO;
    private int minCount = DEFAULT_MIN_COUNT;
    private boolean progress;

    private Builder() {}

    /** Leave comments out of the tokens. */
    public Builder optSkipComments(boolean skip) {
      this.skipComments = skip;
      return this;
    }

    /** ERROR/MISSING nodes per token above which a snippet is skipped (default 0.05). */
    public Builder optMaxErrorRatio(double r) {
      this.maxErrorRatio = r;
      return this;
    }

    /** Labels of lexical-fine/syntactic seen fewer times are folded into OTHER (default 5; 0 = never). */
    public Builder optMinCount(int n) {
      this.minCount = n;
      return this;
    }

    /** Progress bar on stderr while labelling a corpus. */
    public Builder optProgress(boolean show) {
      this.progress = show;
      return this;
    }

    public CodeLabeller build() {
      if (!(maxErrorRatio >= 0)) {
        throw new NeuroLensException("--max-error-ratio must be >= 0, found " + maxErrorRatio);
      }
      if (minCount < 0) {
        throw new NeuroLensException("--min-count must be >= 0, found " + minCount);
      }
      return new CodeLabeller(this);
    }
  }
}
