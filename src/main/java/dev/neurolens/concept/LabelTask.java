package dev.neurolens.concept;

import java.util.Objects;

/**
 * A parsed task name.
 *
 * @param name the name as given ({@code "lexical:NUMBER"})
 * @param base the label set ({@code "lexical"})
 * @param positive for a binary task, the positive label (the rest become {@link Tasks#REST}); else null
 * @param target class labels or a numeric target ({@code nesting-depth}, {@code ast-depth})
 * @param scope one label per token or one per snippet
 *
 * <p>Usage: {@code LabelTask t = Tasks.parse("lexical:NUMBER"); t.isBinary()}
 */
public record LabelTask(String name, String base, String positive, Target target, Scope scope) {
  /** What a label is. */
  public enum Target {
    /** A class name. */
    CLASS,
    /** A number (regression). */
    NUMBER
  }

  /** What carries a label. */
  public enum Scope {
    /** Every code token. */
    TOKEN,
    /** The whole snippet. */
    SNIPPET
  }

  public LabelTask {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(scope, "scope");
  }

  /** Whether the target is numeric. */
  public boolean isRegression() {
    return target == Target.NUMBER;
  }

  /** Whether every token has a label (else the snippet has one). */
  public boolean isTokenLevel() {
    return scope == Scope.TOKEN;
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
