package dev.neurolens.probe;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * Layer-wise probing of one task: one probe per layer, the oracle (all layers) and incremental
 * probes (layers 0..l). Scores are the headline score ({@link ProbeScores#score()}: accuracy, or
 * Pearson r for regression).
 *
 * <p>Usage: {@code LayerwiseResult r = LayerwiseProber.run(x, layout, splits, task, null, modes, options, null);
 * double oracle = r.oracle().test()}
 *
 * @param task task name
 * @param layers one entry per layer (mode EACH), else empty
 * @param oracle the probe on all layers (mode ORACLE), else null
 * @param incremental one entry per l for layers 0..l (mode INCREMENTAL), else empty
 * @param probes the trained probes by entry name ({@code layer_3}, {@code oracle}, {@code layers_0-3}
 *     and {@code control_...}); not serialised
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LayerwiseResult(
    String task,
    List<Entry> layers,
    Entry oracle,
    List<Entry> incremental,
    @JsonIgnore Map<String, Probe> probes) {

  /**
   * Scores of one probe.
   *
   * @param name {@code layer_3}, {@code oracle} or {@code layers_0-3}
   * @param layer the layer (EACH), the last layer (INCREMENTAL) or -1 (oracle)
   * @param hook hook name of the layer, or a range
   * @param train score on the training rows
   * @param dev score on the dev rows (null without a dev split)
   * @param test score on the test rows
   * @param controlTest test score of the same probe setup on the control task (null without one)
   * @param selectivity test - controlTest (null without a control task)
   * @param testScores all test metrics
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Entry(
      String name,
      int layer,
      String hook,
      double train,
      Double dev,
      double test,
      @JsonProperty("control_test") Double controlTest,
      Double selectivity,
      @JsonProperty("test_scores") ProbeScores testScores) {}

  public LayerwiseResult {
    layers = List.copyOf(layers);
    incremental = List.copyOf(incremental);
    probes = Map.copyOf(probes);
  }
}
