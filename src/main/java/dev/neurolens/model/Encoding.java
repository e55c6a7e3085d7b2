package dev.neurolens.model;

import java.util.Arrays;

/**
 * One tokenized text: token ids and, per token, its UTF-16 character span in the text.
 *
 * <p>Special tokens ({@code [CLS]}, {@code [SEP]}, {@code <s>}...) have {@code special[i] = true}
 * and an empty span. Arrays are copied in and out.
 *
 * <p>Usage: {@code Encoding e = model.tokenizer().encode("int x = 1;"); int n = e.length()}
 *
 * @param ids token ids, length T
 * @param charStart first char index (inclusive) of each token in the text
 * @param charEnd last char index (exclusive) of each token in the text
 * @param special whether each token is a special token
 */
public record Encoding(int[] ids, int[] charStart, int[] charEnd, boolean[] special) {

  public Encoding {
    ids = ids.clone();
    charStart = charStart.clone();
    charEnd = charEnd.clone();
    special = special.clone();
    int t = ids.length;
    if (charStart.length != t || charEnd.length != t || special.length != t) {
      throw new IllegalArgumentException(
          "encoding arrays must have equal length " + t + ", found " + charStart.length + "/"
              + charEnd.length + "/" + special.length);
    }
  }

  public int length() {
    return ids.length;
  }

  @Override
  public int[] ids() {
    return ids.clone();
  }

  @Override
  public int[] charStart() {
    return charStart.clone();
  }

  @Override
  public int[] charEnd() {
    return charEnd.clone();
  }

  @Override
  public boolean[] special() {
    return special.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Encoding e
        && Arrays.equals(ids, e.ids)
        && Arrays.equals(charStart, e.charStart)
        && Arrays.equals(charEnd, e.charEnd)
        && Arrays.equals(special, e.special);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(ids) * 31 + Arrays.hashCode(charStart);
  }

  @Override
  public String toString() {
    return "Encoding" + Arrays.toString(ids);
  }
}
