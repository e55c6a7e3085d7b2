package dev.neurolens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {
  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = Main.commandLine().execute(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /** The results of a real (tiny-model) analyze, as written before schema versions, with schema_version 1 added. */
  static String resultsV1() throws Exception {
    try (InputStream in = ReportCommandTest.class.getResourceAsStream("/golden/analyze-tiny-results.json")) {
      String old = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return old.replaceFirst("\\{", "{\n  \"schema_version\" : 1,");
    }
  }

  @Test
  void report_resultsWithJson_writesReportAndPrintsPathAndBytes(@TempDir Path dir) throws Exception {
    Path results = dir.resolve("results.json");
    Files.writeString(results, resultsV1());
    Path html = dir.resolve("out/report.html");
    Run r = run("report", "--results", results.toString(), "--out", html.toString(), "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode json = Json.MAPPER.readTree(r.out());
    assertEquals(html.toString(), json.get("report").asText());
    assertEquals(Files.size(html), json.get("bytes").asLong());
    assertTrue(Files.readString(html).startsWith("<!DOCTYPE html>"));
  }

  @Test
  void report_withoutOrWithOtherSchemaVersion_oneLineErrorNoReport(@TempDir Path dir) throws Exception {
    Path results = dir.resolve("results.json");
    Path html = dir.resolve("report.html");
    try (InputStream in = getClass().getResourceAsStream("/golden/analyze-tiny-results.json")) {
      Files.copy(in, results);
    }
    Run r = run("report", "--results", results.toString(), "--out", html.toString());
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains(results + ": schema_version must be 1, found none"), r.err());
    Files.writeString(results, resultsV1().replace("\"schema_version\" : 1", "\"schema_version\" : 7"));
    r = run("report", "--results", results.toString(), "--out", html.toString());
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("schema_version must be 1, found 7"), r.err());
    Files.writeString(results, resultsV1().replace("\"seed\" : 42", "\"seed\" : \"many\""));
    r = run("report", "--results", results.toString(), "--out", html.toString());
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains(results + ": not a results.json of schema 1 at seed"), r.err());
    Files.writeString(results, resultsV1().replace("\"tasks\" :", "\"tasks_renamed\" :"));
    r = run("report", "--results", results.toString(), "--out", html.toString());
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("missing tasks"), r.err());
    Files.writeString(results, resultsV1().replace("\"schema_version\" : 1", "\"schema_version\" : 1.5"));
    r = run("report", "--results", results.toString(), "--out", html.toString());
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("schema_version must be 1, found 1.5"), r.err());
    assertFalse(Files.exists(html));
  }

  @Test
  void report_missingResults_exit2OneLineNamingFileNoReport(@TempDir Path dir) {
    Path results = dir.resolve("missing/results.json");
    Path html = dir.resolve("report.html");
    Run r = run("report", "--results", results.toString(), "--out", html.toString());
    assertEquals(2, r.exit());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains(results.toString()), r.err());
    assertFalse(Files.exists(html));
  }

  @Test
  void report_corruptResults_exit2NoPartialReport(@TempDir Path dir) throws Exception {
    Path results = dir.resolve("results.json");
    Files.writeString(results, "{\"model\": {\"id\": \"m\"}, \"corpus\": {\"spec\": ");
    Path html = dir.resolve("report.html");
    Run r = run("report", "--results", results.toString(), "--out", html.toString(), "--json");
    assertEquals(2, r.exit());
    assertEquals("", r.out());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains(results + ": not valid JSON"), r.err());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(1, files.count(), "only results.json: no report and no temp file");
    }
  }
}
