package dev.neurolens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Models;
import dev.neurolens.model.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input on the command line: every case must give exactly one line {@code neurolens: error: ...}
 * on stderr naming the option or file and the value found, exit status 2, no stack trace, and no
 * output left behind.
 */
class BadInputTest {
  @TempDir static Path tmp;
  static Path model;
  static Path corpus;
  static Path store;

  @BeforeAll
  static void buildStore() throws Exception {
    model = tmp.resolve("tiny-model");
    try (EncoderModel m = TinyModels.random(5)) {
      Models.export(m, model);
    }
    corpus = tmp.resolve("src");
    Files.createDirectories(corpus);
    for (int i = 0; i < 3; i++) {
      Files.writeString(corpus.resolve("A" + i + ".java"), """
          class A%d {
            int twice(int x) { return 2 * x + %d; }
            void loop(int n) { for (int i = 0; i < n; i++) { System.out.println(i); } }
          }
          """.formatted(i, i));
    }
    store = tmp.resolve("store");
    CliRun.exec(0, "extract", "--model", model.toString(), "--corpus", corpus.toString(), "--task", "lexical",
        "--out", store.toString(), "--quiet");
  }

  /** Runs {@code args}, expects status 2 and one error line holding every one of {@code expected}. */
  static String error(String[] expected, String... args) {
    String[] r = CliRun.exec(2, args);
    assertEquals("", r[0], "stdout");
    String err = r[1];
    assertFalse(err.contains("\n"), "more than one line on stderr:\n" + err);
    assertTrue(err.startsWith("neurolens: error: "), err);
    for (String e : expected) {
      assertTrue(err.contains(e), "'" + e + "' not in: " + err);
    }
    return err;
  }

  static String[] says(String... parts) {
    return parts;
  }

  @Test
  void badOptionValue_oneLineNamingOptionAndValue_noUsageDump() {
    error(says("--seed", "'abc'", "neurolens probe --help"),
        "probe", "--store", store.toString(), "--task", "lexical", "--out", tmp.resolve("p").toString(), "--seed", "abc");
    error(says("--representative", "'foo'"), "cluster", "--store", store.toString(), "--representative", "foo");
    error(says("--task"), "probe", "--store", store.toString(), "--out", tmp.resolve("p").toString());
    error(says("'--bogus'"), "store", "info", "--bogus", store.toString());
    error(says("'nosuchcommand'"), "nosuchcommand");
    assertFalse(Files.exists(tmp.resolve("p")));
  }

  @Test
  void errorAfterAShortProgressBar_startsItsOwnLine() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty-corpus"));
    String err = CliRun.exec(2, "label", "--corpus", empty.toString(), "--task", "lexical",
        "--out", tmp.resolve("labels-of-nothing").toString())[1];
    String last = err.lines().reduce((a, b) -> b).orElse("");
    assertTrue(last.startsWith("neurolens: error: --corpus " + empty + ": empty corpus"), err);
    assertFalse(Files.exists(tmp.resolve("labels-of-nothing")));
  }
}
