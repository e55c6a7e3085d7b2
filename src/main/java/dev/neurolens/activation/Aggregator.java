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
    aggregate(how, java.nio.FloatBuffer.wrap(rows), 0, width, positions, dst, at);
  }

  /**
   * As above, for the T x W matrix starting at {@code rows.get(base)} (a view of a model output's
   * native memory: no copy to the heap). AVERAGE sums each column in double, pieces in order.
   */
  static void aggregate(
      Aggregation how, java.nio.FloatBuffer rows, int base, int width, int[] positions, float[] dst, int at) {
    if (positions.length == 0) {
      java.util.Arrays.fill(dst, at, at + width, 0f);
      return;
    }
    if (how != Aggregation.AVERAGE) {
      rows.get(base + piece(how, positions) * width, dst, at, width);
      return;
    }
    for (int c = 0; c < width; c++) {
      double sum = 0;
      for (int p : positions) {
        sum += rows.get(base + p * width + c);
      }
      dst[at + c] = (float) (sum / positions.length);
    }
  }

  /** The one position whose row FIRST or LAST takes (positions ascending, not empty). */
  static int piece(Aggregation how, int[] positions) {
    return switch (how) {
      case FIRST -> positions[0];
      case LAST -> positions[positions.length - 1];
      case AVERAGE -> throw new IllegalArgumentException("AVERAGE combines every piece");
    };
  }
}
