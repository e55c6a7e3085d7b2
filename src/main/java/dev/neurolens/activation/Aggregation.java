package dev.neurolens.activation;

import dev.neurolens.util.NeuroLensException;
import java.util.Locale;

/**
 * How the vectors of a code token's subword pieces become one vector.
 *
 * <p>Usage: {@code ExtractOptions.builder().optAggregation(Aggregation.parse("last")).build()}
 */
public enum Aggregation {
  /** The first piece. */
  FIRST,
  /**
   * The last piece (NeuroX's default, and ours). For causal decoders (GPT-2, Llama) it is the only
   * choice that represents the whole token: with causal attention, a token's last piece is the
   * only one that has seen all of the token's pieces.
   */
  LAST,
  /** The mean of all pieces. */
  AVERAGE;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code first} / {@code last} / {@code average}. */
  public static Aggregation parse(String text) {
    for (Aggregation a : values()) {
      if (a.label().equals(text)) {
        return a;
      }
    }
    throw new NeuroLensException("aggregation must be first, last or average, found '" + text + "'");
  }
}
