package dev.neurolens.activation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Packs model inputs into batches by a token budget: inputs sorted by length (longest first, ties
 * by position, so the plan is deterministic), a batch grows while rows x longest row stays within
 * the budget (padding counted). An input longer than the budget gets a batch of its own.
 */
final class Batches {
  private Batches() {}

  /** Indices into {@code lengths}, grouped into batches. */
  static List<int[]> plan(int[] lengths, int batchTokens) {
    if (batchTokens < 1) {
      throw new IllegalArgumentException("batch token budget must be >= 1, found " + batchTokens);
    }
    Integer[] order = IntStream.range(0, lengths.length).boxed().toArray(Integer[]::new);
    java.util.Arrays.sort(
        order, Comparator.<Integer>comparingInt(i -> -lengths[i]).thenComparingInt(i -> i));
    List<int[]> out = new ArrayList<>();
    int i = 0;
    while (i < order.length) {
      int longest = Math.max(1, lengths[order[i]]);
      int n = Math.max(1, batchTokens / longest);
      n = Math.min(n, order.length - i);
      int[] batch = new int[n];
      for (int j = 0; j < n; j++) {
        batch[j] = order[i + j];
      }
      out.add(batch);
      i += n;
    }
    return out;
  }
}
