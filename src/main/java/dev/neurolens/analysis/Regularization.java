package dev.neurolens.analysis;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.neurolens.probe.Probe;
import dev.neurolens.probe.ProbeEvaluator;
import dev.neurolens.probe.ProbeOptions;
import dev.neurolens.probe.ProbeTrainer;
import java.util.ArrayList;
import java.util.List;

/**
 * The elastic-net weight chosen on dev (the code-redundancy paper's setup): for each value of the
 * grid, an oracle probe (all layers) with lambda1 = lambda2 = value is trained on the training rows
 * and scored on dev; the best dev score wins (ties: the smaller value).
 *
 * @param grid the values tried
 * @param devScores the oracle's dev score for each
 * @param chosen the value used for the task's probes
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Regularization(List<Double> grid, List<Double> devScores, double chosen) {
  public Regularization {
    grid = List.copyOf(grid);
    devScores = List.copyOf(devScores);
  }

  static Regularization choose(StoreTask st, ProbeOptions options, List<Double> grid) {
    List<Double> scores = new ArrayList<>();
    double best = Double.NEGATIVE_INFINITY;
    double chosen = grid.get(0);
    for (double lambda : grid) {
      ProbeOptions o = options.toBuilder().optLambda1(lambda).optLambda2(lambda).optLayout(st.layout()).build();
      Probe p = ProbeTrainer.train(st.x(), st.splits().train(), st.task(), o, "oracle lambda " + lambda);
      double dev = ProbeEvaluator.evaluate(p, st.x(), st.splits().dev(), st.task()).score();
      scores.add(dev);
      if (dev > best || (dev == best && lambda < chosen)) {
        best = dev;
        chosen = lambda;
      }
    }
    return new Regularization(grid, scores, chosen);
  }
}
