package dev.neurolens.activation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Packs model inputs into batches by a token budget with as little padding as possible.
 *
 * <p>Inputs are sorted by length (longest first, ties by position, so the plan is deterministic)
 * and cut into contiguous runs; a run is one batch, padded to its longest row, and must keep
 * rows x longest row within the budget (an input longer than the budget gets a batch of its own).
 * Among all such cuts the plan minimises the computed slots (rows x longest row, padding
 * included) plus {@link #BATCH_OVERHEAD} slots per batch, the fixed cost of a forward call — by
 * dynamic programming over the sorted order, O(n x rows per batch). Cutting greedily at the
 * budget instead pads a run of short rows to the longest row of a much longer one: on the default
 * corpus that wasted 30% of the computed slots.
 */
final class Batches {
  /** Cost of one forward call in token slots (per-op overhead, small-GEMM inefficiency). */
  static final int BATCH_OVERHEAD = 64;

  private Batches() {}

  /** Indices into {@code lengths}, grouped into batches. */
  static List<int[]> plan(int[] lengths, int batchTokens) {
    if (batchTokens < 1) {
      throw new IllegalArgumentException("batch token budget must be >= 1, found " + batchTokens);
    }
    int[] order = IntStream.range(0, lengths.length).boxed()
        .sorted(Comparator.<Integer>comparingInt(i -> -lengths[i]).thenComparingInt(i -> i))
        .mapToInt(Integer::intValue).toArray();
    int n = order.length;
    // best[j]: least cost of batching the first j sorted inputs; from[j]: where its last batch starts
    long[] best = new long[n + 1];
    int[] from = new int[n + 1];
    for (int j = 1; j <= n; j++) {
      best[j] = Long.MAX_VALUE;
      for (int i = j - 1; i >= 0; i--) {
        long longest = Math.max(1, lengths[order[i]]);
        int rows = j - i;
        if (rows > 1 && rows * longest > batchTokens) {
          break; // earlier starts only make the run longer and its longest row no shorter
        }
        long cost = best[i] + rows * longest + BATCH_OVERHEAD;
        if (cost < best[j]) {
          best[j] = cost;
          from[j] = i;
        }
      }
    }
    List<int[]> out = new ArrayList<>();
    for (int j = n; j > 0; j = from[j]) {
      int[] batch = new int[j - from[j]];
      System.arraycopy(order, from[j], batch, 0, batch.length);
      out.add(batch);
    }
    java.util.Collections.reverse(out);
    return out;
  }

  /**
   * Packs inputs into rows, then rows into batches: batch -> rows -> indices into {@code lengths}.
   * Inputs of at most {@code rowTokens} are laid end to end, longest first, each into the first
   * row it still fits (first fit decreasing; ties by position, so the packing is deterministic);
   * a longer input gets a row of its own. The rows are then batched by {@link #plan} on their
   * lengths. With {@code rowTokens} 0 every input is a row of its own: the plain plan.
   */
  static List<int[][]> pack(int[] lengths, int rowTokens, int batchTokens) {
    if (rowTokens < 0) {
      throw new IllegalArgumentException("packed row length must be >= 0, found " + rowTokens);
    }
    int[] order = IntStream.range(0, lengths.length).boxed()
        .sorted(Comparator.<Integer>comparingInt(i -> -lengths[i]).thenComparingInt(i -> i))
        .mapToInt(Integer::intValue).toArray();
    List<List<Integer>> rows = new ArrayList<>();
    List<Integer> fill = new ArrayList<>();
    for (int i : order) {
      int row = -1;
      if (lengths[i] <= rowTokens) {
        for (int r = 0; r < rows.size() && row < 0; r++) {
          if (fill.get(r) + lengths[i] <= rowTokens) {
            row = r;
          }
        }
      }
      if (row < 0) {
        rows.add(new ArrayList<>());
        fill.add(0);
        row = rows.size() - 1;
      }
      rows.get(row).add(i);
      fill.set(row, fill.get(row) + lengths[i]);
    }
    int[] rowLengths = fill.stream().mapToInt(Integer::intValue).toArray();
    List<int[][]> out = new ArrayList<>();
    for (int[] batch : plan(rowLengths, batchTokens)) {
      int[][] b = new int[batch.length][];
      for (int k = 0; k < batch.length; k++) {
        b[k] = rows.get(batch[k]).stream().mapToInt(Integer::intValue).toArray();
      }
      out.add(b);
    }
    return out;
  }

  /** Computed slots of a plan: rows x longest row, summed over batches. */
  static long slots(int[] lengths, List<int[]> batches) {
    long s = 0;
    for (int[] b : batches) {
      int longest = 0;
      for (int i : b) {
        longest = Math.max(longest, lengths[i]);
      }
      s += (long) b.length * longest;
    }
    return s;
  }
}
