package dev.neurolens.activation;

/**
 * The sentence-level (per snippet) representations; a store keeps two per hook: one position
 * vector ({@link #FIRST} for encoders, {@link #LAST} for causal decoders, whose last position is
 * the only one that has seen the whole snippet) and {@link #MEAN}.
 *
 * <p>Usage: {@code ActivationMatrix s = store.sentenceView(SentenceRep.MEAN, store.hooks(), null)}
 */
public enum SentenceRep {
  /** The vector of the first position of the model input ([CLS] / {@code <s>}). */
  FIRST("first"),
  /** The mean of the snippet's code-token vectors (zero for a snippet without code tokens). */
  MEAN("mean"),
  /**
   * The vector of the last position of the model input (of the snippet's last window), for
   * causal decoders: the only position whose attention covered the whole snippet.
   */
  LAST("last");

  private final String label;

  SentenceRep(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** The position representation a store keeps for a model: LAST for causal decoders, else FIRST. */
  public static SentenceRep positionFor(boolean causal) {
    return causal ? LAST : FIRST;
  }

  /** Parses {@code first} / {@code last} / {@code mean}. */
  static SentenceRep parse(String text) {
    for (SentenceRep r : values()) {
      if (r.label.equals(text)) {
        return r;
      }
    }
    throw new dev.neurolens.util.NeuroLensException("sentencePosition must be first or last, found '" + text + "'");
  }
}
