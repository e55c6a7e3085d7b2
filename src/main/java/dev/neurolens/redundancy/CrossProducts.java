package dev.neurolens.redundancy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.util.NeuroLensException;
import java.util.List;

/**
 * Streams the sufficient statistics of correlation and CKA — column means and centred
 * cross-products {@code Σ_n (x_a − μ_a)(x_b − μ_b)} for chosen pairs of column blocks — from row
 * chunks of one or more {@link ActivationMatrix} with the same rows.
 *
 * <p>Each chunk is shifted by a pilot mean (the double-precision mean of the first chunk, rounded
 * to float) before the float32 matrix product on DJL, so the products stay small and the final
 * correction {@code S_ab − n·m_a·m_b} (m = mean of the shifted data) does not cancel. Per-chunk
 * products are added into double accumulators in Java. Never holds more than one chunk of rows.
 */
final class CrossProducts {
  /** Floats of one chunk of one source that we allow in memory (16 M = 64 MB). */
  private static final long CHUNK_FLOATS = 16L << 20;

  /**
   * A matrix restricted to some of its columns.
   *
   * @param columns column ids of {@code matrix} to use, in order (F' of them)
   */
  record Source(ActivationMatrix matrix, int[] columns) {
    Source {
      columns = columns.clone();
      for (int c : columns) {
        if (c < 0 || c >= matrix.cols()) {
          throw new NeuroLensException("columns: id " + c + " outside [0, " + matrix.cols() + ")");
        }
      }
    }
  }

  /** Columns {@code [start, end)} of the selected columns of source {@code source}. */
  record Block(int source, int start, int end) {
    int size() {
      return end - start;
    }
  }

  /** Cross-product of block {@code a} (rows of the result) with block {@code b} (columns). */
  record Pair(int a, int b) {}

  /**
   * The accumulated statistics.
   *
   * @param n rows
   * @param means per source, the true column means (F' each)
   * @param products per pair, the centred cross-product sum, row-major (size_a x size_b)
   */
  record Result(long n, double[][] means, double[][] products) {}

  private CrossProducts() {}

  /** Accumulates the centred cross-products of {@code pairs} over all rows of the sources. */
  static Result accumulate(List<Source> sources, List<Block> blocks, List<Pair> pairs) {
    int maxCols = sources.stream().mapToInt(s -> Math.max(s.matrix().cols(), 1)).max().orElse(1);
    int chunk = (int) Math.max(64, Math.min(8192, CHUNK_FLOATS / maxCols));
    return accumulate(sources, blocks, pairs, chunk);
  }

  /** As {@link #accumulate(List, List, List)} with an explicit chunk size (rows). */
  static Result accumulate(List<Source> sources, List<Block> blocks, List<Pair> pairs, int chunkRows) {
    int n = sources.get(0).matrix().rows();
    for (Source s : sources) {
      if (s.matrix().rows() != n) {
        throw new NeuroLensException(
            "activations: matrices must have the same rows, found " + n + " and " + s.matrix().rows());
      }
    }
    int maxCols = sources.stream().mapToInt(s -> Math.max(s.matrix().cols(), 1)).max().orElse(1);
    int chunk = Math.max(1, Math.min(chunkRows, Math.max(n, 1)));
    int ns = sources.size();
    float[][] pilot = new float[ns][];
    double[][] sums = new double[ns][];
    for (int s = 0; s < ns; s++) {
      sums[s] = new double[sources.get(s).columns().length];
    }
    double[][] products = new double[pairs.size()][];
    for (int p = 0; p < pairs.size(); p++) {
      products[p] = new double[blocks.get(pairs.get(p).a()).size() * blocks.get(pairs.get(p).b()).size()];
    }
    float[] raw = new float[chunk * maxCols];
    try (NDManager root = NDManager.newBaseManager()) {
      for (int start = 0; start < n; start += chunk) {
        int rows = Math.min(chunk, n - start);
        try (NDManager m = root.newSubManager()) {
          NDArray[] x = new NDArray[ns];
          for (int s = 0; s < ns; s++) {
            float[] sel = readSelected(sources.get(s), start, rows, raw);
            if (pilot[s] == null) {
              pilot[s] = columnMeans(sel, rows, sources.get(s).columns().length);
            }
            int f = pilot[s].length;
            NDArray xs = m.create(sel, new Shape(rows, f)).subi(m.create(pilot[s]));
            addInto(sums[s], xs.sum(new int[] {0}).toFloatArray());
            x[s] = xs;
          }
          NDArray[] views = new NDArray[blocks.size()];
          for (int b = 0; b < blocks.size(); b++) {
            Block bl = blocks.get(b);
            views[b] = x[bl.source()].get(":, {}:{}", bl.start(), bl.end());
          }
          for (int p = 0; p < pairs.size(); p++) {
            Pair pr = pairs.get(p);
            // (rows, Fa)^T (rows, Fb) -> (Fa, Fb)
            addInto(products[p], views[pr.a()].transpose().matMul(views[pr.b()]).toFloatArray());
          }
        }
      }
    }
    double[][] means = new double[ns][];
    for (int s = 0; s < ns; s++) {
      int f = sums[s].length;
      means[s] = new double[f];
      for (int j = 0; j < f; j++) {
        double shift = n == 0 ? 0 : sums[s][j] / n;
        sums[s][j] = shift;
        means[s][j] = (pilot[s] == null ? 0 : pilot[s][j]) + shift;
      }
    }
    for (int p = 0; p < pairs.size(); p++) {
      Block a = blocks.get(pairs.get(p).a());
      Block b = blocks.get(pairs.get(p).b());
      double[] ma = sums[a.source()];
      double[] mb = sums[b.source()];
      double[] prod = products[p];
      int fb = b.size();
      for (int i = 0; i < a.size(); i++) {
        double mi = (double) n * ma[a.start() + i];
        for (int j = 0; j < fb; j++) {
          prod[i * fb + j] -= mi * mb[b.start() + j];
        }
      }
    }
    return new Result(n, means, products);
  }

