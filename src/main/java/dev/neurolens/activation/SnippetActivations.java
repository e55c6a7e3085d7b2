package dev.neurolens.activation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Everything a store keeps of one snippet: its code tokens and their activations per hook, and its
 * two sentence representations per hook. Input of {@link StoreWriter#append}.
 *
 * <p>Shapes, per hook h of the store (in the store's hook order), T = tokens.size(), W_h its width:
 * {@code tokenRows[h]} is T x W_h row-major, {@code first[h]} and {@code mean[h]} are W_h.
 *
 * <p>The float arrays are handed over, not copied (they are the bulk of extraction's memory
 * traffic): whoever builds a SnippetActivations must not change them afterwards.
 *
 * <p>Usage: {@code writer.append(new SnippetActivations(id, source, tokens, labels, tokenRows, first, mean))}
 *
 * @param id the corpus id of the snippet
 * @param source where the snippet came from (file path, jar entry)
 * @param labels one label per snippet-level task, in task order ({@code null} = none)
 * @param tokenRows per hook the T x W_h rows; an entry may be null when {@code halfRows} holds
 *     that hook's rows (only a float16 store can take such a snippet)
 * @param halfRows null, or per hook the same T x W_h rows already rounded to float16 (IEEE
 *     binary16 bit patterns, round to nearest even, as {@link Half#fromFloat}): a float16 store
 *     writes them as they are
 */
public record SnippetActivations(
    String id,
    String source,
    List<StoredToken> tokens,
    List<String> labels,
    float[][] tokenRows,
    float[][] first,
    float[][] mean,
    short[][] halfRows) {

  /** Without float16 rows. */
  public SnippetActivations(String id, String source, List<StoredToken> tokens, List<String> labels,
      float[][] tokenRows, float[][] first, float[][] mean) {
    this(id, source, tokens, labels, tokenRows, first, mean, null);
  }

  public SnippetActivations {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    tokens = List.copyOf(tokens);
    labels = Collections.unmodifiableList(new ArrayList<>(labels));
    tokenRows = tokenRows.clone();
    first = first.clone();
    mean = mean.clone();
    if (halfRows != null) {
      halfRows = halfRows.clone();
      if (halfRows.length != tokenRows.length) {
        throw new IllegalArgumentException("snippet " + id + ": " + halfRows.length + " float16 row sets for "
            + tokenRows.length + " hooks");
      }
      for (int h = 0; h < halfRows.length; h++) {
        if (tokenRows[h] != null && halfRows[h].length != tokenRows[h].length) {
          throw new IllegalArgumentException("snippet " + id + ", hook " + h + ": " + halfRows[h].length
              + " float16 values for " + tokenRows[h].length + " float values");
        }
      }
    }
    if (tokenRows.length != first.length || first.length != mean.length) {
      throw new IllegalArgumentException(
          "snippet " + id + ": tokenRows, first and mean must have one entry per hook, found "
              + tokenRows.length + ", " + first.length + ", " + mean.length);
    }
    for (int h = 0; h < tokenRows.length; h++) {
      int w = first[h].length;
      if (tokenRows[h] == null && halfRows == null) {
        throw new IllegalArgumentException("snippet " + id + ", hook " + h + ": no token rows");
      }
      int values = tokenRows[h] != null ? tokenRows[h].length : halfRows[h].length;
      if (mean[h].length != w || values != tokens.size() * w) {
        throw new IllegalArgumentException(
            "snippet " + id + ", hook " + h + ": expected " + tokens.size() + " x " + w
                + " token values and " + w + " mean values, found " + values + " and "
                + mean[h].length);
      }
    }
  }

  /** T, the number of code tokens (= rows). */
  public int size() {
    return tokens.size();
  }

  /**
   * The T x W_h rows of hook position {@code h} (not a copy: do not modify); null when only the
   * float16 rows were kept.
   */
  float[] rowsOf(int h) {
    return tokenRows[h];
  }

  float[] firstOf(int h) {
    return first[h];
  }

  float[] meanOf(int h) {
    return mean[h];
  }
}
