package dev.neurolens.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {
  @Test
  void classification_binaryCase_handComputed() {
    // gold 1 1 1 0 0 ; pred 1 1 0 0 1 -> tp 2, fn 1, tn 1, fp 1
    ProbeScores s =
        Metrics.classification(new int[] {1, 1, 1, 0, 0}, new int[] {1, 1, 0, 0, 1}, List.of("n", "y"), 0);
    assertEquals(0.6, s.accuracy(), 1e-12);
    assertEquals(2.0 / 3, s.binaryF1(), 1e-12); // precision 2/3, recall 2/3
    assertEquals((2.0 * 1 - 1.0 * 1) / Math.sqrt(3 * 3 * 2 * 2), s.matthews(), 1e-12);
    assertEquals((0.5 + 2.0 / 3) / 2, s.macroF1(), 1e-12); // class n: precision 1/2, recall 1/2
    assertArrayEquals(new int[] {1, 1}, s.confusion()[0]);
    assertArrayEquals(new int[] {1, 2}, s.confusion()[1]);
    assertEquals(2.0 / 3, s.perClass().get(1).recall(), 1e-12);
  }

  @Test
  void regression_spearmanUsesRanks_pearsonLinear() {
    float[] gold = {1, 2, 3, 4};
    float[] pred = {1, 4, 9, 16}; // monotone, not linear
    ProbeScores s = Metrics.regression(gold, pred);
    assertEquals(1.0, s.spearman(), 1e-12);
    assertEquals(0.984374038697, s.pearson(), 1e-9);
    assertEquals((0 + 4 + 36 + 144) / 4.0, s.mse(), 1e-12);
  }
}
