package dev.neurolens.concept;

import dev.neurolens.corpus.Corpus;
import dev.neurolens.corpus.CorpusStats;
import dev.neurolens.util.Json;
import dev.neurolens.util.AtomicFiles;
import dev.neurolens.util.NeuroLensException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a labelled corpus: {@code labels.jsonl} (one snippet per line: id, split, tokens with
 * spans, labels per task, control labels, snippet labels), NeuroX-style parallel files per split
 * ({@code train.in}: one snippet per line, tokens joined by single spaces; {@code
 * train.<task>.label}: the labels, aligned; {@code train.<task>.control.label} for control tasks;
 * sentence tasks have one label per line), and {@code summary.json}.
 *
 * <p>Escaping in {@code .in} files: tokens never contain a plain space, tab or line break there:
 * {@code \} is written {@code \\}, space {@code \s}, tab {@code \t}, newline {@code \n}, carriage
 * return {@code \r}, other whitespace {@code \}{@code uXXXX}. The JSONL holds the raw text.
 *
 * <p>Usage: {@code LabelWriter.LabelSummary s = LabelWriter.write(outDir, corpus, labelled, split, Map.of(), 42)}
 */
public final class LabelWriter {
  public static final String ESCAPING =
      "in .in files: backslash -> \\\\, space -> \\s, tab -> \\t, newline -> \\n, CR -> \\r, other whitespace -> \\uXXXX";

  /** What was written, as printed by {@code label --json}. */
  public record LabelSummary(
      String corpus,
      String corpusHash,
      CorpusStats corpusStats,
      List<String> tasks,
      int snippets,
      long tokens,
      Map<String, Integer> splitSnippets,
      Map<String, Integer> skippedSnippets,
      Map<String, Map<String, Long>> labelCounts,
      Map<String, Map<String, Integer>> labelIds,
      List<String> controlTasks,
      long seed,
      String escaping,
      List<String> files) {
    public LabelSummary {
      tasks = List.copyOf(tasks);
      controlTasks = List.copyOf(controlTasks);
      files = List.copyOf(files);
    }
  }

  /** Written in NeuroX-style label files for a token without a label in a task (the presets' classes). */
  static final String UNLABELLED = "-";

  private LabelWriter() {}

  public static LabelSummary write(Path dir, Corpus corpus, LabelledCorpus lc, SnippetSplits.Split split,
      Map<String, ControlTasks.ControlTask> controls, long seed) {
    List<LabelTask> specs = lc.tasks().stream().map(Tasks::parse).toList();
    List<String> files = new ArrayList<>();
    try {
      Files.createDirectories(dir);
      Map<String, String> splitOf = new LinkedHashMap<>();
      for (String part : List.of("train", "dev", "test")) {
        split.part(part).forEach(s -> splitOf.put(s.snippet().id(), part));
      }
      Path jsonl = dir.resolve("labels.jsonl");
      writeAtomically(jsonl, w -> {
        for (LabelledSnippet s : lc.snippets()) {
          w.write(Json.line(record(s, splitOf.get(s.snippet().id()), controls)));
          w.write('\n');
        }
      });
      files.add(jsonl.getFileName().toString());
      for (String part : List.of("train", "dev", "test")) {
        List<LabelledSnippet> ss = split.part(part);
        Path in = dir.resolve(part + ".in");
        writeAtomically(in, w -> {
          for (LabelledSnippet s : ss) {
            w.write(String.join(" ", s.words().stream().map(LabelWriter::escape).toList()));
            w.write('\n');
          }
        });
        files.add(in.getFileName().toString());
        for (LabelTask t : specs) {
          Path lab = dir.resolve(part + "." + t.fileName() + ".label");
          writeAtomically(lab, w -> {
            for (LabelledSnippet s : ss) {
              w.write(t.isTokenLevel() ? String.join(" ", s.tokenLabels().get(t.name()).stream()
                  .map(l -> l == null ? UNLABELLED : l).toList()) : s.snippetLabels().getOrDefault(t.name(), ""));
              w.write('\n');
            }
          });
          files.add(lab.getFileName().toString());
          ControlTasks.ControlTask c = controls.get(t.name());
          if (c != null) {
            Path cl = dir.resolve(part + "." + t.fileName() + ".control.label");
            writeAtomically(cl, w -> {
              for (LabelledSnippet s : ss) {
                w.write(String.join(" ", c.labels(s)));
                w.write('\n');
              }
            });
            files.add(cl.getFileName().toString());
          }
        }
      }
    } catch (IOException e) {
      throw new NeuroLensException(dir + ": cannot write labels (" + e.getMessage() + ")", e);
    }
    Map<String, Map<String, Integer>> ids = new LinkedHashMap<>();
    for (LabelTask t : specs) {
      if (!t.isRegression()) {
        ids.put(t.name(), lc.labelIds(t.name()));
      }
    }
    Map<String, Integer> splitCounts = new LinkedHashMap<>();
    for (String part : List.of("train", "dev", "test")) {
      splitCounts.put(part, split.part(part).size());
    }
    files.add("summary.json");
    LabelSummary summary = new LabelSummary(corpus.spec(), corpus.hash(), corpus.stats(), lc.tasks(), lc.snippets().size(),
        lc.tokenCount(), splitCounts, lc.skipped(), lc.frequencies(), ids, new ArrayList<>(controls.keySet()), seed, ESCAPING, files);
    Json.writeAtomically(dir.resolve("summary.json"), summary);
    return summary;
  }

  private static Map<String, Object> record(LabelledSnippet s, String split, Map<String, ControlTasks.ControlTask> controls) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.snippet().id());
    m.put("source", s.snippet().source());
    m.put("lang", s.snippet().lang());
    m.put("split", split);
    m.put("startLine", s.snippet().startLine());
    m.put("startChar", s.snippet().startChar());
    m.put("errorNodes", s.errorNodes());
    List<Map<String, Object>> toks = new ArrayList<>();
    for (CodeToken t : s.tokens()) {
      Map<String, Object> tm = new LinkedHashMap<>();
      tm.put("text", t.text());
      tm.put("start", t.start());
      tm.put("end", t.end());
      tm.put("line", t.line());
      toks.add(tm);
    }
    m.put("tokens", toks);
    m.put("labels", s.tokenLabels());
    Map<String, List<String>> ctl = new LinkedHashMap<>();
    controls.forEach((task, c) -> ctl.put(task, c.labels(s)));
    if (!ctl.isEmpty()) {
      m.put("control", ctl);
    }
    m.put("snippetLabels", s.snippetLabels());
    m.put("code", s.snippet().code());
    return m;
  }

  /** The {@code .in} form of a token (see the class comment). */
  public static String escape(String token) {
    StringBuilder sb = new StringBuilder(token.length());
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case ' ' -> sb.append("\\s");
        case '\t' -> sb.append("\\t");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        default -> {
          if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
            sb.append(String.format("\\u%04X", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }

  private interface Body {
    void write(BufferedWriter w) throws IOException;
  }

  private static void writeAtomically(Path file, Body body) throws IOException {
    AtomicFiles.write(file, tmp -> {
      try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        body.write(w);
      }
    });
  }
}
