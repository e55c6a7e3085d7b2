package dev.neurolens.activation;

/** Combines the vectors of a code token's pieces into one vector ({@link Aggregation}). */
final class Aggregator {
  private Aggregator() {}

  /**
   * Writes the aggregate of rows {@code positions} of {@code rows} (T x W row-major, positions
   * ascending) to {@code dst[at .. at + W)}; no positions gives zeros.
   */
  static void aggregate(
      Aggregation how, float[] rows, int width, int[] positions, float[] dst, int at) {
    aggregate(how, rows, 0, width, positions, dst, at);
  }

  /** As above, for the T x W matrix starting at {@code rows[base]}. */
  static void aggregate(
      Aggregation how, float[] rows, int base, int width, int[] positions, float[] dst, int at) {
    aggregate(how, java.nio.FloatBuffer.wrap(rows), base, width, positions, dst, at);
  }

  /**
   * As above, reading a buffer (a view of a model output's native memory: no copy to the heap).
   * AVERAGE sums in double, pieces in order.
   */
  static void aggregate(
      Aggregation how, java.nio.FloatBuffer rows, int base, int width, int[] positions, float[] dst, int at) {
    if (positions.length == 0) {
      java.util.Arrays.fill(dst, at, at + width, 0f);
      return;
    }
    switch (how) {
      case FIRST -> rows.get(base + positions[0] * width, dst, at, width);
      case LAST -> rows.get(base + positions[positions.length - 1] * width, dst, at, width);
      case AVERAGE -> {
        double[] sum = new double[width];
        float[] row = new float[width];
        for (int p : positions) {
          rows.get(base + p * width, row, 0, width);
          for (int c = 0; c < width; c++) {
            sum[c] += row[c];
          }
        }
        for (int c = 0; c < width; c++) {
          dst[at + c] = (float) (sum[c] / positions.length);
        }
      }
    }
  }
}
