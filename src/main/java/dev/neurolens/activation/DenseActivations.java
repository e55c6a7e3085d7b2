package dev.neurolens.activation;

/**
 * An in-heap {@link ActivationMatrix} over a row-major float array (tests, small data).
 *
 * <p>Usage: {@code ActivationMatrix x = DenseActivations.of(new float[][] {{1f, 2f}, {3f, 4f}})}
 */
public final class DenseActivations implements ActivationMatrix {
  private final float[] data;
  private final int rows;
  private final int cols;

  /**
   * @param data row-major N x F values; copied
   */
  public DenseActivations(float[] data, int rows, int cols) {
    if (rows < 0 || cols <= 0 || (long) rows * cols != data.length) {
      throw new IllegalArgumentException(
          "data length " + data.length + " must equal rows (" + rows + ") x cols (" + cols + ")");
    }
    this.data = data.clone();
    this.rows = rows;
    this.cols = cols;
  }

  /** From a jagged-free 2-D array, rows x cols. */
  public static DenseActivations of(float[][] matrix) {
    int n = matrix.length;
    int f = n == 0 ? 1 : matrix[0].length;
    float[] flat = new float[n * f];
    for (int i = 0; i < n; i++) {
      if (matrix[i].length != f) {
        throw new IllegalArgumentException("row " + i + " has " + matrix[i].length + " columns, expected " + f);
      }
      System.arraycopy(matrix[i], 0, flat, i * f, f);
    }
    return new DenseActivations(flat, n, f);
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int cols() {
    return cols;
  }

  @Override
  public void read(int rowStart, int rowCount, float[] dst) {
    if (rowStart < 0 || rowCount < 0 || rowStart + rowCount > rows) {
      throw new IndexOutOfBoundsException(
          "rows [" + rowStart + ", " + (rowStart + rowCount) + ") outside [0, " + rows + ")");
    }
    System.arraycopy(data, rowStart * cols, dst, 0, rowCount * cols);
  }
}
