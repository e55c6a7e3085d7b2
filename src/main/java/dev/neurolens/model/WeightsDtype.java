package dev.neurolens.model;

import dev.neurolens.util.NeuroLensException;
import java.util.Locale;

/**
 * The precision a model's weights are held in: {@link #STORED} keeps 16-bit checkpoints in 16 bits
 * (each block's weights are converted to float32 only while the block runs), {@link #FLOAT32}
 * converts every weight to float32 at load. Float32 checkpoints are the same either way; the
 * computation is float32 in both. The default comes from the environment variable
 * {@value #ENV} ({@code stored} when unset).
 *
 * <p>Usage: {@code Models.load(dir, WeightsDtype.parse("float32", "--weights-dtype"))}
 */
public enum WeightsDtype {
  /** Matrices kept in the checkpoint's 16-bit dtype (vectors in float32). */
  STORED,
  /** Every weight converted to float32 at load. */
  FLOAT32;

  /** The environment variable naming the default. */
  public static final String ENV = "NEUROLENS_WEIGHTS_DTYPE";

  /** {@code stored} or {@code float32} (any case); {@code where} names the option in the error. */
  public static WeightsDtype parse(String value, String where) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "stored" -> STORED;
      case "float32" -> FLOAT32;
      default -> throw new NeuroLensException(where + ": must be 'stored' or 'float32', found '" + value + "'");
    };
  }

  /** The value of {@value #ENV}, or {@link #STORED} when it is unset or empty. */
  public static WeightsDtype fromEnvironment() {
    String v = System.getenv(ENV);
    return v == null || v.isBlank() ? STORED : parse(v, ENV);
  }

  /** {@code stored} or {@code float32}. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
