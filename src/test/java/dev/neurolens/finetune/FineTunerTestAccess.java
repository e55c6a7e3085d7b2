package dev.neurolens.finetune;

import java.util.List;

/** Test data of this package for tests in other packages. */
public final class FineTunerTestAccess {
  private FineTunerTestAccess() {}

  /** See {@code FineTunerTest.separable}. */
  public static List<Example> separable(int n, long seed) {
    return FineTunerTest.separable(n, seed);
  }
}
