package dev.neurolens.ablation;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Probe-level ablation curve of one task and ranking: expected shape top >> random >> bottom.
 * Scores are the headline score (accuracy, or Pearson r for regression) on the test rows.
 *
 * <p>Usage: {@code AblationResult r = ProbeAblation.run(x, train, test, task, probe, ranking, options);
 * double top10 = r.entry("top", 10).keepZeroed()}
 *
 * @param task task name
 * @param ranking ranking method the neuron sets come from
 * @param features F, neurons the probe reads
 * @param baseline score of the unablated probe
 * @param entries one per (selection, percent)
 * @param seed seed of the random selections and retraining
 */
public record AblationResult(
    String task, String ranking, int features, double baseline, List<Entry> entries, long seed) {

  /**
   * @param selection {@code top}, {@code random} or {@code bottom}
   * @param percent k, percent of the F neurons
   * @param neurons number of neurons selected (round(k% of F), at least 1)
   * @param keepZeroed same probe, every neuron outside the selection zeroed
   * @param keepRetrained a probe retrained on the selected neurons only (null when not asked)
   * @param removeZeroed same probe, the selected neurons zeroed
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Entry(
      String selection,
      double percent,
      int neurons,
      @JsonProperty("keep_zeroed") double keepZeroed,
      @JsonProperty("keep_retrained") Double keepRetrained,
      @JsonProperty("remove_zeroed") double removeZeroed) {}

  public AblationResult {
    entries = List.copyOf(entries);
  }

  /** The entry for a selection and percent, or null. */
  public Entry entry(String selection, double percent) {
    for (Entry e : entries) {
      if (e.selection().equals(selection) && e.percent() == percent) {
        return e;
      }
    }
    return null;
  }
}
