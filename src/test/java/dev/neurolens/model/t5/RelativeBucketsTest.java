package dev.neurolens.model.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * T5's bidirectional buckets (32 buckets, max distance 128) worked out by hand: 16 per direction,
 * exact below 8, then 8 + floor(log(n / 8) / log(16) * 8), at most 15; keys after the query add 16.
 */
class RelativeBucketsTest {
  @Test
  void bucket_t5Defaults_handComputedCases() {
    int[][] cases = {
      // {key - query, bucket}
      {0, 0}, {-1, 1}, {1, 17}, {-7, 7}, {7, 23},
      {-8, 8}, {8, 24}, // log(1) = 0
      {-11, 8}, // log(11/8)/log(16)*8 = 0.92
      {-12, 9}, // log(1.5)/log(16)*8 = 1.17
      {-16, 10}, {16, 26}, // log 2 / log 16 * 8 = 2 exactly
      {-32, 12}, {-64, 14}, // 4, 6
      {-90, 14}, // log(11.25)/log(16)*8 = 6.98
      {-91, 15}, // log(11.375)/log(16)*8 = 7.01
      {-127, 15}, {-128, 15}, {-1000, 15}, {1000, 31},
    };
    for (int[] c : cases) {
      assertEquals(c[1], RelativeBuckets.bucket(c[0], 32, 128), "relative position " + c[0]);
    }
  }

  @Test
  void table_smallSetting_queryRowsShiftByOne() {
    // 8 buckets, max distance 16: 4 per direction, exact below 2
    long[] t = RelativeBuckets.table(4, 8, 16);
    long[] expected = {
      0, 5, 6, 6, // query 0: keys 0..3 at +0, +1, +2, +3
      1, 0, 5, 6,
      2, 1, 0, 5,
      2, 2, 1, 0,
    };
    assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(t));
  }
}
