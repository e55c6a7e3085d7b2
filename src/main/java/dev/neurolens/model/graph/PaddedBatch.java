package dev.neurolens.model.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.model.ModelConfig;
import dev.neurolens.model.TokenBatch;
import dev.neurolens.util.NeuroLensException;
import java.util.Arrays;

/**
 * A token batch padded on the right to its longest row, with the attention masks every family
 * uses: an additive key mask (0 for real positions, {@code -Float.MAX_VALUE} for padding, as in
 * Hugging Face's extended attention mask) and, for decoders, the causal mask combined with it.
 * For a packed batch ({@link TokenBatch#packed}) the key mask is per query: a position sees only
 * the positions of its own input (the padding after a row's last input forms one more block, so
 * no softmax row is all masked), and {@link #positions} restart at each input.
 *
 * <p>Shapes: B batch, T the longest row.
 *
 * @param ids (B, T) row-major ids, padded with the config's pad id
 * @param lengths real length of each row
 * @param padded whether any row is shorter than T
 * @param b B
 * @param t T
 * @param starts null for a plain batch; else (B, T): where the input holding each slot starts
 *     in its row (padding slots: the row's length)
 */
public record PaddedBatch(long[] ids, int[] lengths, boolean padded, int b, int t, int[] starts) {

  /**
   * Pads {@code batch} for {@code config}; ids outside the embedding table and rows longer than
   * the model's positions are one-line errors.
   */
  public static PaddedBatch of(ModelConfig config, TokenBatch batch) {
    int b = batch.size();
    int t = batch.maxLength();
    if (t > config.maxTokens()) {
      throw new NeuroLensException("sequence length " + t + " exceeds the model's max positions ("
          + config.maxTokens() + ", max_position_embeddings " + config.maxPositions()
          + "); split long inputs into windows");
    }
    long[] ids = new long[b * t];
    int[] lengths = new int[b];
    Arrays.fill(ids, config.padTokenId());
    boolean padded = false;
    for (int r = 0; r < b; r++) {
      int[] row = batch.ids().get(r);
      padded |= row.length < t;
      lengths[r] = row.length;
      for (int j = 0; j < row.length; j++) {
        if (row[j] < 0 || row[j] >= config.vocabSize()) {
          throw new NeuroLensException("token id " + row[j] + " (batch row " + r
              + ") is outside the embedding table [0, " + config.vocabSize() + ")");
        }
        ids[r * t + j] = row[j];
      }
    }
    int[] starts = null;
    if (batch.packed()) {
      starts = new int[b * t];
      for (int r = 0; r < b; r++) {
        int at = 0;
        for (int len : batch.segments(r)) {
          Arrays.fill(starts, r * t + at, r * t + at + len, at);
          at += len;
        }
        Arrays.fill(starts, r * t + at, (r + 1) * t, at);
      }
    }
    return new PaddedBatch(ids, lengths, padded, b, t, starts);
  }

  /** Whether some row holds more than one input. */
  public boolean packed() {
    return starts != null;
  }

  /**
   * (B, T) position of each slot within its input: j for a plain batch (padding included), j
   * minus the start of its input for a packed one.
   */
  public long[] positions() {
    long[] pos = new long[b * t];
    for (int r = 0; r < b; r++) {
      for (int j = 0; j < t; j++) {
        pos[r * t + j] = starts == null ? j : j - starts[r * t + j];
      }
    }
    return pos;
  }

  /** The ids as a (B, T) int64 array. */
  public NDArray idArray(NDManager manager) {
    return manager.create(ids, new Shape(b, t));
  }

  /** Whether position {@code j} of row {@code r} is a real token. */
  public boolean real(int r, int j) {
    return j < lengths[r];
  }

  /**
   * (B, 1, 1, T) additive key mask, or null when no row is padded (saves a pass over the scores);
   * for a packed batch (B, 1, T, T): query i sees key j when both lie in the same input.
   */
  public NDArray keyMask(NDManager manager) {
    if (starts != null) {
      float[] mask = new float[b * t * t];
      for (int r = 0; r < b; r++) {
        for (int i = 0; i < t; i++) {
          int base = (r * t + i) * t;
          for (int j = 0; j < t; j++) {
            if (starts[r * t + j] != starts[r * t + i]) {
              mask[base + j] = -Float.MAX_VALUE;
            }
          }
        }
      }
      return manager.create(mask, new Shape(b, 1, t, t));
    }
    if (!padded) {
      return null;
    }
    float[] mask = new float[b * t];
    for (int r = 0; r < b; r++) {
      for (int j = lengths[r]; j < t; j++) {
        mask[r * t + j] = -Float.MAX_VALUE;
      }
    }
    return manager.create(mask, new Shape(b, 1, 1, t));
  }

  /**
   * The additive mask of a decoder: query i may see key j when j <= i and j is a real token;
   * (B, 1, T, T), or (1, 1, T, T) when no row is padded. Every query row keeps key 0 (rows are
   * never empty), so no softmax row is all masked. Packed batches are refused: positions of
   * decoders do not restart.
   */
  public NDArray causalMask(NDManager manager) {
    if (starts != null) {
      throw new IllegalArgumentException("causal masks of packed batches are not supported");
    }
    int rows = padded ? b : 1;
    float[] mask = new float[rows * t * t];
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < t; i++) {
        int base = (r * t + i) * t;
        for (int j = 0; j < t; j++) {
          if (j > i || j >= lengths[r]) {
            mask[base + j] = -Float.MAX_VALUE;
          }
        }
      }
    }
    return manager.create(mask, new Shape(rows, 1, t, t));
  }
}
