package dev.neurolens.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.concept.CodeLabeller;
import dev.neurolens.concept.LabelledSnippet;
import dev.neurolens.corpus.Corpus;
import dev.neurolens.corpus.CorpusReader;
import dev.neurolens.corpus.Snippet;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import dev.neurolens.util.Shuffle;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Downstream data for fine-tuning, from a corpus (code-search pairs from doc comments, or a
 * sentence task's labels) or from a user JSONL file, split train/dev/test by example with a seed.
 *
 * <p>JSONL, one object per line: code search {@code {"query": ..., "code": ...}} ({@code
 * "docstring"} or {@code "nl"} also name the query); classification {@code {"code": ...,
 * "label": ...}}; pairs {@code {"code1": ..., "code2": ..., "label": ...}} (label 0/1 or
 * false/true). A malformed line stops the load with {@code FILE:LINE: rule, found ...}.
 *
 * <p>Usage: {@code Datasets.Dataset d = Datasets.load(DownstreamTask.parse("code-search"), "default", null, null, Datasets.Sizes.DEFAULT, 42)}
 */
public final class Datasets {
  /** Words a code-search query needs at least (CodeSearchNet drops shorter docstrings). */
  public static final int MIN_QUERY_WORDS = 3;

  private Datasets() {}

  /**
   * How many examples go to each split: {@code test} and {@code dev} examples first (shuffled),
   * then up to {@code maxTrain} for training (0 = all the rest). With fewer examples than
   * test + dev + 10, the split is 80/10/10 instead.
   */
  public record Sizes(int dev, int test, int maxTrain) {
    /** 200 dev, 1,000 test (the pool code search ranks against), 3,000 train. */
    public static final Sizes DEFAULT = new Sizes(200, 1000, 3000);

    public Sizes {
      if (dev < 1 || test < 1 || maxTrain < 0) {
        throw new NeuroLensException("--dev-size and --test-size must be >= 1 and --max-train >= 0, found "
            + dev + ", " + test + ", " + maxTrain);
      }
    }
  }

  /**
   * A split dataset.
   *
   * @param labels the label vocabulary (sorted; empty for code search)
   * @param available examples found before the split (after deduplication)
   */
  public record Dataset(DownstreamTask task, String source, List<Example> train, List<Example> dev,
      List<Example> test, List<String> labels, int available) {
    public Dataset {
      train = List.copyOf(train);
      dev = List.copyOf(dev);
      test = List.copyOf(test);
      labels = List.copyOf(labels);
    }

    /** "3000 train / 200 dev / 1000 test of 14210 pairs from default". */
    public String describe() {
      String what = task.kind() == DownstreamTask.Kind.CODE_SEARCH ? "pairs" : "examples";
      return train.size() + " train / " + dev.size() + " dev / " + test.size() + " test of " + available + " " + what
          + " from " + source + (labels.isEmpty() ? "" : "; labels " + labels);
    }
  }

  /**
   * Loads and splits the data of {@code task}: from {@code data} (JSONL) when given, else from
   * {@code corpus} (code search: methods with a doc comment; classify:TASK: the task's labels).
   *
   * @param lang the corpus language, or null for all
   */
  public static Dataset load(DownstreamTask task, String corpus, Path data, String lang, Sizes sizes, long seed) {
    List<Example> all;
    String source;
    if (data != null) {
      all = readJsonl(data, task);
      source = data.toString();
    } else {
      if (corpus == null) {
        throw new NeuroLensException("finetune: give --corpus C or --data FILE.jsonl");
      }
      if (task.kind() == DownstreamTask.Kind.PAIRS || (task.kind() == DownstreamTask.Kind.CLASSIFY && task.labelTask() == null)) {
        throw new NeuroLensException("--task " + task + ": needs --data FILE.jsonl (a corpus gives code-search pairs and classify:TASK labels)");
      }
      source = corpus;
      Corpus c = CorpusReader.builder().optLang(lang).optDocComments(task.kind() == DownstreamTask.Kind.CODE_SEARCH)
          .optProgress(true).build().read(corpus);
      all = task.kind() == DownstreamTask.Kind.CODE_SEARCH ? searchPairs(c.snippets()) : labelled(c, task.labelTask());
    }
    return split(task, source, all, sizes, seed);
  }

  /**
   * Code-search pairs from methods that start with a doc comment (or hold a docstring): query =
   * the comment's first sentence (at least {@link #MIN_QUERY_WORDS} words), code = the method
   * without the comment; repeated queries and repeated code are dropped (first kept).
   */
  public static List<Example> searchPairs(List<Snippet> snippets) {
    List<Example> out = new ArrayList<>();
    Set<String> queries = new HashSet<>();
    Set<String> codes = new HashSet<>();
    for (Snippet s : snippets) {
      Optional<DocComments.Split> split = DocComments.split(s.lang(), s.code());
      if (split.isEmpty()) {
        continue;
      }
      String q = DocComments.firstSentence(split.get().doc());
      if (q.split(" ").length < MIN_QUERY_WORDS || !queries.add(q) || !codes.add(split.get().code())) {
        continue;
      }
      out.add(new Example(s.id(), q, split.get().code(), null));
    }
    return out;
  }

  private static List<Example> labelled(Corpus c, String task) {
    List<Example> out = new ArrayList<>();
    for (LabelledSnippet ls : CodeLabeller.builder().optProgress(true).build().labelAll(c, Set.of(task))) {
      String label = ls.snippetLabels().get(task);
      if (label != null) {
        out.add(new Example(ls.snippet().id(), ls.snippet().code(), null, label));
      }
    }
    return out;
  }

  /** Reads a JSONL file of {@code task}'s form; one-line errors name the file and line. */
  public static List<Example> readJsonl(Path file, DownstreamTask task) {
    if (!Files.isRegularFile(file)) {
      throw new NeuroLensException("--data " + file + ": no such file");
    }
    List<Example> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        String where = file + ":" + n;
        JsonNode node;
        try {
          node = Json.MAPPER.readTree(line);
        } catch (IOException e) {
          throw new NeuroLensException(where + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (node == null || !node.isObject()) {
          throw new NeuroLensException(where + ": each line must be a JSON object, found " + (node == null ? "nothing" : node.getNodeType()));
        }
        String id = file.getFileName() + "#" + n;
        out.add(switch (task.kind()) {
          case CODE_SEARCH -> new Example(id, firstText(node, where, "query", "docstring", "nl"), text(node, where, "code"), null);
          case CLASSIFY -> new Example(id, text(node, where, "code"), null, label(node, where));
          case PAIRS -> new Example(id, text(node, where, "code1"), text(node, where, "code2"), binary(label(node, where), where));
        });
      }
    } catch (IOException e) {
      throw new NeuroLensException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
    if (out.isEmpty()) {
      throw new NeuroLensException("--data " + file + ": no examples (the file is empty)");
    }
    return out;
  }

  private static String text(JsonNode node, String where, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new NeuroLensException(where + ": field \"" + field + "\" must be a non-empty string, found "
          + (v == null ? "no such field" : v.isTextual() ? "an empty string" : v.getNodeType().toString().toLowerCase()));
    }
    return v.asText();
  }

  private static String firstText(JsonNode node, String where, String... fields) {
    for (String f : fields) {
      if (node.has(f)) {
        return text(node, where, f);
      }
    }
    throw new NeuroLensException(where + ": needs a query string in one of the fields " + List.of(fields) + ", found none");
  }

  private static String label(JsonNode node, String where) {
    JsonNode v = node.get("label");
    if (v == null || !(v.isTextual() || v.isIntegralNumber() || v.isBoolean()) || v.asText().isBlank()) {
      throw new NeuroLensException(where + ": field \"label\" must be a string, integer or boolean, found "
          + (v == null ? "no such field" : v.getNodeType().toString().toLowerCase()));
    }
    return v.asText();
  }

  private static String binary(String label, String where) {
    return switch (label) {
      case "1", "true" -> "1";
      case "0", "false" -> "0";
      default -> throw new NeuroLensException(where + ": a pair's \"label\" must be 0/1 or false/true, found '" + label + "'");
    };
  }

  /** Shuffles with {@code seed} and cuts test, dev, then train (see {@link Sizes}). */
  public static Dataset split(DownstreamTask task, String source, List<Example> all, Sizes sizes, long seed) {
    int n = all.size();
    if (n < 10) {
      throw new NeuroLensException("finetune: " + source + " gives " + n + " " + task + " examples; at least 10 are needed");
    }
    int test = sizes.test();
    int dev = sizes.dev();
    if (n < test + dev + 10) {
      test = Math.max(1, n / 10);
      dev = Math.max(1, n / 10);
    }
    int[] order = Shuffle.permutation(n, new Random(seed));
    List<Example> testList = new ArrayList<>();
    List<Example> devList = new ArrayList<>();
    List<Example> trainList = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      Example e = all.get(order[k]);
      if (k < test) {
        testList.add(e);
      } else if (k < test + dev) {
        devList.add(e);
      } else if (sizes.maxTrain() == 0 || trainList.size() < sizes.maxTrain()) {
        trainList.add(e);
      }
    }
    Set<String> labels = new TreeSet<>();
    for (Example e : all) {
      if (e.label() != null) {
        labels.add(e.label());
      }
    }
    if (task.kind() != DownstreamTask.Kind.CODE_SEARCH && labels.size() < 2) {
      throw new NeuroLensException("finetune: " + source + ": every example has the label " + labels + "; a classifier needs at least 2 labels");
    }
    return new Dataset(task, source, trainList, devList, testList, new ArrayList<>(labels), n);
  }
}
