package dev.neurolens.rank;

/** Test access to the package-private AP of {@link ApRanker} (an implementation independent of ConceptSearch). */
public final class ApRankerAccess {
  private ApRankerAccess() {}

  public static double averagePrecision(float[] score, boolean[] positive, int positives) {
    return ApRanker.averagePrecision(score, positive, positives);
  }
}
