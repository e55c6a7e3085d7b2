package dev.neurolens.activation;

import dev.neurolens.model.HookName;
import dev.neurolens.util.NeuroLensException;
import java.util.Locale;

/**
 * Stops an extraction at the first activation that the store would hold as NaN or infinity:
 * NaN or ±Inf from the model (NaN weights, an overflow), or, in a float16 store, a magnitude of
 * 65520 or more, which rounds to infinity.
 *
 * <p>Cost: one comparison per stored value, small beside the forward pass that produced it.
 */
final class FiniteCheck {
  /** Smallest magnitude that float16 rounds to infinity (halfway between 65504 and 65536). */
  static final float HALF_OVERFLOW = 65520f;

  private FiniteCheck() {}

  /**
   * Throws a {@link NeuroLensException} naming the hook, snippet, row and neuron of the first value
   * of {@code s} that the store of {@code spec} would hold as non-finite.
   */
  static void require(SnippetActivations s, StoreSpec spec) {
    require(s, spec, null, null);
  }

  /**
   * As {@link #require(SnippetActivations, StoreSpec)}, for a snippet whose float32 rows were
   * checked as they were captured (only its float16 rows are held): {@code faultAt[h]} is the
   * index of hook h's first row value found non-finite (-1: none), {@code faultValue[h]} that
   * value. Both null: check the rows here. Hooks are reported in the same order either way.
   */
  static void require(SnippetActivations s, StoreSpec spec, int[] faultAt, float[] faultValue) {
    float limit = spec.dtype() == StoreDtype.FLOAT16 ? HALF_OVERFLOW : Float.POSITIVE_INFINITY;
    for (int h = 0; h < spec.hooks().size(); h++) {
      int width = spec.widths().get(h);
      if (faultAt == null) {
        check(s, spec, h, s.rowsOf(h), width, limit, "row");
      } else if (faultAt[h] >= 0) {
        fail(s, spec, spec.hooks().get(h), faultValue[h], "row", faultAt[h] / width, faultAt[h] % width);
      }
      check(s, spec, h, s.firstOf(h), width, limit, "first-position vector");
      check(s, spec, h, s.meanOf(h), width, limit, "mean vector");
    }
  }

  private static void check(
      SnippetActivations s, StoreSpec spec, int h, float[] values, int width, float limit, String what) {
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      if (!(Math.abs(v) < limit)) {
        fail(s, spec, spec.hooks().get(h), v, what, i / width, i % width);
      }
    }
  }

  private static void fail(
      SnippetActivations s, StoreSpec spec, HookName hook, float v, String what, int row, int neuron) {
    String where = what.equals("row")
        ? "row " + row + " (token '" + s.tokens().get(row).text().replaceAll("\\s+", " ") + "')"
        : "the " + what;
    boolean halfOverflow = Float.isFinite(v);
    throw new NeuroLensException(String.format(Locale.ROOT,
        "extract: hook %s of model %s produced %s at neuron %d of %s of snippet %s%s; pass "
            + "--allow-non-finite to store such values anyway",
        hook, spec.modelId(), halfOverflow ? v + ", which float16 stores as infinity" : Float.toString(v),
        neuron, where, s.id(),
        halfOverflow ? " (use --dtype float32)" : " (NaN or infinite weights in the model?)"));
  }
}
