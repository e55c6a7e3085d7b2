package dev.neurolens.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fused step equals the three separate passes it replaces, bit for bit. */
class AdamPenalizedTest {
  @Test
  void fusedStep_equalsPenaltyThenAdamThenSums_overSeveralSteps() {
    Random r = new Random(3);
    int n = 1003; // not a multiple of the four lanes
    float[] w1 = new float[n];
    for (int i = 0; i < n; i++) {
      w1[i] = i % 97 == 0 ? 0f : (float) r.nextGaussian();
    }
    float[] w2 = w1.clone();
    Adam separate = new Adam(n, 1e-3);
    Adam fused = new Adam(n, 1e-3);
    double[] sums = ProbeObjective.absAndSquareSums(w2);
    for (int step = 0; step < 5; step++) {
      float[] g1 = new float[n];
      for (int i = 0; i < n; i++) {
        g1[i] = (float) r.nextGaussian();
      }
      float[] g2 = g1.clone();
      double norm = Math.sqrt(ProbeObjective.absAndSquareSums(w1)[1]);
      ProbeObjective.addPenaltyGradient(w1, 1e-3, 1e-2, norm, g1);
      separate.step(w1, g1);
      sums = fused.stepPenalized(w2, g2, 1e-3f, (float) (1e-2 / Math.sqrt(sums[1])));
      assertArrayEquals(w1, w2);
      assertArrayEquals(g1, g2);
      assertArrayEquals(ProbeObjective.absAndSquareSums(w1), sums, 0.0);
    }
  }
}
