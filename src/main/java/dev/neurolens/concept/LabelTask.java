package dev.neurolens.concept;

import java.util.Objects;

/**
 * A parsed task name.
 *
 * <p>Usage: {@code LabelTask t = Tasks.parse("lexical:NUMBER"); t.isBinary()}
 *
 * @param name the name as given ({@code "lexical:NUMBER"})
 * @param base the label set ({@code "lexical"})
 * @param positive for a binary task, the positive label (the rest become {@link Tasks#REST}); else null
 */
public record LabelTask(String name, String base, String positive) {
  public LabelTask {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(base, "base");
  }

  /** Whether the target is numeric ({@link Tasks#NUMERIC_TASKS}: nesting-depth, ast-depth). */
  public boolean isRegression() {
    return Tasks.NUMERIC_TASKS.contains(base);
  }

  /** Whether every token has a label (a {@link Tasks#TOKEN_TASKS} base); else the snippet has one. */
  public boolean isTokenLevel() {
    return Tasks.TOKEN_TASKS.contains(base);
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
