package dev.neurolens.redundancy;

import dev.neurolens.activation.ActivationMatrix;

/** A view of selected rows of an {@link ActivationMatrix} (e.g. the training split), in order. */
final class RowSubset implements ActivationMatrix {
  private final ActivationMatrix base;
  private final int[] rowIds;

  RowSubset(ActivationMatrix base, int[] rowIds) {
    for (int r : rowIds) {
      if (r < 0 || r >= base.rows()) {
        throw new IndexOutOfBoundsException("row " + r + " outside [0, " + base.rows() + ")");
      }
    }
    this.base = base;
    this.rowIds = rowIds.clone();
  }

  @Override
  public int rows() {
    return rowIds.length;
  }

  @Override
  public int cols() {
    return base.cols();
  }

  @Override
  public void read(int rowStart, int rowCount, float[] dst) {
    if (rowStart < 0 || rowCount < 0 || rowStart + rowCount > rowIds.length) {
      throw new IndexOutOfBoundsException(
          "rows [" + rowStart + ", " + (rowStart + rowCount) + ") outside [0, " + rowIds.length + ")");
    }
    base.readRows(java.util.Arrays.copyOfRange(rowIds, rowStart, rowStart + rowCount), dst);
  }
}
