package dev.neurolens.util;

import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Seeded Fisher-Yates shuffles of int arrays: the one implementation every stage uses (probe
 * minibatch order, dev splits, row and neuron samples), so that a seed means the same order
 * everywhere.
 *
 * <p>Usage: {@code int[] order = Shuffle.permutation(n, new Random(seed));}
 */
public final class Shuffle {
  private Shuffle() {}

  /** Shuffles all of {@code a} in place (Durstenfeld: i from the end, j uniform in 0..i). */
  public static void inPlace(int[] a, Random random) {
    for (int i = a.length - 1; i > 0; i--) {
      swap(a, i, random.nextInt(i + 1));
    }
  }

  /**
   * Shuffles a list in place with the same draws as {@link #inPlace(int[], Random)} (and as
   * {@link java.util.Collections#shuffle(List, Random)}): the same seed gives the same order.
   */
  public static void inPlace(List<?> list, Random random) {
    for (int i = list.size(); i > 1; i--) {
      Collections.swap(list, i - 1, random.nextInt(i));
    }
  }

  /** A uniformly random permutation of 0..n-1 ({@link #inPlace} of the identity). */
  public static int[] permutation(int n, Random random) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    inPlace(p, random);
    return p;
  }

  /**
   * {@code k} distinct elements of {@code a}, uniformly at random, in their drawn order: the first
   * k steps of a forward Fisher-Yates shuffle of a copy (j uniform in i..n-1); {@code a} is kept.
   */
  public static int[] sample(int[] a, int k, Random random) {
    if (k < 0 || k > a.length) {
      throw new IllegalArgumentException("sample of " + k + " from " + a.length + " elements");
    }
    int[] copy = a.clone();
    for (int i = 0; i < k; i++) {
      swap(copy, i, i + random.nextInt(copy.length - i));
    }
    return java.util.Arrays.copyOf(copy, k);
  }

  private static void swap(int[] a, int i, int j) {
    int t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}
