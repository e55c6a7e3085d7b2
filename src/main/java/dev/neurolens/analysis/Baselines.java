package dev.neurolens.analysis;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.neurolens.probe.ProbeTask;
import dev.neurolens.probe.Splits;
import java.util.HashMap;
import java.util.Map;

/**
 * What a token classification task scores without any activation, on the test split: the
 * majority class of the training rows, and a lookup of each token type's most frequent training
 * label (the training majority for types never seen in training). The lookup is what a probe
 * that only memorises words reaches; the same lookup on the control task shows how much of the
 * control score is memorisation of seen types (Hewitt &amp; Liang).
 *
 * <p>Usage: {@code Baselines b = Baselines.of(task, control, splits, tokenTexts); b.majority()}
 *
 * @param majority test accuracy of always predicting the most frequent training label
 * @param typeLookup test accuracy of predicting each token type's most frequent training label,
 *     or null for a snippet task
 * @param controlTypeLookup the same lookup on the control task, or null without one
 * @param seenTypes share of test tokens whose type occurs in training, or null for a snippet task
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Baselines(double majority,
    @JsonInclude(JsonInclude.Include.NON_NULL) Double typeLookup,
    @JsonInclude(JsonInclude.Include.NON_NULL) Double controlTypeLookup,
    @JsonInclude(JsonInclude.Include.NON_NULL) Double seenTypes) {

  /** The majority-class baseline alone (snippet tasks: no word types to look up). */
  public static Baselines majorityOnly(ProbeTask task, Splits splits) {
    int[] labels = task.labels();
    int majority = majority(labels, splits.train(), task.numClasses());
    int hits = 0;
    for (int r : splits.test()) {
      hits += labels[r] == majority ? 1 : 0;
    }
    return new Baselines(round(hits / (double) splits.test().length), null, null, null);
  }

  /** The baselines of {@code task} (and of its {@code control}, may be null) over {@code splits}. */
  public static Baselines of(ProbeTask task, ProbeTask control, Splits splits, String[] texts) {
    int[] train = splits.train();
    int[] test = splits.test();
    Map<String, Integer> trainTypes = new HashMap<>();
    for (int r : train) {
      trainTypes.merge(texts[r], 1, Integer::sum);
    }
    int seen = 0;
    for (int r : test) {
      seen += trainTypes.containsKey(texts[r]) ? 1 : 0;
    }
    return new Baselines(majorityOnly(task, splits).majority(), round(lookup(task, train, test, texts)),
        control == null ? null : round(lookup(control, train, test, texts)), round(seen / (double) test.length));
  }

  /** Test accuracy of each type's most frequent training label (ties: the lower label id). */
  static double lookup(ProbeTask task, int[] train, int[] test, String[] texts) {
    int k = task.numClasses();
    int[] labels = task.labels();
    Map<String, int[]> counts = new HashMap<>();
    for (int r : train) {
      counts.computeIfAbsent(texts[r], t -> new int[k])[labels[r]]++;
    }
    int fallback = majority(labels, train, k);
    int hits = 0;
    for (int r : test) {
      int[] c = counts.get(texts[r]);
      int guess = fallback;
      if (c != null) {
        guess = 0;
        for (int y = 1; y < k; y++) {
          if (c[y] > c[guess]) {
            guess = y;
          }
        }
      }
      hits += labels[r] == guess ? 1 : 0;
    }
    return hits / (double) test.length;
  }

  private static int majority(int[] labels, int[] rows, int k) {
    int[] counts = new int[k];
    for (int r : rows) {
      counts[labels[r]]++;
    }
    int best = 0;
    for (int y = 1; y < k; y++) {
      if (counts[y] > counts[best]) {
        best = y;
      }
    }
    return best;
  }

  private static double round(double v) {
    return Math.round(v * 1e6) / 1e6;
  }
}
