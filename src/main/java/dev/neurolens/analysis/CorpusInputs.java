package dev.neurolens.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.activation.ConceptInputs;
import dev.neurolens.activation.ExtractionInput;
import dev.neurolens.activation.StoredToken;
import dev.neurolens.activation.TaskSpec;
import dev.neurolens.concept.CodeLabeller;
import dev.neurolens.concept.LabelledCorpus;
import dev.neurolens.concept.Tasks;
import dev.neurolens.corpus.Corpus;
import dev.neurolens.corpus.CorpusReader;
import dev.neurolens.corpus.Unit;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A corpus read, sampled and labelled, ready for extraction: the inputs, the store tasks they
 * carry, and the hash the store records (a store is reused only for the same hash).
 *
 * <p>Usage: {@code CorpusInputs in = CorpusInputs.label(CorpusInputs.Request.of("default", "java",
 * List.of("lexical")));}
 *
 * @param inputs one per snippet, with its token labels
 * @param tasks the tasks of the inputs
 * @param hash the corpus hash and spec
 */
public record CorpusInputs(List<ExtractionInput> inputs, List<TaskSpec> tasks, String hash) {

  public CorpusInputs {
    inputs = List.copyOf(inputs);
    tasks = List.copyOf(tasks);
  }

  /**
   * What to read and label.
   *
   * @param corpus {@code default}, a directory, file, jar/zip or JSONL
   * @param lang language
   * @param unit snippet unit
   * @param maxSnippets snippets sampled (0 = all)
   * @param maxTokens snippets longer than this many model tokens are skipped
   * @param seed seed of the sample
   * @param tasks task names (e.g. {@code lexical}, {@code syntactic})
   * @param progressBars bars on stderr while reading and labelling
   * @param maxFileBytes files, archive entries and JSONL lines larger than this are skipped unread
   */
  public record Request(
      String corpus, String lang, Unit unit, int maxSnippets, int maxTokens, long seed, List<String> tasks,
      ProgressBars progressBars, long maxFileBytes) {
    public Request {
      tasks = List.copyOf(tasks);
    }

    /** A request with the default file cap ({@link CorpusReader#DEFAULT_MAX_FILE_BYTES}). */
    public Request(
        String corpus, String lang, Unit unit, int maxSnippets, int maxTokens, long seed, List<String> tasks,
        ProgressBars progressBars) {
      this(corpus, lang, unit, maxSnippets, maxTokens, seed, tasks, progressBars, CorpusReader.DEFAULT_MAX_FILE_BYTES);
    }

    /** Methods of {@code corpus}, the analyze defaults for sample size, length and seed (42). */
    public static Request of(String corpus, String lang, List<String> tasks) {
      return new Request(corpus, lang, Unit.METHOD, CorpusReader.DEFAULT_ANALYZE_MAX_SNIPPETS,
          CorpusReader.DEFAULT_MAX_TOKENS, 42, tasks, ProgressBars.HIDE);
    }
  }

  /** Whether long work draws progress bars on stderr. */
  public enum ProgressBars {
    /** Bars with items, rate and ETA. */
    SHOW,
    /** Nothing. */
    HIDE
  }

  /** Reads and labels a corpus. */
  public static CorpusInputs label(Request r) {
    List<dev.neurolens.concept.LabelTask> specs = Tasks.parseAll(r.tasks());
    boolean bars = r.progressBars() == ProgressBars.SHOW;
    Corpus c = CorpusReader.builder().optLang(r.lang()).optUnit(r.unit()).optMaxSnippets(r.maxSnippets())
        .optMaxTokens(r.maxTokens()).optMaxFileBytes(r.maxFileBytes()).optSeed(r.seed()).optProgress(bars).build().read(r.corpus());
    LabelledCorpus lc = CodeLabeller.builder().optProgress(bars).build()
        .labelCorpus(c, new LinkedHashSet<>(specs.stream().map(dev.neurolens.concept.LabelTask::name).toList()));
    if (lc.snippets().isEmpty()) {
      throw new NeuroLensException(
          "--corpus " + r.corpus() + ": no snippet left after labelling (skipped " + lc.skipped() + ")");
    }
    List<TaskSpec> storeTasks = ConceptInputs.tasks(specs);
    return new CorpusInputs(ConceptInputs.inputs(lc, storeTasks), storeTasks, lc.corpusHash() + " " + c.spec());
  }

