package dev.neurolens.finetune;

import dev.neurolens.concept.Tasks;
import dev.neurolens.util.NeuroLensException;

/**
 * A fine-tuning task: {@code code-search} (bi-encoder, in-batch negatives, MRR),
 * {@code classify} (user JSONL labels) or {@code classify:TASK} (a sentence task NeuroLens
 * derives, e.g. {@code returns-void}), and {@code pairs} (pair classification, F1).
 *
 * <p>Usage: {@code DownstreamTask t = DownstreamTask.parse("classify:name-verb")}
 *
 * @param kind the family
 * @param labelTask for {@code classify:TASK}, the sentence task; else null
 */
public record DownstreamTask(Kind kind, String labelTask) {
  /** The three task families. */
  public enum Kind {
    CODE_SEARCH("mrr"),
    CLASSIFY("macro_f1"),
    PAIRS("f1");

    private final String devMetric;

    Kind(String devMetric) {
      this.devMetric = devMetric;
    }

    /** The metric early stopping and the sweep compare. */
    public String metric() {
      return devMetric;
    }
  }

  /** Parses {@code code-search}, {@code classify}, {@code classify:TASK} or {@code pairs}. */
  public static DownstreamTask parse(String spec) {
    String s = spec == null ? "" : spec.strip();
    if (s.equals("code-search")) {
      return new DownstreamTask(Kind.CODE_SEARCH, null);
    }
    if (s.equals("pairs")) {
      return new DownstreamTask(Kind.PAIRS, null);
    }
    if (s.equals("classify")) {
      return new DownstreamTask(Kind.CLASSIFY, null);
    }
    if (s.startsWith("classify:")) {
      String t = s.substring("classify:".length());
      if (!Tasks.SENTENCE_TASKS.contains(t) || t.equals("label")) {
        throw new NeuroLensException("--task " + spec + ": classify:TASK needs a sentence task, one of "
            + Tasks.SENTENCE_TASKS.stream().filter(x -> !x.equals("label")).toList() + " (or 'classify' with --data FILE.jsonl)");
      }
      return new DownstreamTask(Kind.CLASSIFY, t);
    }
    throw new NeuroLensException("--task: must be code-search, classify, classify:TASK or pairs, found '" + spec + "'");
  }

  @Override
  public String toString() {
    return switch (kind) {
      case CODE_SEARCH -> "code-search";
      case PAIRS -> "pairs";
      case CLASSIFY -> labelTask == null ? "classify" : "classify:" + labelTask;
    };
  }
}
