package dev.neurolens.activation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One snippet to extract: its code, its code tokens (spans into the code, with their labels, in
 * the store's token-task order) and its snippet-level labels (snippet-task order).
 *
 * <p>Usage: {@code new ExtractionInput("s1", "A.java", "int x;", List.of(StoredToken.of("int", 0, 3, 0)), List.of())}
 */
public record ExtractionInput(
    String id, String source, String code, List<StoredToken> tokens, List<String> labels) {
  public ExtractionInput {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(code, "code");
    tokens = List.copyOf(tokens);
    labels = Collections.unmodifiableList(new ArrayList<>(labels));
    int last = 0;
    for (StoredToken t : tokens) {
      if (t.end() > code.length() || t.start() < last) {
        throw new IllegalArgumentException(
            "snippet " + id + ": token '" + t.text() + "' span [" + t.start() + ", " + t.end()
                + ") must lie in the code (" + code.length() + " chars) after the previous token");
      }
      last = t.start();
    }
  }
}
