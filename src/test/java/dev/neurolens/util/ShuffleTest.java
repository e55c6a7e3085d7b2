package dev.neurolens.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShuffleTest {

  /** All 24 orders of 4 elements come up about equally often (chi-square, 23 dof, p < 0.001 bound 49.7). */
  @Test
  void permutation_isUniformOverAllOrders() {
    Random r = new Random(3);
    Map<String, Integer> counts = new HashMap<>();
    int draws = 24_000;
    for (int i = 0; i < draws; i++) {
      counts.merge(Arrays.toString(Shuffle.permutation(4, r)), 1, Integer::sum);
    }
    assertEquals(24, counts.size());
    double expected = draws / 24.0;
    double chi2 = counts.values().stream().mapToDouble(c -> (c - expected) * (c - expected) / expected).sum();
    assertTrue(chi2 < 49.7, "chi2 " + chi2);
  }

  @Test
  void sample_distinctMembersUniformAndSeeded() {
    int[] a = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
    int[] hits = new int[10];
    Random r = new Random(5);
    for (int i = 0; i < 10_000; i++) {
      int[] s = Shuffle.sample(a, 3, r);
      assertEquals(3, new HashSet<>(Arrays.stream(s).boxed().toList()).size());
      for (int v : s) {
        hits[v - 10]++;
      }
    }
    for (int h : hits) { // each element is in a sample with probability 3/10: 3000 +- 4 sd
      assertTrue(Math.abs(h - 3000) < 4 * Math.sqrt(10_000 * 0.3 * 0.7), "hits " + h);
    }
    assertArrayEquals(Shuffle.sample(a, 4, new Random(9)), Shuffle.sample(a, 4, new Random(9)));
    assertArrayEquals(new int[] {10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, a);
  }

  /** Same draws as the JDK's Collections.shuffle (what the splits and samples used before): same seed, same order. */
  @Test
  void inPlace_matchesCollectionsShuffle_forArraysAndLists() {
    for (long seed : new long[] {1, 42, 12345}) {
      java.util.List<Integer> reference = new java.util.ArrayList<>(java.util.stream.IntStream.range(0, 50).boxed().toList());
      java.util.Collections.shuffle(reference, new Random(seed));
      int[] a = java.util.stream.IntStream.range(0, 50).toArray();
      Shuffle.inPlace(a, new Random(seed));
      assertEquals(reference, Arrays.stream(a).boxed().toList());
      assertEquals(reference, Arrays.stream(Shuffle.permutation(50, new Random(seed))).boxed().toList());
      java.util.List<Integer> list = new java.util.ArrayList<>(java.util.stream.IntStream.range(0, 50).boxed().toList());
      Shuffle.inPlace(list, new Random(seed));
      assertEquals(reference, list);
    }
  }

  /**
   * The samples the model-level ablation and the Gaussian ranker drew with their own loops before
   * this class (values printed by main at 5813dea for these seeds): the same seeds give the same
   * neurons and rows.
   */
  @Test
  void sample_drawsWhatTheEarlierCopiesDrew() {
    int[] twenty = java.util.stream.IntStream.range(0, 20).toArray();
    assertArrayEquals(new int[] {16, 13, 17, 12, 9}, Shuffle.sample(twenty, 5, new Random(7)));
    int[] rows = java.util.stream.IntStream.range(100, 130).toArray();
    int[] six = Shuffle.sample(rows, 6, new Random(11));
    Arrays.sort(six); // the ranker sorts its sample
    assertArrayEquals(new int[] {104, 105, 106, 112, 118, 129}, six);
  }
}
