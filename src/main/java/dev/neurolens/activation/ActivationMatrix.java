package dev.neurolens.activation;

import java.util.Optional;

/**
 * A read-only N x F matrix of activations (rows = tokens or snippets, columns = neurons laid out
 * layer-major: feature id = layerPosition * D + index), read in chunks of rows so that callers
 * never need the whole matrix in the Java heap.
 *
 * <p>Implementations: the memory-mapped {@code ActivationStore} views and {@link DenseActivations}
 * (in-heap, for tests and small data). Reads must be safe from several threads at once (the
 * probe trainers read disjoint rows of one matrix on several cores).
 *
 * <p>Usage: {@code ActivationMatrix x = store.view(store.hooks()); float[] buf = new float[64 * x.cols()];
 * x.read(0, 64, buf)}
 */
public interface ActivationMatrix {

  /** N, the number of rows. */
  int rows();

  /** F, the number of columns (features). */
  int cols();

  /**
   * Copies rows {@code [rowStart, rowStart + rowCount)} into {@code dst} in row-major order.
   *
   * @param dst at least {@code rowCount * cols()} floats
   */
  void read(int rowStart, int rowCount, float[] dst);

  /** Copies arbitrary rows (in the given order) into {@code dst}, row-major. */
  default void readRows(int[] rowIds, float[] dst) {
    int f = cols();
    float[] one = new float[f];
    for (int i = 0; i < rowIds.length; i++) {
      read(rowIds[i], 1, one);
      System.arraycopy(one, 0, dst, i * f, f);
    }
  }

  /**
   * A matrix of the given columns of this one (in the given order) that decodes only those
   * columns, or empty when this matrix cannot read a column subset more cheaply than whole rows
   * (the caller then picks the columns out itself).
   *
   * @param columns positions in this matrix, checked by the caller (in range, no duplicates)
   */
  default Optional<ActivationMatrix> narrowed(int[] columns) {
    return Optional.empty();
  }

  /**
   * Whether every value is a float16 number that {@link #readRowsHalf} gives exactly (a view of a
   * float16 store): a reader may then hold rows in half the memory with the same values.
   */
  default boolean storesHalf() {
    return false;
  }

  /**
   * Copies arbitrary rows (in the given order) into {@code dst} as IEEE 754 float16 bits,
   * row-major; only when {@link #storesHalf()}.
   */
  default void readRowsHalf(int[] rowIds, short[] dst) {
    throw new UnsupportedOperationException("this matrix does not hold float16 values");
  }
}
