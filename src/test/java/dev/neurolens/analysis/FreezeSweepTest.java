package dev.neurolens.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.finetune.Datasets;
import dev.neurolens.finetune.DownstreamTask;
import dev.neurolens.finetune.Example;
import dev.neurolens.finetune.FinetuneOptions;
import dev.neurolens.finetune.FinetuneResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sweep table: deltas against full fine-tuning and the largest K within the tolerance. */
class FreezeSweepTest {
  private static Datasets.Dataset data() {
    List<Example> ex = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ex.add(new Example("e" + i, "query " + i, "code " + i, null));
    }
    return Datasets.split(DownstreamTask.parse("code-search"), "hand", ex, new Datasets.Sizes(2, 2, 0), 1);
  }

  private static FinetuneResult run(String freeze, double test, long trainable, double secs) {
    FinetuneResult.Score s = new FinetuneResult.Score("mrr", test, Map.of("mrr", test));
    return new FinetuneResult(1, "m", "sum", "code-search", null, FinetuneOptions.defaults(), "cls", freeze, trainable,
        1000, 0, 1, 1, false, List.of(), secs, secs, new FinetuneResult.Score("mrr", 0.5, Map.of()), s, s, 1L, "w", "dir", 0);
  }

  @Test
  void recommendation_isTheLargestKWithinTolerance() {
    List<FinetuneResult> runs = List.of(run("none", 0.740, 1000, 100), run("0", 0.745, 700, 90), run("4", 0.735, 450, 60),
        run("8", 0.731, 250, 40), run("11", 0.699, 60, 20));
    FreezeSweep.Result r = FreezeSweep.tabulate("m", data(), runs, 1.0);
    assertEquals("8", r.recommendedFreeze()); // 0.731 is 0.9 points below 0.740; K=11 loses 4.1
    assertEquals(List.of(0.0, 0.5, -0.5, -0.9, -4.1),
        r.rows().stream().map(x -> Math.round(x.deltaVsFull() * 1e6) / 1e6).toList());
    assertEquals(0.25, r.rows().get(3).trainableShare(), 1e-12);
    assertTrue(r.finding().contains("bottom 8 blocks") && r.finding().contains("75% fewer trainable parameters")
        && r.finding().contains("60% less time per epoch"), r.finding());
    // a stricter tolerance moves the recommendation down
    assertEquals("0", FreezeSweep.tabulate("m", data(), runs, 0.4).recommendedFreeze());
    assertEquals(0.5, r.zeroShot(), 0.0);
  }

  @Test
  void withoutFullFineTuning_noDeltaAndNoRecommendation() {
    FreezeSweep.Result r = FreezeSweep.tabulate("m", data(), List.of(run("4", 0.7, 10, 1), run("8", 0.6, 5, 1)), 1.0);
    assertNull(r.recommendedFreeze());
    assertNull(r.rows().get(0).deltaVsFull());
    assertTrue(r.finding().startsWith("no full fine-tuning run"), r.finding());
  }
}
