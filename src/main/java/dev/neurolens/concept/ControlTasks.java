package dev.neurolens.concept;

import dev.neurolens.util.NeuroLensException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Control tasks (Hewitt &amp; Liang; ALGORITHMS.md section 3): every token type gets one random
 * label among the K training labels, drawn from the empirical training distribution ({@link
 * Distribution#SAME}) or uniformly.
 *
 * <p>The draw for a type is a function of (seed, type) only, so the mapping is shared by
 * train/dev/test and a type first seen in dev/test gets its label the same way, whatever the order
 * of queries.
 *
 * <p>Usage: {@code ControlTasks.ControlTask c = ControlTasks.fit(split.train(), "lexical",
 * ControlTasks.Distribution.SAME, 42); c.labelOf("count")}
 */
public final class ControlTasks {
  /** How a type's control label is drawn. */
  public enum Distribution {
    SAME,
    UNIFORM
  }

  /**
   * A fitted control task for one real token task.
   *
   * @param task the real task's name
   * @param labels the K training labels (sorted when fitted on snippets; the store's order when
   *     built from counts)
   * @param cumulative cumulative draw probabilities, one per label (last = 1)
   * @param seed the seed of the type -> label draw (types are case-sensitive, like code)
   */
  public record ControlTask(String task, List<String> labels, double[] cumulative, long seed) {
    public ControlTask {
      labels = List.copyOf(labels);
      cumulative = cumulative.clone();
      if (labels.isEmpty() || cumulative.length != labels.size()) {
        throw new IllegalArgumentException("ControlTask " + task + ": need one probability per label, found "
            + cumulative.length + " for " + labels.size());
      }
    }

    /** The control label of a token type (its text). */
    public String labelOf(String tokenText) {
      long h = seed;
      for (byte b : tokenText.getBytes(StandardCharsets.UTF_8)) {
        h = (h ^ b) * 0x100000001b3L;
      }
      double u = new SplittableRandom(h).nextDouble();
      for (int i = 0; i < cumulative.length; i++) {
        if (u < cumulative[i]) {
          return labels.get(i);
        }
      }
      return labels.get(labels.size() - 1);
    }

    /** Control labels for every token of {@code s}. */
    public List<String> labels(LabelledSnippet s) {
      return s.tokens().stream().map(t -> labelOf(t.text())).toList();
    }

    @Override
    public double[] cumulative() {
      return cumulative.clone();
    }
  }

  private ControlTasks() {}

  /**
   * Fits the control task of token task {@code task} on the training snippets (labels sorted).
   *
   * <p>Usage: {@code ControlTasks.fit(split.train(), "lexical", Distribution.SAME, 42).labels(snippet)}
   */
  public static ControlTask fit(List<LabelledSnippet> train, String task, Distribution dist, long seed) {
    Map<String, Long> counts = new TreeMap<>();
    for (LabelledSnippet s : train) {
      List<String> labels = s.tokenLabels().get(task);
      if (labels == null) {
        throw new NeuroLensException("--control: task " + task + " is not a token task of this labelling");
      }
      labels.stream().filter(java.util.Objects::nonNull).forEach(l -> counts.merge(l, 1L, Long::sum));
    }
    if (counts.isEmpty()) {
      throw new NeuroLensException("--control: no training tokens for task " + task);
    }
    return fromCounts(task, new ArrayList<>(counts.keySet()),
        counts.values().stream().mapToDouble(Long::doubleValue).toArray(), dist, seed);
  }

  /**
   * The control task of {@code task} from its training label counts: {@code counts[i]} tokens of
   * {@code labels.get(i)}; the labels keep the given order (it fixes which label a draw maps to).
   */
  public static ControlTask fromCounts(
      String task, List<String> labels, double[] counts, Distribution dist, long seed) {
    if (labels.isEmpty() || counts.length != labels.size()) {
      throw new IllegalArgumentException("control task " + task + ": need one count per label, found "
          + counts.length + " counts for " + labels.size() + " labels");
    }
    java.util.Objects.requireNonNull(dist, "dist");
    for (double c : counts) {
      if (!(c >= 0 && Double.isFinite(c))) {
        throw new IllegalArgumentException("control task " + task + ": counts must be finite and >= 0, found " + c);
      }
    }
    if (dist == Distribution.SAME && java.util.Arrays.stream(counts).sum() == 0) {
      throw new NeuroLensException("control task " + task + ": no training rows to draw the label distribution from");
    }
    double total = java.util.Arrays.stream(counts).sum();
    double[] cum = new double[labels.size()];
    double acc = 0;
    for (int i = 0; i < labels.size(); i++) {
      acc += dist == Distribution.SAME ? counts[i] / total : 1.0 / labels.size();
      cum[i] = acc;
    }
    cum[cum.length - 1] = 1.0;
    return new ControlTask(task, labels, cum, seed);
  }
}
