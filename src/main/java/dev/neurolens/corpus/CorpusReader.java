package dev.neurolens.corpus;

import dev.neurolens.util.Shuffle;
import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import dev.neurolens.util.Progress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads a corpus specification into {@link Snippet}s.
 *
 * <p>Spec: {@code "default"} (the bundled library sources), a directory (walked, sorted), a code
 * file, a zip/jar archive, or a {@code .jsonl} file ({@code {"code", "label", "lang"}} per line, one
 * snippet per line whatever the unit). Pipeline: skip binary (NUL byte) and non-UTF-8 files; cut
 * methods with the parser (or keep files); drop snippets with more than {@code maxTokens} code
 * tokens (counted); drop identical code (counted); sample {@code maxSnippets} with {@code seed}
 * (uniform without replacement, then back in source order).
 *
 * <pre>{@code
 * Corpus c = CorpusReader.builder().optMaxSnippets(1200).optSeed(7).build().read("default");
 * }</pre>
 *
 * <p>Usage: {@code Corpus c = CorpusReader.builder().optLang("python").optUnit(Unit.FILE).build().read("src")}
 */
public final class CorpusReader {
  /** A corpus size the {@code analyze} pipeline handles in minutes on 2 cores (~60k tokens). */
  public static final int DEFAULT_ANALYZE_MAX_SNIPPETS = 1200;
  /** Snippets longer than this many code tokens are dropped by default. */
  public static final int DEFAULT_MAX_TOKENS = 512;

  private final Language lang;
  private final Unit unit;
  private final int maxSnippets;
  private final long seed;
  private final int maxTokens;
  private final boolean quiet;
  private final boolean docComments;

  private CorpusReader(Builder b) {
    this.lang = b.lang;
    this.unit = b.unit;
    this.maxSnippets = b.maxSnippets;
    this.seed = b.seed;
    this.maxTokens = b.maxTokens;
    this.quiet = b.quiet;
    this.docComments = b.docComments;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Reads {@code spec}; throws {@link NeuroLensException} for a missing path, bad archive or empty result. */
  public Corpus read(String spec) {
    List<SourceFiles.RawFile> raw = SourceFiles.list(spec);
    boolean single = raw.size() == 1 && !spec.equals("default");
    Map<String, Integer> skipped = new TreeMap<>();
    List<String> examples = new ArrayList<>();
    List<Candidate> found = new ArrayList<>();
    int files = 0;
    try (Progress bar = quiet ? Progress.silent() : Progress.start("reading corpus", raw.size(), "files")) {
      for (SourceFiles.RawFile f : raw) {
        bar.step(1);
        String lower = f.name().toLowerCase(Locale.ROOT);
        boolean jsonl = lower.endsWith(".jsonl");
        Optional<Language> l = jsonl ? Optional.ofNullable(lang) : languageOf(f.name(), single);
        if (!jsonl && l.isEmpty()) {
          boolean known = Languages.forFile(lower).isPresent();
          skip(skipped, examples, f.name(), known ? "other-language" : "unknown-language");
          continue;
        }
        String text = decode(f.bytes());
        if (text == null) {
          skip(skipped, examples, f.name(), isBinary(f.bytes()) ? "binary" : "not-utf8");
          continue;
        }
        if (text.isBlank()) {
          skip(skipped, examples, f.name(), "empty");
          continue;
        }
        files++;
        if (jsonl) {
          found.addAll(readJsonl(f.name(), text));
        } else if (unit == Unit.FILE) {
          found.add(new Candidate(new Snippet(f.name(), f.name(), l.get().name(), text, 1, 0, null), -1));
        } else {
          found.addAll(MethodCutter.cut(l.get(), f.name(), text, docComments));
        }
      }
    }
    return select(spec, found, files, skipped, examples);
  }

  private Optional<Language> languageOf(String name, boolean single) {
    if (lang != null) {
      return lang.matches(name.toLowerCase(Locale.ROOT)) || single ? Optional.of(lang) : Optional.empty();
    }
    return Languages.forFile(name);
  }

  private Corpus select(String spec, List<Candidate> found, int files, Map<String, Integer> skipped, List<String> examples) {
    Set<String> seenCode = new HashSet<>();
    Map<String, Integer> idCount = new HashMap<>();
    List<Snippet> unique = new ArrayList<>();
    int duplicates = 0;
    for (Candidate c : found) {
      Snippet s = c.snippet();
      if (!seenCode.add(s.lang() + "\0" + s.code().strip())) {
        duplicates++;
        continue;
      }
      int n = idCount.merge(s.id(), 1, Integer::sum);
      if (n > 1) {
        s = new Snippet(s.id() + "~" + n, s.source(), s.lang(), s.code(), s.startLine(), s.startChar(), s.label());
      }
      unique.add(s);
    }
    // Examine snippets in seeded random order (or source order), count tokens exactly with the
    // parser, and stop once maxSnippets fit: only the examined snippets are ever labelled.
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < unique.size(); i++) {
      order.add(i);
    }
    if (maxSnippets > 0) {
      Shuffle.inPlace(order, new Random(seed));
    }
    int tooLong = 0;
    int examined = 0;
    Map<Integer, Integer> chosen = new TreeMap<>();
    for (int i : order) {
      if (maxSnippets > 0 && chosen.size() == maxSnippets) {
        break;
      }
      examined++;
      Snippet s = unique.get(i);
      SyntaxTree t = SyntaxTree.parse(Languages.byName(s.lang()), s.code());
      int tokens = tokenCount(t, 0, t.size());
      if (maxTokens > 0 && tokens > maxTokens) {
        tooLong++;
      } else {
        chosen.put(i, tokens);
      }
    }
    int sampledOut = unique.size() - examined;
    List<Candidate> kept = new ArrayList<>();
    chosen.forEach((i, tokens) -> kept.add(new Candidate(unique.get(i), tokens)));
    if (kept.isEmpty()) {
      throw new NeuroLensException(
          "--corpus " + spec + ": empty corpus (no " + (lang == null ? "" : lang.name() + " ") + unit.name().toLowerCase(Locale.ROOT)
              + " snippets; files read " + files + ", skipped " + skipped + ", too long " + tooLong + ")");
    }
    long tokens = kept.stream().mapToLong(Candidate::tokens).sum();
    CorpusStats stats =
        new CorpusStats(files, skipped, examples, found.size(), duplicates, tooLong, sampledOut, kept.size(), tokens);
    String fullSpec =
        spec + " unit=" + unit.name().toLowerCase(Locale.ROOT) + (lang == null ? "" : " lang=" + lang.name())
            + " maxTokens=" + maxTokens + (maxSnippets > 0 ? " maxSnippets=" + maxSnippets + " seed=" + seed : "");
    return new Corpus(fullSpec, kept.stream().map(Candidate::snippet).toList(), stats);
  }

