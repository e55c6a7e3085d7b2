package dev.neurolens.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Models;
import dev.neurolens.model.TokenBatch;
import dev.neurolens.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code model export/info} through the command line, and bad input handling. */
class ModelCommandTest {
  @TempDir Path tmp;

  /** Runs the CLI; returns {exit code, stdout, stderr}. */
  static String[] run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Main.commandLine().execute(args);
      return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void modelExport_default_reloadsWithIdenticalOutputsAndChecksum() throws Exception {
    Path dir = tmp.resolve("bge");
    String[] r = run("model", "export", "--model", "default", "--out", dir.toString(), "--json");
    assertEquals("0", r[0], r[2]);
    JsonNode j = Json.MAPPER.readTree(r[1]);
    assertTrue(Files.size(dir.resolve("model.safetensors")) > 130_000_000L);
    try (EncoderModel a = Models.load("default");
        EncoderModel b = Models.load(dir.toString());
        NDManager m = NDManager.newBaseManager()) {
      assertEquals(j.get("weight_checksum").asText(), b.weightChecksum());
      assertEquals(a.weightChecksum(), b.weightChecksum());
      assertEquals(a.config(), b.config());
      TokenBatch batch = new TokenBatch(List.of(
          a.tokenizer().encode("public boolean isEmpty() { return size == 0; }").ids(),
          a.tokenizer().encode("i++;").ids()));
      assertArrayEquals(a.tokenizer().encode("i++;").ids(), b.tokenizer().encode("i++;").ids());
      assertArrayEquals(a.forward(m, batch).toFloatArray(), b.forward(m, batch).toFloatArray());
    }
    String[] info = run("model", "info", "--model", dir.toString(), "--json");
    assertEquals("0", info[0], info[2]);
    JsonNode ij = Json.MAPPER.readTree(info[1]);
    assertEquals(12, ij.get("layers").asInt());
    assertEquals(73, ij.get("hook_names").size());
    assertEquals("blocks.11.resid_post", ij.get("hook_names").get(72).asText());
  }

  @Test
  void modelInfo_unknownModelType_oneLineExit2() throws Exception {
    Path dir = tmp.resolve("ssm");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"mamba\"}");
    String[] r = run("model", "info", "--model", dir.toString());
    assertEquals("2", r[0]);
    assertEquals(1, r[2].strip().lines().count(), r[2]);
    assertTrue(r[2].contains("config.json") && r[2].contains("mamba"), r[2]);
    assertFalse(r[2].contains("at dev.neurolens"));
  }

  @Test
  void modelInfo_missingPath_oneLineExit2() {
    String[] r = run("model", "info", "--model", tmp.resolve("nope").toString());
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("nope") && r[2].contains("no such model"), r[2]);
  }
}