  /**
   * The statistics of the union of the rows of {@code a} and {@code b} (disjoint row sets, the
   * same sources, blocks and pairs): means weighted by rows, and per pair
   * {@code C = C_a + C_b + (n_a n_b / n) (m_a − m_b)(m_a − m_b)ᵀ} on the pair's blocks (Chan, Golub
   * and LeVeque's pairwise update), so partial sums from separate machines add up exactly as one
   * pass would, up to rounding. Neither input is changed.
   */
  static Result merge(Result a, Result b, List<Block> blocks, List<Pair> pairs) {
    if (a.n() == 0) {
      return b;
    }
    if (b.n() == 0) {
      return a;
    }
    long n = a.n() + b.n();
    double wa = (double) a.n() / n;
    double wb = (double) b.n() / n;
    double[][] means = new double[a.means().length][];
    double[][] delta = new double[a.means().length][];
    for (int s = 0; s < means.length; s++) {
      int f = a.means()[s].length;
      means[s] = new double[f];
      delta[s] = new double[f];
      for (int j = 0; j < f; j++) {
        means[s][j] = wa * a.means()[s][j] + wb * b.means()[s][j];
        delta[s][j] = a.means()[s][j] - b.means()[s][j];
      }
    }
    double scale = (double) a.n() * b.n() / n;
    double[][] products = new double[pairs.size()][];
    for (int p = 0; p < pairs.size(); p++) {
      Block ba = blocks.get(pairs.get(p).a());
      Block bb = blocks.get(pairs.get(p).b());
      double[] da = delta[ba.source()];
      double[] db = delta[bb.source()];
      double[] pa = a.products()[p];
      double[] pb = b.products()[p];
      double[] out = new double[pa.length];
      int fb = bb.size();
      for (int i = 0; i < ba.size(); i++) {
        double di = scale * da[ba.start() + i];
        for (int j = 0; j < fb; j++) {
          out[i * fb + j] = pa[i * fb + j] + pb[i * fb + j] + di * db[bb.start() + j];
        }
      }
      products[p] = out;
    }
    return new Result(n, means, products);
  }

  /** Reads rows and keeps the selected columns, row-major (rows x F'). */
  private static float[] readSelected(Source s, int start, int rows, float[] raw) {
    ActivationMatrix mat = s.matrix();
    int f = mat.cols();
    mat.read(start, rows, raw);
    int[] cols = s.columns();
    if (isIdentity(cols, f)) {
      return rows * f == raw.length ? raw : java.util.Arrays.copyOf(raw, rows * f);
    }
    float[] out = new float[rows * cols.length];
    for (int r = 0; r < rows; r++) {
      int base = r * f;
      int o = r * cols.length;
      for (int j = 0; j < cols.length; j++) {
        out[o + j] = raw[base + cols[j]];
      }
    }
    return out;
  }

  private static boolean isIdentity(int[] cols, int f) {
    if (cols.length != f) {
      return false;
    }
    for (int j = 0; j < f; j++) {
      if (cols[j] != j) {
        return false;
      }
    }
    return true;
  }

  private static float[] columnMeans(float[] x, int rows, int f) {
    double[] acc = new double[f];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < f; j++) {
        acc[j] += x[r * f + j];
      }
    }
    float[] out = new float[f];
    for (int j = 0; j < f; j++) {
      out[j] = (float) (acc[j] / rows);
    }
    return out;
  }

  private static void addInto(double[] acc, float[] add) {
    for (int i = 0; i < acc.length; i++) {
      acc[i] += add[i];
    }
  }
}
