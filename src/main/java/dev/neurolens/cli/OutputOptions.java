package dev.neurolens.cli;

import dev.neurolens.util.Json;
import picocli.CommandLine.Option;

/**
 * Options every command shares: {@code --json} (one JSON object on stdout, human text on stderr)
 * and {@code --quiet} (no progress bars). Add with {@code @Mixin OutputOptions out;}.
 */
final class OutputOptions {
  @Option(names = "--json", description = "Print one machine-readable JSON object on stdout.")
  boolean json;

  @Option(names = "--quiet", description = "No progress bars.")
  boolean quiet;

  public boolean json() {
    return json;
  }

  public boolean quiet() {
    return quiet;
  }

  /** Prints {@code result} as JSON on stdout when {@code --json}, else {@code human} on stdout. */
  public void emit(Object result, String human) {
    if (json) {
      System.out.println(Json.line(result));
    } else {
      System.out.println(human);
    }
  }

  /** Human-readable progress/info text: stderr, so stdout stays clean JSON. */
  public void info(String text) {
    System.err.println(text);
  }
}
