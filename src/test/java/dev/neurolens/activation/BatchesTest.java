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
      int[] lengths = randomLengths(r, n, 60);
      List<int[]> plan = Batches.plan(lengths, budget);
      assertEquals(bruteForce(lengths, budget), cost(lengths, plan), "lengths " + Arrays.toString(lengths));
      for (int[] b : plan) {
        int longest = Arrays.stream(b).map(i -> lengths[i]).max().orElse(0);
        assertTrue(b.length == 1 || b.length * longest <= budget);
      }
    }
  }

  @Test
  void pack_handCase_firstFitDecreasingThenBatchedRows() {
    // sorted: 200 (alone: over 128), 70 -> A, 60 -> B (A would be 130), 50 -> A (120),
    // 30 -> B (90), 10 -> B (100: A would be 130); rows 200, 120, 100; batching them as one costs
    // 3 x 200 + 64, as [200] [120 100] 200 + 64 + 2 x 120 + 64 (cheapest), as three 612
    int[] lengths = {60, 70, 50, 10, 200, 30};
    List<int[][]> batches = Batches.pack(lengths, 128, 1000);
    assertEquals(2, batches.size());
    assertArrayEquals(new int[][] {{4}}, batches.get(0));
    assertArrayEquals(new int[][] {{1, 2}, {0, 5, 3}}, batches.get(1));
  }

  @Test
  void pack_randomLengths_everyInputOnceRowsWithinLengthAndBudget() {
    Random r = new Random(11);
    for (int trial = 0; trial < 100; trial++) {
      int n = 1 + r.nextInt(60);
      int rowTokens = 16 + r.nextInt(200);
      int budget = 64 + r.nextInt(2000);
      int[] lengths = randomLengths(r, n, 300);
      List<int[][]> batches = Batches.pack(lengths, rowTokens, budget);
      int[] seen = batches.stream().flatMap(Arrays::stream).flatMapToInt(Arrays::stream).sorted().toArray();
      assertArrayEquals(java.util.stream.IntStream.range(0, n).toArray(), seen, "every input exactly once");
      int rows = 0;
      for (int[][] b : batches) {
        int longest = 0;
        for (int[] row : b) {
          int fill = Arrays.stream(row).map(i -> lengths[i]).sum();
          assertTrue(row.length == 1 || fill <= rowTokens, "row " + Arrays.toString(row) + " fills " + fill);
          longest = Math.max(longest, fill);
        }
        assertTrue(b.length == 1 || b.length * longest <= budget);
        rows += b.length;
      }
      // first fit leaves no two rows that could be merged... at least not two under half full
      long halfEmpty = batches.stream().flatMap(Arrays::stream)
          .filter(row -> Arrays.stream(row).map(i -> lengths[i]).sum() * 2 <= rowTokens).count();
      assertTrue(halfEmpty <= 1, halfEmpty + " rows at most half full, of " + rows);
      assertEquals(batches.size(), Batches.pack(lengths, rowTokens, budget).size());
    }
  }

  @Test
  void pack_rowTokensZero_isThePlainPlan() {
    int[] lengths = randomLengths(new Random(12), 80, 200);
    List<int[]> plain = Batches.plan(lengths, 700);
    List<int[][]> packed = Batches.pack(lengths, 0, 700);
    assertEquals(plain.size(), packed.size());
    for (int b = 0; b < plain.size(); b++) {
      int[] flat = Arrays.stream(packed.get(b)).peek(row -> assertEquals(1, row.length))
          .flatMapToInt(Arrays::stream).toArray();
      assertArrayEquals(plain.get(b), flat);
    }
  }

  /** {@code n} lengths in [1, max]. */
  private static int[] randomLengths(Random r, int n, int max) {
    int[] lengths = new int[n];
    for (int i = 0; i < n; i++) {
      lengths[i] = 1 + r.nextInt(max);
    }
    return lengths;
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
