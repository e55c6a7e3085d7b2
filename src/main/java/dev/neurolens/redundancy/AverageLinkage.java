package dev.neurolens.redundancy;

/**
 * Average-linkage (UPGMA) agglomerative clustering by the nearest-neighbour chain algorithm, in
 * O(n^2) time and memory on a float distance matrix.
 *
 * <p>Average linkage is reducible (merging two clusters never brings the result nearer to a third
 * than the nearer of the two was), so the NN-chain merges exactly the pairs the naive
 * "merge the closest pair" algorithm merges. The Lance-Williams update for average linkage is
 * d(k, i∪j) = (|i| d(k,i) + |j| d(k,j)) / (|i| + |j|). On ties the previous chain element wins,
 * which keeps the chain free of cycles.
 */
final class AverageLinkage {
  private AverageLinkage() {}

  /**
   * Clusters {@code n} items.
   *
   * @param dist row-major n x n symmetric distances; overwritten (used as work space)
   * @param leafIds id of each item in the returned tree (e.g. its position in a larger set)
   * @param leaves total number of leaves of the returned tree (>= max leaf id + 1)
   */
  static LinkageTree cluster(float[] dist, int n, int[] leafIds, int leaves) {
    int[] size = new int[n];
    int[] active = new int[n];
    int[] where = new int[n];
    for (int i = 0; i < n; i++) {
      size[i] = 1;
      active[i] = i;
      where[i] = i;
    }
    int remaining = n;
    int[] chain = new int[n + 1];
    int len = 0;
    int m = Math.max(0, n - 1);
    int[] left = new int[m];
    int[] right = new int[m];
    float[] height = new float[m];
    int merges = 0;
    while (remaining > 1) {
      if (len == 0) {
        chain[len++] = active[0];
      }
      int a;
      int b;
      while (true) {
        a = chain[len - 1];
        int prev = len >= 2 ? chain[len - 2] : -1;
        int best = prev;
        float bestD = prev >= 0 ? dist[a * n + prev] : Float.POSITIVE_INFINITY;
        int row = a * n;
        for (int t = 0; t < remaining; t++) {
          int k = active[t];
          if (k != a && dist[row + k] < bestD) {
            bestD = dist[row + k];
            best = k;
          }
        }
        if (best == prev) {
          b = prev;
          break;
        }
        chain[len++] = best;
      }
      len -= 2;
      left[merges] = leafIds[a];
      right[merges] = leafIds[b];
      height[merges] = dist[a * n + b];
      merges++;
      // merge a into b
      double sa = size[a];
      double sb = size[b];
      double tot = sa + sb;
      for (int t = 0; t < remaining; t++) {
        int k = active[t];
        if (k != a && k != b) {
          float v = (float) ((sa * dist[k * n + a] + sb * dist[k * n + b]) / tot);
          dist[k * n + b] = v;
          dist[b * n + k] = v;
        }
      }
      size[b] += size[a];
      int pos = where[a];
      int last = active[remaining - 1];
      active[pos] = last;
      where[last] = pos;
      remaining--;
    }
    return new LinkageTree(leaves, left, right, height);
  }
}
