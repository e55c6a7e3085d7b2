package dev.neurolens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the command line in-process with stdout and stderr captured (test helper). */
final class CliRun {
  private CliRun() {}

  /** Runs {@code args}; checks the exit status; returns [stdout, stderr], trimmed. */
  static String[] exec(int expectedStatus, String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int status;
    try {
      status = Main.commandLine().execute(args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    String[] r = {out.toString(StandardCharsets.UTF_8).trim(), err.toString(StandardCharsets.UTF_8).trim()};
    assertEquals(expectedStatus, status, r[0] + "\n" + r[1]);
    return r;
  }

  /** Runs {@code args}; checks the exit status; returns stdout parsed as JSON, or null when empty. */
  static JsonNode json(int expectedStatus, String... args) throws IOException {
    String out = exec(expectedStatus, args)[0];
    return out.isEmpty() ? null : Json.MAPPER.readTree(out);
  }
}
