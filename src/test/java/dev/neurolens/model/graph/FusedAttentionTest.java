package dev.neurolens.model.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * When attention runs fused and when not: fused results against the unfused ops at the lengths
 * around the threshold, unfused whenever a gradient is needed (the gradients then equal those of
 * the unfused ops), and the environment switch.
 */
class FusedAttentionTest {
  private static float[] normal(Random r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }

  /** A (B, 1, 1, T) padding bias: row b masks its last 5 b keys. */
  private static NDArray padding(NDManager m, int b, int t) {
    float[] pad = new float[b * t];
    for (int r = 0; r < b; r++) {
      for (int j = Math.max(0, t - 5 * r); j < t; j++) {
        pad[r * t + j] = -1e9f;
      }
    }
    return m.create(pad, new Shape(b, 1, 1, t));
  }

  @Test
  void inference_fusedAtAndAboveThreshold_agreesWithUnfusedOps() {
    assertTrue(FusedAttention.active(), FusedAttention.summary());
    Random r = new Random(5);
    try (NDManager m = NDManager.newBaseManager()) {
      for (int t : new int[] {8, (int) FusedAttention.MIN_KEYS - 1, (int) FusedAttention.MIN_KEYS, 300}) {
        int b = 3;
        Shape s = new Shape(b, 4, t, 16);
        NDArray q = m.create(normal(r, (int) s.size()), s).mul(0.25f);
        NDArray k = m.create(normal(r, (int) s.size()), s);
        NDArray v = m.create(normal(r, (int) s.size()), s);
        NDArray bias = padding(m, b, t);
        NDArray fused = FusedAttention.tryApply(q, k, v, bias);
        if (t < FusedAttention.MIN_KEYS) {
          assertNull(fused, "fused below " + FusedAttention.MIN_KEYS + " keys");
        } else {
          assertNotNull(fused, "not fused at " + t + " keys");
          assertEquals(s, fused.getShape());
        }
        float[] got = Ops.headContext(q, k, v, bias, 0f).toFloatArray();
        float[] ref = Ops.unfusedHeadContext(q, k, v, bias, 0f).toFloatArray();
        float[] noBias = Ops.headContext(q, k, v, null, 0f).toFloatArray();
        float[] refNoBias = Ops.unfusedHeadContext(q, k, v, null, 0f).toFloatArray();
        for (int i = 0; i < ref.length; i++) {
          assertEquals(ref[i], got[i], 2e-5, "T " + t + ", with padding, element " + i);
          assertEquals(refNoBias[i], noBias[i], 2e-5, "T " + t + ", no bias, element " + i);
        }
      }
    }
  }

  @Test
  void gradientNeeded_runsUnfused_gradientsEqualThoseOfTheUnfusedOps() {
    Random r = new Random(9);
    int t = 96; // above the threshold: would run fused without the gradient
    Shape s = new Shape(2, 2, t, 8);
    float[] qv = normal(r, (int) s.size());
    float[] kv = normal(r, (int) s.size());
    float[] vv = normal(r, (int) s.size());
    float[][] grads = new float[2][];
    for (int path = 0; path < 2; path++) {
      try (NDManager m = NDManager.newBaseManager()) {
        NDArray q = m.create(qv, s);
        NDArray k = m.create(kv, s);
        NDArray v = m.create(vv, s);
        q.setRequiresGradient(true);
        k.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          assertNull(FusedAttention.tryApply(q, k, v, null), "fused although the queries need a gradient");
          NDArray out = path == 0 ? Ops.headContext(q, k, v, null, 0f) : Ops.unfusedHeadContext(q, k, v, null, 0f);
          // weight the outputs so that the gradient is not the trivial one of a plain sum
          gc.backward(out.mul(out).sum());
        }
        NDArray g = q.getGradient().concat(k.getGradient().reshape(s), 0);
        grads[path] = g.toFloatArray();
      }
    }
    double norm = 0;
    for (int i = 0; i < grads[0].length; i++) {
      assertEquals(grads[1][i], grads[0][i], 1e-5, "gradient element " + i);
      norm += Math.abs(grads[0][i]);
    }
    assertTrue(norm > 1, "gradients are zero: " + norm);
  }

  @Test
  void environmentSwitch_offValues() {
    for (String off : new String[] {"0", "false", "OFF", " no "}) {
      assertTrue(FusedAttention.switchedOff(off), off);
    }
    for (String on : new String[] {null, "", "1", "true", "fused"}) {
      assertFalse(FusedAttention.switchedOff(on), String.valueOf(on));
    }
  }
}
