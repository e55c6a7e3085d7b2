package dev.neurolens.rank;

/**
 * Keeps the k best (score, id) pairs seen so far in a primitive min-heap: higher score is better,
 * and on equal scores the lower id is better, so results are deterministic. NaN scores are
 * ignored. O(log k) per offer, O(k) memory.
 */
final class NeuronTopK {
  private final double[] scores;
  private final int[] ids;
  private int size;

  NeuronTopK(int k) {
    if (k < 0) {
      throw new IllegalArgumentException("k must be >= 0, found " + k);
    }
    scores = new double[k];
    ids = new int[k];
  }

  int size() {
    return size;
  }

  void offer(double score, int id) {
    if (Double.isNaN(score) || scores.length == 0) {
      return;
    }
    if (size < scores.length) {
      scores[size] = score;
      ids[size] = id;
      siftUp(size++);
    } else if (worse(scores[0], ids[0], score, id)) {
      scores[0] = score;
      ids[0] = id;
      siftDown(0);
    }
  }

  /** The kept ids, best first. Does not change the heap. */
  int[] idsBestFirst() {
    Integer[] order = new Integer[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(
        order,
        (a, b) -> scores[a] != scores[b] ? Double.compare(scores[b], scores[a]) : Integer.compare(ids[a], ids[b]));
    int[] out = new int[size];
    for (int i = 0; i < size; i++) {
      out[i] = ids[order[i]];
    }
    return out;
  }

  /** Whether (sa, ia) ranks below (sb, ib). */
  private static boolean worse(double sa, int ia, double sb, int ib) {
    return sa < sb || (sa == sb && ia > ib);
  }

  private void siftUp(int i) {
    while (i > 0) {
      int p = (i - 1) / 2;
      if (!worse(scores[i], ids[i], scores[p], ids[p])) {
        return;
      }
      swap(i, p);
      i = p;
    }
  }

  private void siftDown(int i) {
    while (true) {
      int l = 2 * i + 1;
      int r = l + 1;
      int m = i;
      if (l < size && worse(scores[l], ids[l], scores[m], ids[m])) {
        m = l;
      }
      if (r < size && worse(scores[r], ids[r], scores[m], ids[m])) {
        m = r;
      }
      if (m == i) {
        return;
      }
      swap(i, m);
      i = m;
    }
  }

  private void swap(int a, int b) {
    double s = scores[a];
    scores[a] = scores[b];
    scores[b] = s;
    int t = ids[a];
    ids[a] = ids[b];
    ids[b] = t;
  }
}
