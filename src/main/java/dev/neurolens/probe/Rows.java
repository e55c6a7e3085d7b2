package dev.neurolens.probe;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.util.NeuroLensException;

/**
 * Reading selected rows of an {@link ActivationMatrix} in chunks, checking that every value is
 * finite and optionally standardising, for training and evaluation.
 */
final class Rows {
  /** Rows per read: about 16 MB of floats, at least one row. */
  static int chunkRows(int cols) {
    return Math.max(1, (4 << 20) / cols);
  }

  private Rows() {}

  /**
   * Reads {@code rowIds} (in order) into {@code dst} (row-major, rowIds.length x F), standardising
   * with {@code mean}/{@code scale} when they are non-null.
   *
   * @throws NeuroLensException naming the row and feature (layer) of the first NaN/Inf value
   */
  static void read(
      ActivationMatrix x, int[] rowIds, float[] mean, float[] scale, float[] dst,
      int[] featureIds, LayerLayout layout) {
    x.readRows(rowIds, dst);
    int f = x.cols();
    for (int i = 0; i < rowIds.length; i++) {
      int off = i * f;
      for (int j = 0; j < f; j++) {
        float v = dst[off + j];
        if (!Float.isFinite(v)) {
          throw nonFinite(rowIds[i], featureIds[j], v, layout);
        }
        if (mean != null) {
          dst[off + j] = (v - mean[j]) / scale[j];
        }
      }
    }
  }

  /** Throws on the first infinite or NaN float16 value of {@code buf} (rows {@code ids}, f wide). */
  static void checkFiniteHalf(short[] buf, int[] ids, int f, int[] featureIds, LayerLayout layout) {
    int len = ids.length * f;
    int any = 0;
    for (int j = 0; j < len; j++) { // bit 15 is set exactly for an all-ones exponent (a loop the JIT vectorises)
      any |= (buf[j] & 0x7C00) + 0x0400;
    }
    if ((any & 0x8000) == 0) {
      return;
    }
    for (int k = 0; k < ids.length; k++) {
      for (int j = 0; j < f; j++) {
        short h = buf[k * f + j];
        if ((h & 0x7C00) == 0x7C00) { // infinity or NaN
          float v = h == (short) 0x7C00 ? Float.POSITIVE_INFINITY : h == (short) 0xFC00 ? Float.NEGATIVE_INFINITY : Float.NaN;
          throw Rows.nonFinite(ids[k], featureIds[j], v, layout);
        }
      }
    }
  }

  static NeuroLensException nonFinite(int row, int featureId, float v, LayerLayout layout) {
    String where = layout != null ? layout.describe(featureId) : "feature " + featureId;
    return new NeuroLensException(
        "activations: row " + row + ", " + where + " is " + v
            + "; activations must be finite (re-extract or drop the row)");
  }

  /** Per-feature mean and population standard deviation over {@code rowIds} (std 0 -> 1). */
  static float[][] meanAndScale(ActivationMatrix x, int[] rowIds, int[] featureIds, LayerLayout layout) {
    int f = x.cols();
    double[] sum = new double[f];
    double[] sq = new double[f];
    int chunk = chunkRows(f);
    float[] buf = new float[chunk * f];
    for (int start = 0; start < rowIds.length; start += chunk) {
      int n = Math.min(chunk, rowIds.length - start);
      int[] ids = java.util.Arrays.copyOfRange(rowIds, start, start + n);
      read(x, ids, null, null, buf, featureIds, layout);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < f; j++) {
          double v = buf[i * f + j];
          sum[j] += v;
          sq[j] += v * v;
        }
      }
    }
    float[] mean = new float[f];
    float[] scale = new float[f];
    for (int j = 0; j < f; j++) {
      double m = sum[j] / rowIds.length;
      double var = Math.max(0, sq[j] / rowIds.length - m * m);
      mean[j] = (float) m;
      scale[j] = var > 1e-24 ? (float) Math.sqrt(var) : 1f;
    }
    return new float[][] {mean, scale};
  }

  /** Checks that every row id is inside the matrix; {@code split} names the split in errors. */
  static void checkIds(String split, int[] rowIds, int rows) {
    if (rowIds.length == 0) {
      throw new NeuroLensException(split + " split: is empty; it needs at least one row");
    }
    for (int r : rowIds) {
      if (r < 0 || r >= rows) {
        throw new NeuroLensException(
            split + " split: row " + r + " outside the activations (0.." + (rows - 1) + ")");
      }
    }
  }
}
