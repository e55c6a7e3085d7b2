package dev.neurolens.corpus;

import dev.neurolens.util.NeuroLensException;
import dev.neurolens.util.Progress;
import dev.neurolens.util.Shuffle;
import java.io.IOException;
import java.io.InputStream;
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
 * snippet per line whatever the unit). Pipeline: list the files by name, without reading them, and
 * skip by name those of no wanted language; read the others one at a time, at most {@code
 * maxFileBytes} each (archive entries through a zip-bomb guard, see {@link SourceFiles}); skip
 * binary (NUL byte), non-UTF-8 and empty files and files with a line over {@code maxLineChars}
 * (minified or generated); cut methods with the parser, counting their code tokens in the same
 * parse (or keep files); drop snippets with more than {@code maxTokens} code tokens (counted); drop
 * identical code (counted); sample {@code maxSnippets} with {@code seed} (uniform without
 * replacement, then back in source order). Only one file's bytes are held at a time; the snippets
 * found are held until sampling.
 *
 * <p>A {@code .jsonl} file is read line by line with no cap on the file and {@code maxFileBytes}
 * per line (see {@link JsonlLines}). Skip reasons, counted in {@link CorpusStats#skippedFiles()}:
 * {@code unknown-language}, {@code other-language}, {@code too-large}, {@code long-line}, {@code
 * zip-bomb}, {@code nested-archive}, {@code duplicate-entry}, {@code unreadable}, {@code binary},
 * {@code not-utf8}, {@code empty}.
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
  /** Files (and archive entries, and JSONL lines) larger than this many bytes are skipped by default. */
  public static final long DEFAULT_MAX_FILE_BYTES = 2L << 20;
  /**
   * Files with a line longer than this many chars are skipped by default as minified or generated
   * (Guava's PublicSuffixPatterns has a 10,830-char string constant on one line).
   */
  public static final int DEFAULT_MAX_LINE_CHARS = 20_000;
  /** The largest {@code maxFileBytes}: the longest Java array. */
  static final long MAX_FILE_BYTES_LIMIT = Integer.MAX_VALUE - 8;

  private final Language lang;
  private final Unit unit;
  private final int maxSnippets;
  private final long seed;
  private final int maxTokens;
  private final boolean quiet;
  private final boolean docComments;
  private final long maxFileBytes;
  private final int maxLineChars;
  private final long maxArchiveBytes;

  private CorpusReader(Builder b) {
    this.lang = b.lang;
    this.unit = b.unit;
    this.maxSnippets = b.maxSnippets;
    this.seed = b.seed;
    this.maxTokens = b.maxTokens;
    this.quiet = b.quiet;
    this.docComments = b.docComments;
    this.maxFileBytes = b.maxFileBytes;
    this.maxLineChars = b.maxLineChars;
    this.maxArchiveBytes = b.maxArchiveBytes;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Reads {@code spec}; throws {@link NeuroLensException} for a missing path, bad archive or empty result. */
  public Corpus read(String spec) {
    Map<String, Integer> skipped = new TreeMap<>();
    List<String> examples = new ArrayList<>();
    List<Candidate> found = new ArrayList<>();
    int files = 0;
    try (SourceFiles src = SourceFiles.list(spec, maxArchiveBytes);
        Progress bar = quiet ? Progress.silent() : Progress.start("reading corpus", src.items().size(), "files")) {
      boolean single = src.items().size() == 1 && !spec.equals("default");
      for (SourceFiles.Item f : src.items()) {
        bar.step(1);
        dev.neurolens.util.Activity.set("reading corpus file " + f.name());
        if (f.skip() != null) {
          skip(skipped, examples, f.name(), f.skip());
          continue;
        }
        String lower = f.name().toLowerCase(Locale.ROOT);
        if (lower.endsWith(".jsonl")) {
          files += readJsonl(src, f, found, skipped, examples);
          continue;
        }
        Optional<Language> l = languageOf(f.name(), single);
        if (l.isEmpty()) {
          boolean known = Languages.forFile(lower).isPresent();
          skip(skipped, examples, f.name(), known ? "other-language" : "unknown-language");
          continue;
        }
        byte[] bytes;
        try {
          bytes = src.read(f, maxFileBytes);
        } catch (SourceFiles.Skip s) {
          skip(skipped, examples, f.name(), s.reason());
          continue;
        }
        String text = decode(bytes);
        if (text == null) {
          skip(skipped, examples, f.name(), isBinary(bytes) ? "binary" : "not-utf8");
          continue;
        }
        if (text.isBlank()) {
          skip(skipped, examples, f.name(), "empty");
          continue;
        }
        if (longestLine(text) > maxLineChars) {
          skip(skipped, examples, f.name(), "long-line");
          continue;
        }
        files++;
        if (unit == Unit.FILE) {
          found.add(new Candidate(new Snippet(f.name(), f.name(), l.get().name(), text, 1, 0, null), -1));
        } else {
          found.addAll(MethodCutter.cut(l.get(), f.name(), text, docComments, tokenLimit()));
        }
      }
    }
    return select(spec, found, files, skipped, examples);
  }

  /** Reads one JSONL file into {@code found}; 1 when it held a snippet line, else 0 (skipped, counted). */
  private int readJsonl(SourceFiles src, SourceFiles.Item f, List<Candidate> found, Map<String, Integer> skipped,
      List<String> examples) {
    JsonlLines.Sink sink = new JsonlLines.Sink() {
      @Override
      public void snippet(Candidate c) {
        found.add(c);
      }

      @Override
      public void skip(String name, String reason) {
        CorpusReader.skip(skipped, examples, name, reason);
      }
    };
    int before = found.size();
    int lines;
    try (InputStream in = src.open(f)) {
      lines = JsonlLines.read(in, f.name(), lang, maxFileBytes, maxLineChars, sink);
    } catch (SourceFiles.Skip s) {
      found.subList(before, found.size()).clear(); // a file is read whole or not at all
      skip(skipped, examples, f.name(), s.reason());
      return 0;
    } catch (IOException e) {
      if (f.entry() == null) {
        throw new NeuroLensException(f.file() + ": cannot read file (" + NeuroLensException.reason(e) + ")", e);
      }
      found.subList(before, found.size()).clear();
      skip(skipped, examples, f.name(), "unreadable");
      return 0;
    }
    if (lines <= 0) {
      skip(skipped, examples, f.name(), lines < 0 ? "binary" : "empty");
      return 0;
    }
    return 1;
  }

  /** Token counts stop one past this (no limit: the largest int). */
  private int tokenLimit() {
    return maxTokens > 0 ? maxTokens : Integer.MAX_VALUE - 1;
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
    List<Candidate> unique = new ArrayList<>();
    int duplicates = 0;
    for (Candidate c : found) {
      Snippet s = c.snippet();
      if (!seenCode.add(s.lang() + "\0" + s.code().strip())) {
        duplicates++;
        continue;
      }
      int n = idCount.merge(s.id(), 1, Integer::sum);
      if (n > 1) {
        c = new Candidate(new Snippet(s.id() + "~" + n, s.source(), s.lang(), s.code(), s.startLine(), s.startChar(), s.label()),
            c.tokens());
      }
      unique.add(c);
    }
    // Examine snippets in seeded random order (or source order), count the tokens of those not
    // counted when cut (files, JSONL lines) with the parser, and stop once maxSnippets fit: only
    // the examined snippets are ever labelled.
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
      Candidate c = unique.get(i);
      int tokens = c.tokens() >= 0
          ? c.tokens()
          : SyntaxTree.countTokens(Languages.byName(c.snippet().lang()), c.snippet().code(), tokenLimit());
      if (maxTokens > 0 && tokens > maxTokens) {
        tooLong++;
      } else {
        chosen.put(i, tokens);
      }
    }
    int sampledOut = unique.size() - examined;
    List<Candidate> kept = new ArrayList<>();
    chosen.forEach((i, tokens) -> kept.add(new Candidate(unique.get(i).snippet(), tokens)));
    if (kept.isEmpty()) {
      String hint = skipped.containsKey("too-large") ? "; files over " + maxFileBytes + " bytes are skipped: raise --max-file-bytes?" : "";
      throw new NeuroLensException(
          "--corpus " + spec + ": empty corpus (no " + (lang == null ? "" : lang.name() + " ") + unit.name().toLowerCase(Locale.ROOT)
              + " snippets; files read " + files + ", skipped " + skipped + ", too long " + tooLong + hint + ")");
    }
    long tokens = kept.stream().mapToLong(Candidate::tokens).sum();
    CorpusStats stats =
        new CorpusStats(files, skipped, examples, found.size(), duplicates, tooLong, sampledOut, kept.size(), tokens);
    String fullSpec =
        spec + " unit=" + unit.name().toLowerCase(Locale.ROOT) + (lang == null ? "" : " lang=" + lang.name())
            + " maxTokens=" + maxTokens + (maxSnippets > 0 ? " maxSnippets=" + maxSnippets + " seed=" + seed : "")
            + (maxFileBytes != DEFAULT_MAX_FILE_BYTES ? " maxFileBytes=" + maxFileBytes : "")
            + (maxLineChars != DEFAULT_MAX_LINE_CHARS ? " maxLineChars=" + maxLineChars : "");
    return new Corpus(fullSpec, kept.stream().map(Candidate::snippet).toList(), stats);
  }

  /** Length in chars of the longest line of {@code text} (lines end at {@code '\n'}). */
  static int longestLine(String text) {
    int longest = 0;
    int start = 0;
    for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
      longest = Math.max(longest, i - start);
      start = i + 1;
    }
    return Math.max(longest, text.length() - start);
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

  /**
   * A snippet with its code-token count before filtering: -1 when not yet counted, {@code
   * maxTokens + 1} when counting stopped there.
   */
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
    private long maxFileBytes = DEFAULT_MAX_FILE_BYTES;
    private int maxLineChars = DEFAULT_MAX_LINE_CHARS;
    private long maxArchiveBytes = SourceFiles.DEFAULT_MAX_ARCHIVE_BYTES;

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

    /**
     * Skip files, archive entries and JSONL lines larger than n bytes (default 2 MiB), counted as
     * {@code too-large}; larger files are never read past n bytes.
     */
    public Builder optMaxFileBytes(long n) {
      this.maxFileBytes = n;
      return this;
    }

    /** Skip files whose longest line has more than n chars (default 20,000), counted as {@code long-line}. */
    public Builder optMaxLineChars(int n) {
      this.maxLineChars = n;
      return this;
    }

    /** Bytes one archive may inflate in all (default 1 GiB); past it, its entries are skipped as {@code zip-bomb}. */
    Builder optMaxArchiveBytes(long n) {
      this.maxArchiveBytes = n;
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
      if (maxFileBytes < 1 || maxFileBytes > MAX_FILE_BYTES_LIMIT) {
        throw new NeuroLensException("--max-file-bytes must be between 1 and " + MAX_FILE_BYTES_LIMIT + ", found " + maxFileBytes);
      }
      if (maxLineChars < 1) {
        throw new NeuroLensException("maxLineChars must be >= 1, found " + maxLineChars);
      }
      if (maxArchiveBytes < 1) {
        throw new NeuroLensException("maxArchiveBytes must be >= 1, found " + maxArchiveBytes);
      }
      return new CorpusReader(this);
    }
  }
}
