package dev.neurolens.analysis;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * How stable a task's LCA ranking is over probe seeds on one split ({@code tasks[].stability};
 * see {@link dev.neurolens.rank.RankingStability}).
 *
 * @param runs probes trained (seeds seed .. seed + runs - 1)
 * @param topK size of the top sets compared (5% of the neurons)
 * @param meanJaccard mean pairwise Jaccard index of the runs' top sets
 * @param stableInTopK neurons of the consensus top set selected in at least 80% of the runs
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Stability(int runs, int topK, double meanJaccard, int stableInTopK) {}
