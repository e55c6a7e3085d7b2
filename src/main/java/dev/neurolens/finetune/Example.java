package dev.neurolens.finetune;

import java.util.Objects;

/**
 * One downstream example. Code search: {@code a} = the natural-language query, {@code b} = the
 * code, no label. Classification: {@code a} = the code, {@code b} null, a label. Pair
 * classification: {@code a}, {@code b} = the two snippets, a label.
 *
 * <p>Usage: {@code Example e = new Example("data.jsonl#3", "int f() { return 1; }", null, "returns-value")}
 *
 * @param id where it came from (snippet id, or {@code file#line})
 */
public record Example(String id, String a, String b, String label) {
  public Example {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(a, "a");
  }
}
