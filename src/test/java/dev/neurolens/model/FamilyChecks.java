package dev.neurolens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Checks shared by the family tests: every hook against a reference, and causality. */
final class FamilyChecks {
  /** Largest accepted |model - reference|, relative to max(1, largest |reference|) of the hook. */
  static final double TOLERANCE = 1e-4;

  private FamilyChecks() {}

  /** What a reference computes for one unpadded row: every hook (T, W) and the last hidden state (T, D). */
  record Ref(Map<HookName, double[][]> hooks, double[][] last) {}

  /**
   * Runs the rows as one padded batch capturing every hook, and each row against {@code ref};
   * also the plain forward's last hidden state. Returns the largest relative difference seen.
   */
  static double assertEveryHookMatches(EncoderModel model, List<int[]> rows, Function<int[], Ref> ref) {
    double worst = 0;
    try (NDManager m = NDManager.newBaseManager()) {
      Map<HookName, NDArray> cache = model.runWithCache(m, new TokenBatch(rows), new HashSet<>(model.hookNames()));
      assertEquals(new HashSet<>(model.hookNames()), cache.keySet());
      float[][][] last = Arrays3.of(model.forward(m, new TokenBatch(rows)));
      for (int r = 0; r < rows.size(); r++) {
        Ref expected = ref.apply(rows.get(r));
        int t = rows.get(r).length;
        assertEquals(model.hookNames().size(), expected.hooks().size(), "reference hooks");
        for (HookName h : model.hookNames()) {
          double d = relDiff(Arrays3.of(cache.get(h))[r], expected.hooks().get(h), t);
          assertTrue(d < TOLERANCE, "row " + r + " " + h + " differs from the reference by " + d);
          worst = Math.max(worst, d);
        }
        double d = relDiff(last[r], expected.last(), t);
        assertTrue(d < TOLERANCE, "row " + r + " last hidden state differs by " + d);
      }
    }
    return worst;
  }

  static double relDiff(float[][] a, double[][] b, int rows) {
    double scale = 1;
    for (int j = 0; j < rows; j++) {
      for (double v : b[j]) {
        scale = Math.max(scale, Math.abs(v));
      }
    }
    return Arrays3.maxDiff(a, b, rows) / scale;
  }

  /**
   * Changes the token at {@code at} (and every later one) and checks that each hook at every
   * earlier position is unchanged, while position {@code at} itself changes somewhere.
   */
  static void assertCausal(EncoderModel model, int[] row, int at) {
    int[] other = row.clone();
    for (int j = at; j < other.length; j++) {
      other[j] = (other[j] + 7) % model.config().vocabSize();
    }
    try (NDManager m = NDManager.newBaseManager()) {
      Map<HookName, NDArray> a = model.runWithCache(m, new TokenBatch(List.of(row)), new HashSet<>(model.hookNames()));
      Map<HookName, NDArray> b = model.runWithCache(m, new TokenBatch(List.of(other, row)),
          new HashSet<>(model.hookNames()));
      boolean changed = false;
      for (HookName h : model.hookNames()) {
        float[][] x = Arrays3.of(a.get(h))[0];
        float[][] y = Arrays3.of(b.get(h))[0];
        assertTrue(Arrays3.maxDiff(x, y, at) < 1e-5, h + ": a position before " + at + " changed");
        changed |= Math.abs(x[at][0] - y[at][0]) > 1e-6;
      }
      assertTrue(changed, "the changed position itself must change");
    }
  }

  /** The hook names of an L-block model: embed.out, then the six sites of each block. */
  static void assertHookNames(EncoderModel model) {
    List<HookName> h = model.hookNames();
    assertEquals(1 + 6 * model.config().numLayers(), h.size());
    assertEquals("embed.out", h.get(0).toString());
    assertEquals("blocks.0.resid_pre", h.get(1).toString());
    assertEquals("blocks.0.mlp.pre", h.get(4).toString());
    assertEquals("blocks." + (model.config().numLayers() - 1) + ".resid_post", h.get(h.size() - 1).toString());
  }
}