  private List<Candidate> readJsonl(String name, String text) {
    List<Candidate> out = new ArrayList<>();
    String[] lines = text.split("\r?\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = Json.MAPPER.readTree(lines[i]);
      } catch (IOException e) {
        throw new NeuroLensException(name + ":" + (i + 1) + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
      }
      if (node == null || !node.isObject() || !node.path("code").isTextual()) {
        throw new NeuroLensException(name + ":" + (i + 1) + ": each line must be an object with a \"code\" string");
      }
      Language l = node.path("lang").isTextual() ? Languages.byName(node.get("lang").asText()) : lang;
      if (l == null) {
        throw new NeuroLensException(name + ":" + (i + 1) + ": no \"lang\" field; give the language with --lang");
      }
      String code = node.get("code").asText();
      String label = node.path("label").isMissingNode() || node.path("label").isNull() ? null : node.get("label").asText();
      out.add(new Candidate(new Snippet(name + "#" + (i + 1), name, l.name(), code, 1, 0, label), -1));
    }
    return out;
  }

  /** Non-empty leaves of nodes {@code from .. to-1} (a subtree in pre-order). */
  static int tokenCount(SyntaxTree t, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      if (t.childCount(i) == 0 && t.end(i) > t.start(i)) {
        n++;
      }
    }
    return n;
  }

  /** Strict UTF-8 decoding without BOM; null when binary (NUL byte) or not UTF-8. */
  static String decode(byte[] bytes) {
    if (isBinary(bytes)) {
      return null;
    }
    try {
      String s =
          StandardCharsets.UTF_8.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      return s.startsWith("\uFEFF") ? s.substring(1) : s;
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static boolean isBinary(byte[] bytes) {
    int n = Math.min(bytes.length, 8192);
    for (int i = 0; i < n; i++) {
      if (bytes[i] == 0) {
        return true;
      }
    }
    return false;
  }

  private static void skip(Map<String, Integer> skipped, List<String> examples, String name, String reason) {
    skipped.merge(reason, 1, Integer::sum);
    if (examples.size() < 50) {
      examples.add(name + ": " + reason);
    }
  }

  /** A snippet with its code-token count, before filtering. */
  record Candidate(Snippet snippet, int tokens) {}

  /** Settings of a {@link CorpusReader}; all optional. */
  public static final class Builder {
    private Language lang;
    private Unit unit = Unit.METHOD;
    private int maxSnippets;
    private long seed = 42;
    private int maxTokens = DEFAULT_MAX_TOKENS;
    private boolean quiet = true;
    private boolean docComments;

    private Builder() {}

    /**
     * Start each method at the doc comment ({@code /** ... *}{@code /}) right before it, when there
     * is one (for code-search pairs); Python docstrings are inside the function anyway.
     */
    public Builder optDocComments(boolean keep) {
      this.docComments = keep;
      return this;
    }

    /** Only this language (by name); files of others are skipped. Null = from file extensions. */
    public Builder optLang(String name) {
      this.lang = name == null ? null : Languages.byName(name);
      return this;
    }

    public Builder optUnit(Unit u) {
      this.unit = u;
      return this;
    }

    /** Keep at most n snippets, sampled with the seed (0 = all). */
    public Builder optMaxSnippets(int n) {
      this.maxSnippets = n;
      return this;
    }

    public Builder optSeed(long s) {
      this.seed = s;
      return this;
    }

    /** Drop snippets with more code tokens than n (0 = no limit). */
    public Builder optMaxTokens(int n) {
      this.maxTokens = n;
      return this;
    }

    /** Show a progress bar on stderr (off by default). */
    public Builder optProgress(boolean show) {
      this.quiet = !show;
      return this;
    }

    public CorpusReader build() {
      if (maxSnippets < 0) {
        throw new NeuroLensException("--max-snippets must be >= 0, found " + maxSnippets);
      }
      if (maxTokens < 0) {
        throw new NeuroLensException("--max-tokens must be >= 0, found " + maxTokens);
      }
      if (unit == null) {
        throw new NeuroLensException("--unit must be method or file");
      }
      return new CorpusReader(this);
    }
  }
}
