package dev.neurolens.concept;

import java.util.Objects;

/**
 * A parsed task name.
 *
 * @param name the name as given ({@code "lexical:NUMBER"})
 * @param base the label set ({@code "lexical"})
 * @param positive for a binary task, the positive label (the rest become {@link Tasks#REST}); else null
 * @param isRegression numeric target ({@code nesting-depth}, {@code ast-depth})
 * @param isTokenLevel one label per token (else one per snippet)
 */
public record TaskSpec(String name, String base, String positive, boolean isRegression, boolean isTokenLevel) {
  public TaskSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(base, "base");
  }

  /** Whether this is a binary "positive vs rest" task. */
  public boolean isBinary() {
    return positive != null;
  }

  /** A file-name-safe form of the name ({@code ':'} becomes {@code '_'}). */
  public String fileName() {
    return name.replace(':', '_').replace('/', '_');
  }
}
