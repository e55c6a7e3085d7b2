package dev.neurolens.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.neurolens.model.FloatTensor;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fused AdamW against a double-precision transcription of torch.optim.AdamW's published update
 * (decoupled decay, bias-corrected moments, epsilon after the correction) with global-norm
 * clipping, over several steps on leaves larger than one chunk; and its state round trip.
 */
class AdamWTest {
  private static final double B1 = 0.9;
  private static final double B2 = 0.999;
  private static final double EPS = 1e-8;

  /** Reference state of one leaf. */
  private static final class Ref {
    final double[] p;
    final double[] m;
    final double[] v;

    Ref(float[] init) {
      p = new double[init.length];
      for (int i = 0; i < init.length; i++) {
        p[i] = init[i];
      }
      m = new double[init.length];
      v = new double[init.length];
    }
  }

  @Test
  void fiveSteps_matchDoubleReference_withClippingAndDecay() {
    Random r = new Random(3);
    int big = 40_000; // spans three chunks
    float[] w0 = randn(r, big, 0.5f);
    float[] b0 = randn(r, 7, 0.5f);
    double wd = 0.01;
    double[] lrs = {1e-2, 5e-3, 5e-3, 2e-3, 1e-3};
    float maxNorm = 3f;
    Ref rw = new Ref(w0);
    Ref rb = new Ref(b0);
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        AdamW opt = new AdamW((float) wd)) {
      NDArray w = m.create(w0, new Shape(200, 200));
      NDArray b = m.create(b0);
      w.setRequiresGradient(true);
      b.setRequiresGradient(true);
      opt.add("layer.weight", w, 1f);
      opt.add("layer.bias", b, 2f); // bias: no decay, double learning rate
      for (int t = 1; t <= lrs.length; t++) {
        // loss = sum(c_w * w^2) / 2 + sum(c_b * b); gradients c_w * w and c_b (scaled so that clipping bites on some steps)
        float[] cw = randn(r, big, t % 2 == 0 ? 0.2f : 0.001f);
        float[] cb = randn(r, 7, 1f);
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
          NDArray loss = w.square().mul(m.create(cw, new Shape(200, 200))).sum().div(2).add(b.mul(m.create(cb)).sum());
          gc.backward(loss);
        }
        double[] gw = new double[big];
        double sq = 0;
        for (int i = 0; i < big; i++) {
          gw[i] = (double) cw[i] * (float) rw.p[i];
          sq += gw[i] * gw[i];
        }
        for (float c : cb) {
          sq += (double) c * c;
        }
        double norm = Math.sqrt(sq);
        double scale = norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
        float got = opt.step((float) lrs[t - 1], maxNorm);
        assertEquals(norm, got, norm * 1e-5, "gradient norm at step " + t);
        refStep(rw, gw, scale, lrs[t - 1], wd, t);
        double[] gb = new double[7];
        for (int i = 0; i < 7; i++) {
          gb[i] = cb[i];
        }
        refStep(rb, gb, scale, 2 * lrs[t - 1], 0, t);
        assertClose(rw.p, w.toFloatArray(), "weight after step " + t);
        assertClose(rb.p, b.toFloatArray(), "bias after step " + t);
        float[] g = w.getGradient().toFloatArray();
        for (float x : g) {
          assertEquals(0f, x, "gradients are zeroed after the step");
        }
      }
      assertEquals(lrs.length, opt.steps());
    }
  }

  @Test
  void state_roundTrip_restoresMoments() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        AdamW a = new AdamW(0.01f);
        AdamW b = new AdamW(0.01f)) {
      NDArray w = m.create(new float[] {1, -2, 3}, new Shape(3));
      w.setRequiresGradient(true);
      a.add("w", w, 1f);
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        gc.backward(w.square().sum());
      }
      a.step(0.1f, 0f);
      Map<String, FloatTensor> state = a.state();
      // m = 0.1 * g, v = 0.001 * g^2 with g = 2w
      assertEquals(0.1 * -4, state.get("adam.m/w").data()[1], 1e-6);
      assertEquals(0.001 * 36, state.get("adam.v/w").data()[2], 1e-6);
      NDArray w2 = m.zeros(new Shape(3));
      w2.setRequiresGradient(true);
      b.add("w", w2, 1f);
      b.load(state, a.steps());
      assertEquals(1, b.steps());
      assertEquals(state.get("adam.v/w").data()[2], b.state().get("adam.v/w").data()[2]);
      assertThrows(IllegalStateException.class, () -> b.load(Map.of(), 1));
    }
  }

  @Test
  void nonFloatLeaf_isRejected() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        AdamW a = new AdamW(0.01f)) {
      NDArray ints = m.zeros(new Shape(2), DataType.INT32);
      assertThrows(IllegalArgumentException.class, () -> a.add("i", ints, 1f));
    }
  }

  private static void refStep(Ref s, double[] g, double scale, double lr, double wd, int t) {
    double bc1 = 1 - Math.pow(B1, t);
    double bc2 = 1 - Math.pow(B2, t);
    for (int i = 0; i < g.length; i++) {
      double gi = g[i] * scale;
      s.p[i] *= 1 - lr * wd;
      s.m[i] = B1 * s.m[i] + (1 - B1) * gi;
      s.v[i] = B2 * s.v[i] + (1 - B2) * gi * gi;
      s.p[i] -= lr * (s.m[i] / bc1) / (Math.sqrt(s.v[i] / bc2) + EPS);
    }
  }

  private static void assertClose(double[] want, float[] got, String what) {
    assertEquals(want.length, got.length);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], 1e-5 + 1e-4 * Math.abs(want[i]), what + " [" + i + "]");
    }
  }

  private static float[] randn(Random r, int n, float sd) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (r.nextGaussian() * sd);
    }
    return x;
  }
}
