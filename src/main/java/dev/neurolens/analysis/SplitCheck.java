package dev.neurolens.analysis;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.neurolens.probe.LayerwiseProber;
import dev.neurolens.probe.LayerwiseResult;
import dev.neurolens.probe.ProbeOptions;
import java.util.EnumSet;
import java.util.function.Consumer;

/**
 * A task's oracle probe (all layers) and its control task under the other split of {@code
 * analyze}: type-disjoint when the task sections use the split by snippet, and the reverse. Side
 * by side with the task's own oracle it shows how much of a probe's score — and of its control
 * score — comes from remembering words ({@link TypeDisjointSplit}).
 *
 * @param split the split of this check ({@code snippet} or {@code type-disjoint})
 * @param splits its row counts
 * @param oracle the oracle probe's scores with its control task and selectivity
 * @param baselines scores without activations on this split
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SplitCheck(String split, AnalysisResult.SplitSizes splits, AnalysisResult.LayerScore oracle,
    Baselines baselines) {

  /** Probes {@code st} (loaded with the other split) on all layers with its control task. */
  static SplitCheck run(StoreTask st, ProbeOptions options, Consumer<String> progress) {
    LayerwiseResult r = LayerwiseProber.run(st.x(), st.layout(), st.splits(), st.task(), st.control(),
        EnumSet.of(LayerwiseProber.Mode.ORACLE), options, progress);
    return new SplitCheck(st.split().kindName(),
        new AnalysisResult.SplitSizes(st.splits().train().length, st.splits().dev().length, st.splits().test().length),
        TaskAnalysis.score(r.oracle(), r.oracle().layer()),
        Baselines.of(st.task(), st.control(), st.splits(), st.tokenTexts()));
  }
}
