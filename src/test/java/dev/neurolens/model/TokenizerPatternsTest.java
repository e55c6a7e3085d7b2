package dev.neurolens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Catastrophic-backtracking patterns in tokenizer.json are refused at load; published ones pass. */
class TokenizerPatternsTest {
  @TempDir Path tmp;

  @Test
  void nestedUnboundedRepetition_isFound() {
    for (String p : new String[] {"(a+)+$", "(\\w*)*x", "(?:x+y)+", "((ab)+c)*", "(a{2,})+", "([a-z]+\\s?)*$", "(.*a){3,}"}) {
      assertNotNull(TokenizerPatterns.nestedQuantifier(p), p);
    }
  }

  @Test
  void publishedAndHarmlessPatterns_pass() {
    String gpt2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    String llama3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
        + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    for (String p : new String[] {gpt2, llama3, "(ab)+", "(a+){2}", "(a+)?", "[(+)]+", "\\(a+\\)+", "(a|b)+", "\\p{L}+(x)"}) {
      assertNull(TokenizerPatterns.nestedQuantifier(p), p);
    }
  }

  @Test
  void modelWithCatastrophicSplitPattern_failsToLoadWithOneLine() throws Exception {
    Path dir = tmp.resolve("m");
    try (EncoderModel m = TinyModels.random(3)) {
      Models.export(m, dir);
    }
    Path tj = dir.resolve("tokenizer.json");
    ObjectNode root = (ObjectNode) Json.MAPPER.readTree(tj.toFile());
    ObjectNode split = Json.MAPPER.createObjectNode();
    split.put("type", "Split");
    split.putObject("pattern").put("Regex", "(a+)+$");
    split.put("behavior", "Isolated");
    split.put("invert", false);
    root.set("pre_tokenizer", split);
    Files.writeString(tj, root.toString());
    NeuroLensException e = assertThrows(NeuroLensException.class, () -> Models.load(dir.toString()).close());
    assertEquals(1, e.getMessage().lines().count());
    assertTrue(e.getMessage().contains("$.pre_tokenizer.pattern.Regex '(a+)+$'"), e.getMessage());
    assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
  }
}
