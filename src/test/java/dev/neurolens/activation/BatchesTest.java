package dev.neurolens.activation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchesTest {
  @Test
  void plan_mixedLengths_sortsLongestFirstAndRespectsBudget() {
    int[] lengths = {5, 40, 12, 40, 3, 100, 12};
    List<int[]> batches = Batches.plan(lengths, 80);
    assertArrayEquals(new int[] {5}, batches.get(0)); // 100 > budget: alone
    assertArrayEquals(new int[] {1, 3}, batches.get(1)); // 2 x 40 = 80
    int[] seen = batches.stream().flatMapToInt(Arrays::stream).sorted().toArray();
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, seen);
    for (int[] b : batches) {
      int longest = Arrays.stream(b).map(i -> lengths[i]).max().orElse(0);
      assertTrue(b.length == 1 || b.length * longest <= 80, Arrays.toString(b));
    }
    assertEquals(batches.size(), Batches.plan(lengths, 80).size());
  }

  @Test
  void plan_longRowThenManyShortOnes_doesNotPadTheShortOnesToTheLongRow() {
    // greedy cutting at the budget puts 120 + 7 x 10 rows... into one batch padded to 120
    int[] lengths = new int[41];
    lengths[0] = 120;
    Arrays.fill(lengths, 1, 41, 10);
    List<int[]> batches = Batches.plan(lengths, 1000);
    assertArrayEquals(new int[] {0}, batches.get(0));
    assertEquals(120 + 400, Batches.slots(lengths, batches));
  }

  /** The plan is the cheapest contiguous cut of the sorted order: brute force over all cuts agrees. */
  @Test
  void plan_randomLengths_costEqualsBruteForceOptimum() {
    Random r = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + r.nextInt(11);
      int budget = 20 + r.nextInt(200);
      int[] lengths = new int[n];
      for (int i = 0; i < n; i++) {
        lengths[i] = 1 + r.nextInt(60);
      }
      List<int[]> plan = Batches.plan(lengths, budget);
      assertEquals(bruteForce(lengths, budget), cost(lengths, plan), "lengths " + Arrays.toString(lengths));
      for (int[] b : plan) {
        int longest = Arrays.stream(b).map(i -> lengths[i]).max().orElse(0);
        assertTrue(b.length == 1 || b.length * longest <= budget);
      }
    }
  }

  private static long cost(int[] lengths, List<int[]> plan) {
    return Batches.slots(lengths, plan) + (long) plan.size() * Batches.BATCH_OVERHEAD;
  }

  private static long bruteForce(int[] lengths, int budget) {
    int[] sorted = Arrays.stream(lengths).boxed().sorted((a, b) -> b - a).mapToInt(Integer::intValue).toArray();
    int n = sorted.length;
    long best = Long.MAX_VALUE;
    for (int mask = 0; mask < 1 << (n - 1); mask++) { // bit k set: cut after sorted position k
      List<int[]> runs = new ArrayList<>();
      int start = 0;
      for (int k = 0; k < n; k++) {
        if (k == n - 1 || (mask >> k & 1) == 1) {
          runs.add(new int[] {start, k + 1});
          start = k + 1;
        }
      }
      long c = 0;
      boolean ok = true;
      for (int[] run : runs) {
        int rows = run[1] - run[0];
        ok &= rows == 1 || (long) rows * sorted[run[0]] <= budget;
        c += (long) rows * sorted[run[0]] + Batches.BATCH_OVERHEAD;
      }
      if (ok) {
        best = Math.min(best, c);
      }
    }
    return best;
  }
}
