package dev.neurolens.activation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One snippet of a store: its corpus id, where it came from and its rows.
 *
 * <p>Usage: {@code StoredSnippet s = store.snippets().get(0); store.tokens(s.firstRow(), s.rows())}
 *
 * @param firstRow the store row of its first code token
 * @param rows its number of code tokens (rows)
 * @param labels one label per snippet-level task ({@code null} = none)
 */
public record StoredSnippet(String id, String source, int firstRow, int rows, List<String> labels) {
  public StoredSnippet {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    labels = Collections.unmodifiableList(new ArrayList<>(labels == null ? List.of() : labels));
  }
}
