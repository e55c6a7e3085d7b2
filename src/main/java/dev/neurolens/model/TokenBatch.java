package dev.neurolens.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A batch of token-id rows of possibly different lengths; the model pads them with its pad id
 * and builds the attention mask.
 *
 * <p>Usage: {@code TokenBatch batch = TokenBatch.of(List.of(tokenizer.encode("int x;"), tokenizer.encode("f();")))}
 *
 * @param ids B rows of token ids (each copied), each non-empty
 */
public record TokenBatch(List<int[]> ids) {

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
  }

  /** A batch of the ids of the given encodings. */
  public static TokenBatch of(List<Encoding> encodings) {
    return new TokenBatch(encodings.stream().map(Encoding::ids).toList());
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
