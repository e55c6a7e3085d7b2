package dev.neurolens.probe;

import dev.neurolens.util.Shuffle;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Train / dev / test row ids. Train and test must be non-empty; dev may be empty (then no dev
 * score is reported).
 *
 * <p>Usage: {@code Splits splits = Splits.byGroup(store.rowSnippets(), 0.1, 0.1, 42)}
 */
public record Splits(int[] train, int[] dev, int[] test) {

  public Splits {
    if (train.length == 0) {
      throw new NeuroLensException("train split: is empty; it needs at least one row");
    }
    if (test.length == 0) {
      throw new NeuroLensException("test split: is empty; it needs at least one row");
    }
    train = train.clone();
    dev = dev == null ? new int[0] : dev.clone();
    test = test.clone();
  }

  @Override
  public int[] train() {
    return train.clone();
  }

  @Override
  public int[] dev() {
    return dev.clone();
  }

  @Override
  public int[] test() {
    return test.clone();
  }

  /** Rows 0..n-1 split at random (seeded): the given fractions for dev and test, the rest train. */
  public static Splits random(int n, double devFraction, double testFraction, long seed) {
    int[] groups = new int[n];
    for (int i = 0; i < n; i++) {
      groups[i] = i;
    }
    return byGroup(groups, devFraction, testFraction, seed);
  }

  /**
   * Splits by group (e.g. the snippet each token comes from), so that all rows of a group land in
   * the same split: groups are shuffled (seeded), the first {@code testFraction} of them go to
   * test, the next {@code devFraction} to dev, the rest to train.
   *
   * @param groupOfRow group id of every row 0..N-1
   */
  public static Splits byGroup(int[] groupOfRow, double devFraction, double testFraction, long seed) {
    if (devFraction < 0 || testFraction <= 0 || devFraction + testFraction >= 1) {
      throw new NeuroLensException(
          "splits: need dev >= 0, test > 0 and dev + test < 1, found dev " + devFraction + ", test "
              + testFraction);
    }
    Map<Integer, List<Integer>> rows = new LinkedHashMap<>();
    for (int i = 0; i < groupOfRow.length; i++) {
      rows.computeIfAbsent(groupOfRow[i], g -> new ArrayList<>()).add(i);
    }
    List<Integer> groups = new ArrayList<>(rows.keySet());
    java.util.Collections.sort(groups);
    Shuffle.inPlace(groups, new Random(seed));
    int g = groups.size();
    int nTest = (int) Math.max(1, Math.round(testFraction * g));
    int nDev = (int) Math.round(devFraction * g);
    if (nTest + nDev >= g) {
      throw new NeuroLensException(
          "splits: " + g + " groups are too few for dev " + devFraction + " and test " + testFraction);
    }
    List<Integer> train = new ArrayList<>();
    List<Integer> dev = new ArrayList<>();
    List<Integer> test = new ArrayList<>();
    for (int i = 0; i < g; i++) {
      List<Integer> target = i < nTest ? test : i < nTest + nDev ? dev : train;
      target.addAll(rows.get(groups.get(i)));
    }
    return new Splits(sorted(train), sorted(dev), sorted(test));
  }

  private static int[] sorted(List<Integer> ids) {
    return ids.stream().mapToInt(Integer::intValue).sorted().toArray();
  }
}