  /**
   * The shortest head of {@code inputs} (whole snippets, in order) with at least {@code tokens}
   * code tokens, or all of them when they hold fewer; the same tasks and hash.
   */
  public CorpusInputs head(long tokens) {
    List<ExtractionInput> kept = new ArrayList<>();
    long n = 0;
    for (ExtractionInput in : inputs) {
      if (n >= tokens) {
        break;
      }
      kept.add(in);
      n += in.tokens().size();
    }
    return new CorpusInputs(kept, tasks, hash);
  }

  /** Code tokens of all inputs. */
  public long tokenCount() {
    return inputs.stream().mapToLong(in -> in.tokens().size()).sum();
  }

  /** Batch budget from the heap: captured (B*T, sum W) floats held twice, in 1/16 of the heap. */
  public static int fittedBatchTokens(int sumWidth) {
    long heap = Runtime.getRuntime().maxMemory();
    long fit = heap / 16 / (8L * Math.max(1, sumWidth));
    return (int) Math.max(512, Math.min(8192, fit));
  }

  /**
   * Reads {@code dir/labels.jsonl} as written by {@code neurolens label} (or {@link
   * dev.neurolens.concept.LabelWriter}): the inputs of the tasks {@code wanted} (null = every task
   * of the first line).
   */
  public static CorpusInputs fromLabels(Path dir, List<String> wanted) {
    Path file = dir.resolve("labels.jsonl");
    if (!Files.isRegularFile(file)) {
      throw new NeuroLensException("--labels " + dir + ": no labels.jsonl (run 'neurolens label' first)");
    }
    List<JsonNode> lines = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          lines.add(Json.MAPPER.readTree(line));
        }
      }
    } catch (IOException e) {
      throw new NeuroLensException(file + ": unreadable (" + NeuroLensException.reason(e) + ")", e);
    }
    if (lines.isEmpty()) {
      throw new NeuroLensException(file + ": no snippets");
    }
    List<String> names = new ArrayList<>();
    if (wanted != null) {
      names.addAll(wanted);
    } else {
      lines.get(0).path("labels").fieldNames().forEachRemaining(names::add);
      lines.get(0).path("snippetLabels").fieldNames().forEachRemaining(names::add);
    }
    List<TaskSpec> tasks = ConceptInputs.tasks(Tasks.parseAll(names));
    List<ExtractionInput> inputs = new ArrayList<>(lines.size());
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (int i = 0; i < lines.size(); i++) {
        JsonNode n = lines.get(i);
        String code = n.path("code").asText();
        JsonNode toks = n.path("tokens");
        List<StoredToken> tokens = new ArrayList<>(toks.size());
        for (int k = 0; k < toks.size(); k++) {
          JsonNode t = toks.get(k);
          List<String> l = new ArrayList<>();
          for (TaskSpec task : tasks) {
            if (task.level() == TaskSpec.Level.TOKEN) {
              JsonNode per = n.path("labels").path(task.name());
              if (per.isMissingNode()) {
                throw new NeuroLensException(file + ":" + (i + 1) + ": no labels for task " + task.name());
              }
              if (per.size() != toks.size()) {
                throw new NeuroLensException(file + ":" + (i + 1) + ": task " + task.name() + " has "
                    + per.size() + " labels for " + toks.size() + " tokens");
              }
              l.add(per.get(k).isNull() ? null : per.get(k).asText());
            }
          }
          tokens.add(new StoredToken(t.path("text").asText(), t.path("start").asInt(), t.path("end").asInt(), 0, l));
        }
        List<String> sl = new ArrayList<>();
        for (TaskSpec task : tasks) {
          if (task.level() == TaskSpec.Level.SNIPPET) {
            JsonNode v = n.path("snippetLabels").path(task.name());
            sl.add(v.isMissingNode() || v.isNull() ? null : v.asText());
          }
        }
        String id = n.path("id").asText();
        md.update((id + "\0" + code + "\0").getBytes(StandardCharsets.UTF_8));
        inputs.add(new ExtractionInput(id, n.path("source").asText(), code, tokens, sl));
      }
      return new CorpusInputs(inputs, tasks, "labels:" + HexFormat.of().formatHex(md.digest()));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
