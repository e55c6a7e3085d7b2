package dev.neurolens.model.graph;

import dev.neurolens.model.Weight;
import dev.neurolens.util.NeuroLensException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Checks canonical weights against a config, for every family: the number of blocks first (before
 * anything is sized by the config), then the presence and shape of every tensor. Each failure is
 * one line naming the weights file.
 */
public final class WeightCheck {
  /** Largest number of blocks accepted (real models have at most a few hundred). */
  public static final int MAX_LAYERS = 10_000;

  private WeightCheck() {}

  /**
   * Renames checkpoint tensors with {@code canonicalName} (null = unused, dropped); a tensor
   * that appears twice under one canonical name is an error.
   */
  public static <W extends Weight> Map<String, W> canonicalize(Map<String, W> raw, UnaryOperator<String> canonicalName,
      String source) {
    Map<String, W> out = new LinkedHashMap<>();
    for (Map.Entry<String, W> e : raw.entrySet()) {
      String c = canonicalName.apply(e.getKey());
      if (c != null && out.put(c, e.getValue()) != null) {
        throw new NeuroLensException(source + ": tensor '" + c + "' appears twice (with and without a prefix?)");
      }
    }
    return out;
  }

  /**
   * The number of blocks in canonical weights: the distinct {@code i} of {@code {prefix}{i}.*},
   * which must run 0..L-1 without a gap.
   *
   * @param prefix e.g. {@code "encoder.layer."}, {@code "h."}
   */
  public static int layerCount(Map<String, ?> canonical, String prefix, String source) {
    TreeSet<Integer> blocks = new TreeSet<>();
    for (String name : canonical.keySet()) {
      if (!name.startsWith(prefix)) {
        continue;
      }
      int dot = name.indexOf('.', prefix.length());
      String index = name.substring(prefix.length(), dot < 0 ? name.length() : dot);
      if (!index.matches("0|[1-9][0-9]{0,5}") || Integer.parseInt(index) >= MAX_LAYERS) {
        throw new NeuroLensException(source + ": tensor '" + name + "' has block index '" + index
            + "'; expected an integer in [0, " + MAX_LAYERS + ")");
      }
      blocks.add(Integer.parseInt(index));
    }
    int expected = 0;
    for (int b : blocks) {
      if (b != expected) {
        throw new NeuroLensException(source + ": the weights hold " + prefix + b + " but no " + prefix + expected
            + " (blocks must be numbered 0..L-1 without a gap)");
      }
      expected++;
    }
    return blocks.size();
  }

  /**
   * Checks that the weights hold {@code layers} blocks under {@code prefix}, as the config key
   * {@code configKey} says, then that every tensor of {@code expected} is present with its shape.
   *
   * @param what the model in messages, e.g. {@code "model_type gpt2, 12 layers"}
   */
  public static void validate(Map<String, ? extends Weight> canonical, Map<String, long[]> expected, String prefix,
      int layers, String configKey, String what, String source) {
    int found = layerCount(canonical, prefix, source);
    if (found != layers) {
      throw new NeuroLensException(source + ": the weights hold " + found + " blocks"
          + (found == 0 ? "" : " (" + prefix + "0 .. " + prefix + (found - 1) + ")")
          + " but the config says " + configKey + " = " + layers + "; the config and the weights disagree");
    }
    requireShapes(canonical, expected, what, source);
  }

  /** Every tensor of {@code expected} must be present with exactly that shape. */
  public static void requireShapes(Map<String, ? extends Weight> canonical, Map<String, long[]> expected, String what,
      String source) {
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      Weight t = canonical.get(e.getKey());
      if (t == null) {
        throw new NeuroLensException(source + ": tensor '" + e.getKey() + "' is missing (" + what + ")");
      }
      if (!Arrays.equals(t.shape(), e.getValue())) {
        throw new NeuroLensException(source + ": tensor '" + e.getKey() + "' must have shape "
            + Arrays.toString(e.getValue()) + " by config, found " + Arrays.toString(t.shape()));
      }
    }
  }
}
