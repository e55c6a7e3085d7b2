package dev.neurolens.redundancy;

import dev.neurolens.util.NeuroLensException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * A hierarchical clustering as its list of merges, built once and cut at any distance threshold
 * cheaply (O(n α(n)) per cut with a union-find).
 *
 * <p>Merge i joins the cluster that contains leaf {@code left[i]} with the one that contains leaf
 * {@code right[i]} at distance {@code height[i]}; merges are sorted by height. Leaves that appear
 * in no merge (e.g. constant neurons) stay singletons at every threshold.
 *
 * <p>Usage: {@code LinkageTree t = CorrelationClustering.linkage(r, ClusterOptions.Distance.ABS); int[] c = t.cut(0.3)}
 */
public final class LinkageTree {
  private final int leaves;
  private final int[] left;
  private final int[] right;
  private final float[] height;

  LinkageTree(int leaves, int[] left, int[] right, float[] height) {
    if (left.length != right.length || left.length != height.length) {
      throw new IllegalArgumentException("merge arrays differ in length");
    }
    Integer[] order = IntStream.range(0, left.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(i -> height[i]));
    this.leaves = leaves;
    this.left = new int[left.length];
    this.right = new int[left.length];
    this.height = new float[left.length];
    for (int i = 0; i < order.length; i++) {
      this.left[i] = left[order[i]];
      this.right[i] = right[order[i]];
      this.height[i] = height[order[i]];
    }
  }

  /** Number of leaves. */
  public int leaves() {
    return leaves;
  }

  /** Number of merges. */
  public int merges() {
    return left.length;
  }

  /** Height (linkage distance) of merge {@code i}, ascending in i. */
  public float height(int i) {
    return height[i];
  }

  /**
   * Flat clusters: leaves joined by every merge at height &lt;= {@code threshold} (the "distance"
   * criterion of hierarchical clustering).
   *
   * @param threshold distance cut, in (0, 2)
   * @return cluster label per leaf, numbered 0.. in order of each cluster's smallest leaf
   */
  public int[] cut(double threshold) {
    checkThreshold(threshold);
    int[] parent = IntStream.range(0, leaves).toArray();
    for (int i = 0; i < left.length && height[i] <= threshold; i++) {
      int a = find(parent, left[i]);
      int b = find(parent, right[i]);
      if (a != b) {
        parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
    int[] label = new int[leaves];
    int[] rootLabel = new int[leaves];
    Arrays.fill(rootLabel, -1);
    int next = 0;
    for (int i = 0; i < leaves; i++) {
      int root = find(parent, i);
      if (rootLabel[root] < 0) {
        rootLabel[root] = next++;
      }
      label[i] = rootLabel[root];
    }
    return label;
  }

  static void checkThreshold(double threshold) {
    if (!(threshold > 0 && threshold < 2)) {
      throw new NeuroLensException("threshold: must be in (0, 2), found " + threshold);
    }
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }
}
