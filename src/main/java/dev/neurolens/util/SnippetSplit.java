package dev.neurolens.util;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The one train/dev/test split of snippets that every stage uses ({@code label}, {@code probe},
 * {@code rank}, {@code analyze}, {@code store export}): a snippet's part depends only on its id,
 * the seed and the fractions, never on the order snippets arrive in or on a store's row order.
 *
 * <p>Snippet ids are sorted (ties keep their input order), shuffled with {@code new
 * Random(seed)} ({@link Shuffle}), and cut: the first {@code max(1, round(n * test))} are test
 * (none when test = 0), the next {@code round(n * dev)} dev, the rest train.
 *
 * <p>Usage: {@code SnippetSplit.Part[] parts = SnippetSplit.assign(ids, 0.1, 0.1, 42); parts[i] == Part.TEST}
 */
public final class SnippetSplit {
  /** Share of the snippets in dev by default. */
  public static final double DEFAULT_DEV = 0.1;
  /** Share of the snippets in test by default. */
  public static final double DEFAULT_TEST = 0.1;
  /** The default split seed. */
  public static final long DEFAULT_SEED = 42;

  /** The three parts. */
  public enum Part {
    TRAIN,
    DEV,
    TEST
  }

  private SnippetSplit() {}

  /**
   * The part of each snippet (index as in {@code ids}).
   *
   * @throws NeuroLensException when the fractions are not >= 0 with dev + test < 1, or when the
   *     snippets are too few to leave a training part
   */
  public static Part[] assign(List<String> ids, double dev, double test, long seed) {
    if (!(dev >= 0) || !(test >= 0) || !(dev + test < 1)) { // written so that NaN fails
      throw new NeuroLensException("split: dev and test fractions must be >= 0 with dev + test < 1, found dev "
          + dev + ", test " + test);
    }
    int n = ids.size();
    List<Integer> order = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    order.sort(Comparator.comparing(ids::get));
    Shuffle.inPlace(order, new Random(seed));
    int nTest = test == 0 ? 0 : (int) Math.max(1, Math.round(n * test));
    int nDev = (int) Math.round(n * dev);
    if (n > 0 && nTest + nDev >= n) {
      throw new NeuroLensException("split: " + n + " snippets are too few for dev " + dev + " and test " + test
          + " (no snippet would be left for training)");
    }
    Part[] parts = new Part[n];
    for (int i = 0; i < n; i++) {
      parts[order.get(i)] = i < nTest ? Part.TEST : i < nTest + nDev ? Part.DEV : Part.TRAIN;
    }
    return parts;
  }
}
