package dev.neurolens.activation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The metadata of one row of a store: a code token of a snippet.
 *
 * <p>Usage: {@code StoredToken t = StoredToken.of("return", 10, 16, 0)}
 *
 * @param text the token text as it appears in the snippet
 * @param start start of the token in the snippet text (UTF-16 offset, inclusive)
 * @param end end of the token (UTF-16 offset, exclusive)
 * @param flags {@link #ZERO_PIECES}, {@link #SPECIAL}
 * @param labels one label per token-level task of the store, in task order ({@code null} = no
 *     label); numeric tasks hold the number as text
 */
public record StoredToken(String text, int start, int end, int flags, List<String> labels) {
  /** The tokenizer produced no piece for this token: its vector is all zeros. */
  public static final int ZERO_PIECES = 1;
  /** A special token of the model ([CLS], [SEP], ...), kept on request. */
  public static final int SPECIAL = 2;

  public StoredToken {
    Objects.requireNonNull(text, "text");
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("token span [" + start + ", " + end + ") is not a valid span");
    }
    if ((flags & ~(ZERO_PIECES | SPECIAL)) != 0) {
      throw new IllegalArgumentException("unknown token flags " + flags);
    }
    labels = Collections.unmodifiableList(new ArrayList<>(labels)); // allows null entries
  }

  /** A token without labels. */
  public static StoredToken of(String text, int start, int end, int flags) {
    return new StoredToken(text, start, end, flags, List.of());
  }

  public boolean zeroPieces() {
    return (flags & ZERO_PIECES) != 0;
  }
}
