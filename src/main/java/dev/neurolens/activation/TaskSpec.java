package dev.neurolens.activation;

import java.util.Objects;

/**
 * A label task stored beside the activations.
 *
 * <p>Usage: {@code new TaskSpec("length", TaskSpec.Kind.NUMERIC, TaskSpec.Level.SNIPPET)}
 *
 * @param name the task name (e.g. {@code lexical}, {@code lexical:NUMBER})
 * @param kind categorical labels (int ids into a sorted name table) or numeric targets
 * @param level one label per code token (row) or one per snippet
 */
public record TaskSpec(String name, Kind kind, Level level) {

  /** What a label is. */
  public enum Kind {
    CATEGORICAL,
    NUMERIC
  }

  /** What a label belongs to. */
  public enum Level {
    TOKEN,
    SNIPPET
  }

  public TaskSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(level, "level");
    if (name.isBlank() || name.contains("\n")) {
      throw new IllegalArgumentException("task name must be a non-blank single line, found '" + name + "'");
    }
  }

  /** A categorical token-level task. */
  public static TaskSpec tokenTask(String name) {
    return new TaskSpec(name, Kind.CATEGORICAL, Level.TOKEN);
  }
}
