package dev.neurolens.probe;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.util.NeuroLensException;
import java.util.Optional;

/**
 * A view of selected columns of an {@link ActivationMatrix} (keep-only / remove ablation, one
 * layer, layers 0..l), remembering the original feature id of each column.
 *
 * <p>When the base can decode a column subset itself ({@link ActivationMatrix#narrowed}, e.g. a
 * store view), reads go straight to that narrowed matrix; otherwise rows are read whole from the
 * base and the columns picked out, at the cost of one full-width row buffer per chunk. Views of
 * views compose (ids refer to the outermost base).
 *
 * <p>Usage: {@code ColumnSubset sub = ColumnSubset.of(x, layout.layerFeatures(3)); int[] ids = ColumnSubset.featureIds(sub)}
 */
public final class ColumnSubset implements ActivationMatrix {
  private final ActivationMatrix base;
  private final int[] columns;
  private final int[] originalIds;
  /** The base's own reader of just these columns, or null (pick them out of whole rows). */
  private final ActivationMatrix direct;

  private ColumnSubset(ActivationMatrix base, int[] columns, int[] originalIds) {
    this.base = base;
    this.columns = columns;
    this.originalIds = originalIds;
    this.direct = base.narrowed(columns).orElse(null);
  }

  @Override
  public Optional<ActivationMatrix> narrowed(int[] cols) {
    int[] composed = new int[cols.length];
    for (int j = 0; j < cols.length; j++) {
      composed[j] = columns[cols[j]];
    }
    return base.narrowed(composed);
  }

  /**
   * The columns {@code columns} (positions in {@code base}, in the given order, no duplicates).
   */
  public static ColumnSubset of(ActivationMatrix base, int[] columns) {
    if (columns.length == 0) {
      throw new NeuroLensException("column selection: must keep at least one feature, found 0");
    }
    boolean[] seen = new boolean[base.cols()];
    for (int c : columns) {
      if (c < 0 || c >= base.cols()) {
        throw new NeuroLensException(
            "column selection: feature " + c + " outside 0.." + (base.cols() - 1));
      }
      if (seen[c]) {
        throw new NeuroLensException("column selection: feature " + c + " selected twice");
      }
      seen[c] = true;
    }
    int[] ids = new int[columns.length];
    int[] baseIds = featureIds(base);
    for (int i = 0; i < columns.length; i++) {
      ids[i] = baseIds[columns[i]];
    }
    return new ColumnSubset(base, columns.clone(), ids);
  }

  /** All columns of {@code base} except {@code removed} (in their original order). */
  public static ColumnSubset without(ActivationMatrix base, int[] removed) {
    boolean[] drop = new boolean[base.cols()];
    for (int c : removed) {
      if (c < 0 || c >= base.cols()) {
        throw new NeuroLensException(
            "column selection: feature " + c + " outside 0.." + (base.cols() - 1));
      }
      drop[c] = true;
    }
    int[] kept = new int[base.cols()];
    int k = 0;
    for (int c = 0; c < drop.length; c++) {
      if (!drop[c]) {
        kept[k++] = c;
      }
    }
    return of(base, java.util.Arrays.copyOf(kept, k));
  }

  /** The original feature id of every column of {@code m} (identity for a plain matrix). */
  public static int[] featureIds(ActivationMatrix m) {
    if (m instanceof ColumnSubset s) {
      return s.originalIds.clone();
    }
    int[] ids = new int[m.cols()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = i;
    }
    return ids;
  }

  @Override
  public boolean storesHalf() {
    return direct != null && direct.storesHalf();
  }

  @Override
  public void readRowsHalf(int[] rowIds, short[] dst) {
    if (!storesHalf()) {
      throw new UnsupportedOperationException("this column subset does not hold float16 values");
    }
    direct.readRowsHalf(rowIds, dst);
  }

  @Override
  public int rows() {
    return base.rows();
  }

  @Override
  public int cols() {
    return columns.length;
  }

  @Override
  public void read(int rowStart, int rowCount, float[] dst) {
    if (direct != null) {
      direct.read(rowStart, rowCount, dst);
      return;
    }
    int bf = base.cols();
    int chunk = Math.max(1, Math.min(rowCount, (1 << 22) / bf));
    float[] buf = new float[chunk * bf];
    for (int r = 0; r < rowCount; r += chunk) {
      int n = Math.min(chunk, rowCount - r);
      base.read(rowStart + r, n, buf);
      pick(buf, n, dst, r);
    }
  }

  @Override
  public void readRows(int[] rowIds, float[] dst) {
    if (direct != null) {
      direct.readRows(rowIds, dst);
      return;
    }
    int bf = base.cols();
    int chunk = Math.max(1, Math.min(rowIds.length, (1 << 22) / bf));
    float[] buf = new float[chunk * bf];
    for (int r = 0; r < rowIds.length; r += chunk) {
      int n = Math.min(chunk, rowIds.length - r);
      base.readRows(java.util.Arrays.copyOfRange(rowIds, r, r + n), buf);
      pick(buf, n, dst, r);
    }
  }

  private void pick(float[] buf, int n, float[] dst, int dstRow) {
    int bf = base.cols();
    int f = columns.length;
    for (int i = 0; i < n; i++) {
      int src = i * bf;
      int out = (dstRow + i) * f;
      for (int j = 0; j < f; j++) {
        dst[out + j] = buf[src + columns[j]];
      }
    }
  }
}
