package dev.neurolens.activation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
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
}
