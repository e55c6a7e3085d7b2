package dev.neurolens.rank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.util.NeuroLensException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RankingStabilityTest {
  private static NeuronRanking r(int... ordering) {
    return new NeuronRanking("lca", ordering, null, null, null, null);
  }

  @Test
  void handComputed_consensusFrequenciesAndJaccard() {
    // top 2 sets: {5,3}, {3,1}, {5,3}: Jaccard {5,3}-{3,1} = 1/3, {5,3}-{5,3} = 1, {3,1}-{5,3} = 1/3 -> mean 5/9
    RankingStability s = RankingStability.of(List.of(r(5, 3, 1, 0, 2, 4), r(3, 1, 5, 0, 4, 2), r(5, 3, 0, 1, 2, 4)), 2);
    assertEquals(5.0 / 9, s.meanJaccard(), 1e-12);
    assertEquals(1.0, s.frequency(3), 1e-12);
    assertEquals(2.0 / 3, s.frequency(5), 1e-12);
    assertEquals(1.0 / 3, s.frequency(1), 1e-12);
    assertEquals(0.0, s.frequency(0), 1e-12);
    assertTrue(s.isStable(3));
    assertFalse(s.isStable(5));
    // mean positions: 5 -> (0+2+0)/3, 3 -> (1+0+1)/3, 1 -> (2+1+3)/3, 0 -> (3+3+2)/3, 2 -> (4+5+4)/3, 4 -> (5+4+5)/3
    assertArrayEquals(new int[] {3, 5, 1, 0, 2, 4}, s.consensus().ordering()); // 3 and 5 tie: lower id first
    assertArrayEquals(new double[] {2 / 3.0, 2 / 3.0, 2, 8 / 3.0, 13 / 3.0, 14 / 3.0}, s.consensus().scores(), 1e-12);
    assertEquals("lca-consensus", s.consensus().method());
  }

  @Test
  void oneRun_jaccardOne_everyTopNeuronStable_badInputRejected() {
    RankingStability s = RankingStability.of(List.of(r(2, 0, 1)), 1);
    assertEquals(1.0, s.meanJaccard());
    assertTrue(s.isStable(2));
    assertThrows(NeuroLensException.class, () -> RankingStability.of(List.of(r(0, 1), r(0, 2)), 1));
    assertThrows(NeuroLensException.class, () -> RankingStability.of(List.of(r(0, 1)), 3));
    assertEquals(250, RankingStability.topCount(4992));
  }
}
