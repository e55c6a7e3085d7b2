package dev.neurolens.activation;

/**
 * The two sentence-level (per snippet) representations kept in a store, per hook.
 *
 * <p>Usage: {@code ActivationMatrix s = store.sentenceView(SentenceRep.MEAN, store.hooks(), null)}
 */
public enum SentenceRep {
  /** The vector of the first position of the model input ([CLS] / {@code <s>}). */
  FIRST("first"),
  /** The mean of the snippet's code-token vectors (zero for a snippet without code tokens). */
  MEAN("mean");

  private final String label;

  SentenceRep(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
