package dev.neurolens.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The losses and metrics against hand-computed values, and their autograd gradients against
 * central finite differences of an independent double-precision implementation.
 */
class LossesTest {

  @Test
  void infoNce_identityEmbeddings_matchesClosedForm() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDArray eye = m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
      // sim = I: each row's loss is log(e + 1) - 1
      assertEquals(Math.log(Math.E + 1) - 1, Losses.infoNce(eye, eye, 1f).getFloat(), 1e-6);
      // temperature 0.5 doubles the logits: log(e^2 + 1) - 2
      assertEquals(Math.log(Math.exp(2) + 1) - 2, Losses.infoNce(eye, eye, 0.5f).getFloat(), 1e-6);
    }
  }

  @Test
  void crossEntropy_handComputed() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDArray logits = m.create(new float[] {0, 0, 0, 2, 0, 1}, new Shape(2, 3));
      double row0 = Math.log(3); // uniform over 3, label 1
      double row1 = Math.log(Math.exp(2) + 1 + Math.E) - 2; // label 0
      assertEquals((row0 + row1) / 2, Losses.crossEntropy(logits, new int[] {1, 0}).getFloat(), 1e-6);
    }
  }

  @Test
  void ranksAndMrr_handComputed() {
    float[][] codes = {{1, 0}, {0, 1}, {-1, 0}};
    float[][] queries = {{1, 0}, {1, 0.5f}, {0.1f, 1}};
    int[] ranks = Metrics.ranks(queries, codes);
    assertArrayEquals(new int[] {1, 2, 3}, ranks);
    assertEquals((1 + 0.5 + 1 / 3.0) / 3, Metrics.mrr(ranks), 1e-12);
    assertEquals(1 / 3.0, Metrics.recallAt(ranks, 1), 1e-12);
    assertEquals(2 / 3.0, Metrics.recallAt(ranks, 2), 1e-12);
  }

  @Test
  void classificationMetrics_handComputed() {
    int[] gold = {0, 0, 1, 1, 2};
    int[] pred = {0, 1, 1, 1, 0};
    assertEquals(3 / 5.0, Metrics.accuracy(gold, pred), 1e-12);
    // class 0: tp 1 fp 1 fn 1 -> 0.5; class 1: tp 2 fp 1 fn 0 -> 0.8; class 2: 0
    assertEquals(0.5, Metrics.f1(gold, pred, 0), 1e-12);
    assertEquals(0.8, Metrics.f1(gold, pred, 1), 1e-12);
    assertEquals((0.5 + 0.8 + 0) / 3, Metrics.macroF1(gold, pred, 3), 1e-12);
  }

  // ---- gradients against finite differences ----

  private static double[] random(Random r, int n) {
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextGaussian();
    }
    return a;
  }

  private static float[] toFloat(double[] a) {
    float[] f = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      f[i] = (float) a[i];
    }
    return f;
  }

  /** Central differences of {@code f} at {@code x} (double precision). */
  private static double[] numericGradient(double[] x, ToDoubleFunction<double[]> f) {
    double h = 1e-6;
    double[] g = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double keep = x[i];
      x[i] = keep + h;
      double up = f.applyAsDouble(x);
      x[i] = keep - h;
      double down = f.applyAsDouble(x);
      x[i] = keep;
      g[i] = (up - down) / (2 * h);
    }
    return g;
  }

  private static void assertClose(double[] expected, float[] actual, double tol) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tol * Math.max(1, Math.abs(expected[i])), "component " + i);
    }
  }

  /** Reference: mean softmax cross-entropy of x W^T + b in double. */
  private static double ceReference(double[] x, double[] w, double[] b, int[] labels, int n, int f, int c) {
    double total = 0;
    for (int i = 0; i < n; i++) {
      double[] z = new double[c];
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < c; k++) {
        z[k] = b[k];
        for (int j = 0; j < f; j++) {
          z[k] += x[i * f + j] * w[k * f + j];
        }
        max = Math.max(max, z[k]);
      }
      double s = 0;
      for (double v : z) {
        s += Math.exp(v - max);
      }
      total += max + Math.log(s) - z[labels[i]];
    }
    return total / n;
  }

  @Test
  void classificationHead_gradients_matchFiniteDifferences() {
    int n = 4;
    int f = 5;
    int c = 3;
    Random r = new Random(3);
    double[] x = random(r, n * f);
    double[] w = random(r, c * f);
    double[] b = random(r, c);
    int[] labels = {0, 2, 1, 2};
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        LinearHead head = new LinearHead(c, f, 1, java.util.Map.of(
            "head.weight", new dev.neurolens.model.FloatTensor(new long[] {c, f}, toFloat(w)),
            "head.bias", new dev.neurolens.model.FloatTensor(new long[] {c}, toFloat(b))))) {
      NDArray xs = m.create(toFloat(x), new Shape(n, f));
      xs.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray loss = Losses.crossEntropy(head.logits(xs), labels);
        assertEquals(ceReference(x, w, b, labels, n, f, c), loss.getFloat(), 1e-5);
        gc.backward(loss);
      }
      assertClose(numericGradient(w, ww -> ceReference(x, ww, b, labels, n, f, c)),
          head.params.get("head.weight").getGradient().toFloatArray(), 1e-4);
      assertClose(numericGradient(b, bb -> ceReference(x, w, bb, labels, n, f, c)),
          head.params.get("head.bias").getGradient().toFloatArray(), 1e-4);
      assertClose(numericGradient(x, xx -> ceReference(xx, w, b, labels, n, f, c)), xs.getGradient().toFloatArray(), 1e-4);
    }
  }

  /** Reference InfoNCE of row-normalised q, c (n x d) in double. */
  private static double infoNceReference(double[] q, double[] c, int n, int d, double tau) {
    double[] qn = normalizeRows(q, n, d);
    double[] cn = normalizeRows(c, n, d);
    double total = 0;
    for (int i = 0; i < n; i++) {
      double[] s = new double[n];
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        for (int k = 0; k < d; k++) {
          s[j] += qn[i * d + k] * cn[j * d + k];
        }
        s[j] /= tau;
        max = Math.max(max, s[j]);
      }
      double sum = 0;
      for (double v : s) {
        sum += Math.exp(v - max);
      }
      total += max + Math.log(sum) - s[i];
    }
    return total / n;
  }

  private static double[] normalizeRows(double[] a, int n, int d) {
    double[] out = new double[a.length];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int k = 0; k < d; k++) {
        s += a[i * d + k] * a[i * d + k];
      }
      for (int k = 0; k < d; k++) {
        out[i * d + k] = a[i * d + k] / Math.sqrt(s);
      }
    }
    return out;
  }

  @Test
  void infoNce_gradients_matchFiniteDifferences() {
    int n = 4;
    int d = 6;
    double tau = 0.1;
    Random r = new Random(5);
    double[] q = random(r, n * d);
    double[] c = random(r, n * d);
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDArray qa = m.create(toFloat(q), new Shape(n, d));
      NDArray ca = m.create(toFloat(c), new Shape(n, d));
      qa.setRequiresGradient(true);
      ca.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray loss = Losses.infoNce(Losses.l2Normalize(qa), Losses.l2Normalize(ca), (float) tau);
        assertEquals(infoNceReference(q, c, n, d, tau), loss.getFloat(), 1e-5);
        gc.backward(loss);
      }
      assertClose(numericGradient(q, qq -> infoNceReference(qq, c, n, d, tau)), qa.getGradient().toFloatArray(), 2e-4);
      assertClose(numericGradient(c, cc -> infoNceReference(q, cc, n, d, tau)), ca.getGradient().toFloatArray(), 2e-4);
    }
  }

  @Test
  void pairFeatures_areConcatOfUVAbsDiffProduct() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDArray u = m.create(new float[] {1, -2}, new Shape(1, 2));
      NDArray v = m.create(new float[] {3, 4}, new Shape(1, 2));
      assertArrayEquals(new float[] {1, -2, 3, 4, 2, 6, 3, -8}, Scorer.pairFeatures(u, v).toFloatArray());
    }
  }
}
