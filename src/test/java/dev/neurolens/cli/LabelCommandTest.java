package dev.neurolens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelCommandTest {
  @TempDir Path dir;

  private int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
    PrintStream o = System.out;
    PrintStream e = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return Main.commandLine().execute(args);
    } finally {
      System.setOut(o);
      System.setErr(e);
    }
  }

  @Test
  void label_smallCorpus_writesAlignedFilesAndJsonSummary() throws Exception {
    StringBuilder sb = new StringBuilder("class C {\n");
    for (int i = 0; i < 10; i++) {
      sb.append("  String get").append(i).append("(int a) { return \"a b\" + a + ").append(i).append("; }\n");
    }
    Files.writeString(dir.resolve("C.java"), sb.append("}\n").toString());
    Path out = dir.resolve("out");
    ByteArrayOutputStream so = new ByteArrayOutputStream();
    int rc = run(so, new ByteArrayOutputStream(), "label", "--corpus", dir.resolve("C.java").toString(), "--task",
        "lexical,name-verb", "--control", "--out", out.toString(), "--json", "--quiet");
    assertEquals(0, rc);
    JsonNode summary = Json.MAPPER.readTree(so.toString(StandardCharsets.UTF_8));
    assertEquals(10, summary.get("snippets").asInt());
    assertEquals(10 * 15, summary.get("tokens").asLong());
    assertEquals(10, summary.at("/labelCounts/name-verb/get").asInt());
    List<String> in = Files.readAllLines(out.resolve("train.in"));
    List<String> lab = Files.readAllLines(out.resolve("train.lexical.label"));
    List<String> ctl = Files.readAllLines(out.resolve("train.lexical.control.label"));
    assertEquals(8, in.size());
    for (int i = 0; i < in.size(); i++) {
      assertEquals(in.get(i).split(" ").length, lab.get(i).split(" ").length);
      assertEquals(in.get(i).split(" ").length, ctl.get(i).split(" ").length);
    }
    assertTrue(in.get(0).contains("\"a\\sb\""), in.get(0));
    assertEquals(10, Files.readAllLines(out.resolve("labels.jsonl")).size());
  }

  @Test
  void label_badInput_oneLineAndExitTwo() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = run(new ByteArrayOutputStream(), err, "label", "--corpus", dir.toString(), "--lang", "cobol", "--task", "lexical",
        "--out", dir.resolve("o").toString());
    assertEquals(2, rc);
    String msg = err.toString(StandardCharsets.UTF_8).strip();
    assertEquals(1, msg.lines().count(), msg);
    assertTrue(msg.contains("unknown language 'cobol'"), msg);
    ByteArrayOutputStream err2 = new ByteArrayOutputStream();
    assertEquals(2, run(new ByteArrayOutputStream(), err2, "label", "--corpus", dir.toString(), "--task", "lexical",
        "--out", dir.resolve("o").toString()));
    assertTrue(err2.toString(StandardCharsets.UTF_8).contains("empty corpus"), err2.toString(StandardCharsets.UTF_8));
  }
}
