package dev.neurolens.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A batch of token-id rows of possibly different lengths; the model pads them with its pad id
 * and builds the attention mask.
 *
 * <p>A row may also be <em>packed</em>: several inputs laid end to end ({@link #packed}). The
 * model then restarts positions at each input and lets a position attend only to positions of
 * its own input, so each input's activations are those it would get in a row of its own (up to
 * float rounding), while short inputs fill the batch instead of padding. Only models whose
 * {@link EncoderModel#supportsPacking()} is true accept packed batches.
 *
 * <p>Usage: {@code TokenBatch batch = TokenBatch.of(List.of(tokenizer.encode("int x;"), tokenizer.encode("f();")))}
 *
 * @param ids B rows of token ids (each copied), each non-empty
 * @param segments null for a plain batch; else per row the lengths of the inputs packed into it
 *     (each >= 1, summing to the row's length)
 */
public record TokenBatch(List<int[]> ids, List<int[]> segments) {

  public TokenBatch {
    if (ids.isEmpty()) {
      throw new IllegalArgumentException("token batch must have at least one row, found 0");
    }
    List<int[]> copy = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      int[] row = ids.get(i);
      if (row.length == 0) {
        throw new IllegalArgumentException("token batch row " + i + " must not be empty");
      }
      copy.add(row.clone());
    }
    ids = List.copyOf(copy);
    if (segments != null) {
      if (segments.size() != ids.size()) {
        throw new IllegalArgumentException(
            "packed batch: " + segments.size() + " segment lists for " + ids.size() + " rows");
      }
      List<int[]> segCopy = new ArrayList<>(segments.size());
      for (int i = 0; i < segments.size(); i++) {
        int sum = 0;
        for (int len : segments.get(i)) {
          if (len < 1) {
            throw new IllegalArgumentException("packed batch row " + i + ": segment length " + len + " < 1");
          }
          sum += len;
        }
        if (sum != ids.get(i).length) {
          throw new IllegalArgumentException("packed batch row " + i + ": segments sum to " + sum
              + " but the row has " + ids.get(i).length + " ids");
        }
        segCopy.add(segments.get(i).clone());
      }
      segments = List.copyOf(segCopy);
    }
  }

  /** A plain batch: one input per row. */
  public TokenBatch(List<int[]> ids) {
    this(ids, null);
  }

  /** A batch of the ids of the given encodings. */
  public static TokenBatch of(List<Encoding> encodings) {
    return new TokenBatch(encodings.stream().map(Encoding::ids).toList());
  }

  /** A packed batch: row r holds the inputs {@code rows.get(r)} end to end. */
  public static TokenBatch packed(List<List<int[]>> rows) {
    List<int[]> ids = new ArrayList<>(rows.size());
    List<int[]> segments = new ArrayList<>(rows.size());
    for (List<int[]> row : rows) {
      int n = 0;
      int[] seg = new int[row.size()];
      for (int i = 0; i < row.size(); i++) {
        seg[i] = row.get(i).length;
        n += seg[i];
      }
      int[] flat = new int[n];
      int at = 0;
      for (int[] input : row) {
        System.arraycopy(input, 0, flat, at, input.length);
        at += input.length;
      }
      ids.add(flat);
      segments.add(seg);
    }
    return new TokenBatch(ids, segments);
  }

  /** Whether any row holds more than one input. */
  public boolean packed() {
    if (segments == null) {
      return false;
    }
    for (int[] s : segments) {
      if (s.length > 1) {
        return true;
      }
    }
    return false;
  }

  /** The lengths of the inputs in row {@code i} (one, the row's length, for a plain batch). */
  public int[] segments(int i) {
    return segments == null ? new int[] {ids.get(i).length} : segments.get(i).clone();
  }

  /** Row {@code i} (a copy). */
  public int[] row(int i) {
    return ids.get(i).clone();
  }

  /** B. */
  public int size() {
    return ids.size();
  }

  /** T: the longest row. */
  public int maxLength() {
    int t = 0;
    for (int[] row : ids) {
      t = Math.max(t, row.length);
    }
    return t;
  }

  /** Number of real (unpadded) tokens. */
  public long tokenCount() {
    long n = 0;
    for (int[] row : ids) {
      n += row.length;
    }
    return n;
  }
}
