package dev.neurolens.analysis;

import dev.neurolens.activation.ConceptInputs;
import dev.neurolens.activation.ExtractionInput;
import dev.neurolens.activation.TaskSpec;
import dev.neurolens.concept.CodeLabeller;
import dev.neurolens.concept.LabelledCorpus;
import dev.neurolens.concept.Tasks;
import dev.neurolens.corpus.Corpus;
import dev.neurolens.corpus.CorpusReader;
import dev.neurolens.corpus.Unit;
import dev.neurolens.util.NeuroLensException;
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
   */
  public record Request(
      String corpus, String lang, Unit unit, int maxSnippets, int maxTokens, long seed, List<String> tasks,
      ProgressBars progressBars) {
    public Request {
      tasks = List.copyOf(tasks);
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
        .optMaxTokens(r.maxTokens()).optSeed(r.seed()).optProgress(bars).build().read(r.corpus());
    LabelledCorpus lc = CodeLabeller.builder().optProgress(bars).build()
        .labelCorpus(c, new LinkedHashSet<>(specs.stream().map(dev.neurolens.concept.LabelTask::name).toList()));
    if (lc.snippets().isEmpty()) {
      throw new NeuroLensException(
          "--corpus " + r.corpus() + ": no snippet left after labelling (skipped " + lc.skipped() + ")");
    }
    List<TaskSpec> storeTasks = ConceptInputs.tasks(specs);
    return new CorpusInputs(ConceptInputs.inputs(lc, storeTasks), storeTasks, lc.corpusHash() + " " + c.spec());
  }

  /** Batch budget from the heap: captured (B*T, sum W) floats held twice, in 1/16 of the heap. */
  public static int fittedBatchTokens(int sumWidth) {
    long heap = Runtime.getRuntime().maxMemory();
    long fit = heap / 16 / (8L * Math.max(1, sumWidth));
    return (int) Math.max(512, Math.min(8192, fit));
  }
}
