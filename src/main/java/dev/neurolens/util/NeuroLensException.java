package dev.neurolens.util;

/**
 * A failure caused by the user's input (a file, a setting, data) rather than by a bug.
 *
 * <p>The message is one line that names the file or setting, the rule, and the value found,
 * e.g. {@code "config.json: num_attention_heads (5) must divide hidden_size (384)"}. The CLI prints
 * it without a stack trace (unless {@code --verbose}) and exits with status 2.
 *
 * <p>Usage: {@code throw new NeuroLensException("--epochs: must be >= 1, found " + epochs)}
 */
public class NeuroLensException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NeuroLensException(String message) {
    super(message);
  }

  public NeuroLensException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The first line of {@code cause}'s message (its class name when it has none), for the
   * parenthesised reason of a one-line message: Jackson, for one, puts the location on a second line.
   */
  public static String reason(Throwable cause) {
    String m = cause.getMessage();
    return m == null || m.isBlank() ? cause.getClass().getSimpleName() : m.lines().findFirst().orElse("").strip();
  }
}
