package dev.neurolens.rank;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.util.NeuroLensException;

/** Chunked, checked reads of selected rows for the data-based rankers. */
final class Columns {
  private Columns() {}

  /** Consumer of one chunk: {@code n} rows (ids {@code ids}) in {@code data}, row-major n x F. */
  interface Chunk {
    void accept(int[] ids, float[] data, int n);
  }

  /** Streams {@code rows} of {@code x} in chunks of about 16 MB, failing on NaN/Inf. */
  static void forEachChunk(ActivationMatrix x, int[] rows, Chunk consumer) {
    if (rows.length == 0) {
      throw new NeuroLensException("ranking: the row selection is empty; it needs at least one row");
    }
    int f = x.cols();
    int chunk = Math.max(1, (4 << 20) / f);
    float[] buf = new float[Math.min(chunk, rows.length) * f];
    for (int s = 0; s < rows.length; s += chunk) {
      int n = Math.min(chunk, rows.length - s);
      int[] ids = java.util.Arrays.copyOfRange(rows, s, s + n);
      float[] data = n * f == buf.length ? buf : new float[n * f];
      x.readRows(ids, data);
      for (int i = 0; i < n * f; i++) {
        if (!Float.isFinite(data[i])) {
          throw new NeuroLensException(
              "activations: row " + ids[i / f] + ", feature " + (i % f) + " is " + data[i]
                  + "; activations must be finite");
        }
      }
      consumer.accept(ids, data, n);
    }
  }

  /** Indices 0..n-1 sorted by {@code score} descending (ties: lower index first). */
  static int[] descending(double[] score) {
    return java.util.stream.IntStream.range(0, score.length).boxed()
        .sorted((a, b) -> score[a] != score[b] ? Double.compare(score[b], score[a]) : Integer.compare(a, b))
        .mapToInt(Integer::intValue).toArray();
  }
}
