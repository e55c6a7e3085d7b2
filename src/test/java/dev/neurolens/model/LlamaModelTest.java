package dev.neurolens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tiny Llama models (grouped-query attention, rope scaling) against the double-precision reference. */
class LlamaModelTest {
  @TempDir Path tmp;

  static List<int[]> rows(EncoderModel model) {
    return List.of(
        model.tokenizer().encode("public static int add(int a, int b) { return a + b; }").ids(),
        model.tokenizer().encode("x = 1").ids(),
        model.tokenizer().encode("def get_name(self):\n\treturn self.name  # h\u00e9 \u4e2d").ids());
  }

  private void assertMatchesReference(Map<String, Object> extra, int kv, double theta, double factor) {
    Path dir = TinyFamilies.llama(tmp.resolve("llama" + kv + theta + factor), 13,
        new TinyFamilies.Spec(2, 32, 4, 48, kv, 0), extra);
    try (EncoderModel model = Models.load(dir.toString())) {
      FamilySettings.Llama s = (FamilySettings.Llama) model.config().settings();
      assertEquals(new FamilySettings.Llama(kv, theta, factor), s);
      ReferenceLlama ref = new ReferenceLlama(model.config(), TinyFamilies.checkpoint(dir), kv, theta, factor);
      FamilyChecks.assertEveryHookMatches(model, rows(model), ids -> {
        ref.run(ids);
        return new FamilyChecks.Ref(Map.copyOf(ref.hooks), ref.last);
      });
    }
  }

  @Test
  void runWithCache_groupedQueryAttention_everyHookMatchesReference() {
    assertMatchesReference(Map.of(), 2, 10_000, 1);
  }

  @Test
  void runWithCache_multiHeadLinearRopeScaling_everyHookMatchesReference() {
    assertMatchesReference(Map.of("rope_theta", 500.0, "rope_scaling", Map.of("type", "linear", "factor", 2.0)),
        4, 500, 2);
  }

  @Test
  void runWithCache_oneKeyValueHead_everyHookMatchesReference() {
    assertMatchesReference(Map.of("rope_scaling", Map.of("rope_type", "linear", "factor", 4.0)), 1, 10_000, 4);
  }

  @Test
  void runWithCache_laterTokenChanged_earlierPositionsUnchanged() {
    Path dir = TinyFamilies.llama(tmp.resolve("causal"), 3, TinyFamilies.Spec.small(), Map.of());
    try (EncoderModel model = Models.load(dir.toString())) {
      int[] row = rows(model).get(0);
      FamilyChecks.assertCausal(model, row, row.length / 2);
      FamilyChecks.assertCausal(model, row, 1);
      FamilyChecks.assertHookNames(model);
      assertEquals(Family.LLAMA, model.config().family());
      Encoding e = model.tokenizer().encode("int x");
      assertTrue(e.special()[0] && e.ids()[0] == 1, "<s> prepended");
    }
  }

  @Test
  void load_badLlamaConfig_oneLineErrors() throws Exception {
    Path dir = TinyFamilies.llama(tmp.resolve("bad"), 3, TinyFamilies.Spec.small(), Map.of());
    Object[][] cases = {
      {"rope_scaling", Map.of("type", "dynamic", "factor", 2.0), "rope_scaling"},
      {"num_key_value_heads", 3, "num_key_value_heads (3) must divide num_attention_heads (4)"},
      {"num_key_value_heads", 4, "self_attn.k_proj.weight' must have shape [32, 32]"},
      {"num_hidden_layers", 1, "num_hidden_layers = 1"},
      {"attention_bias", true, "attention_bias = true is not supported"},
      {"hidden_act", "gelu", "unsupported activation 'gelu'"},
    };
    String good = Files.readString(dir.resolve("config.json"));
    for (Object[] c : cases) {
      ObjectNode n = (ObjectNode) Json.MAPPER.readTree(good);
      n.set((String) c[0], Json.MAPPER.valueToTree(c[1]));
      Files.writeString(dir.resolve("config.json"), n.toString());
      NeuroLensException e = assertThrows(NeuroLensException.class, () -> Models.load(dir.toString()));
      assertTrue(e.getMessage().contains((String) c[2]) && e.getMessage().lines().count() == 1, e.getMessage());
      assertTrue(e.getMessage().contains("config.json") || e.getMessage().contains("model.safetensors"), e.getMessage());
    }
  }
}
