package dev.neurolens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tiny T5 encoders (plain relu and gated-gelu) against the double-precision reference. */
class T5EncoderTest {
  @TempDir Path tmp;

  private void assertMatchesReference(boolean gated) {
    Path dir = TinyFamilies.t5(tmp.resolve("t5" + gated), 17, TinyFamilies.Spec.small(), gated);
    try (EncoderModel model = Models.load(dir.toString())) {
      assertEquals(new FamilySettings.T5(8, 16, gated), model.config().settings());
      assertEquals(gated ? "gelu_new" : "relu", model.config().hiddenAct());
      ReferenceT5 ref = new ReferenceT5(model.config(), TinyFamilies.checkpoint(dir), 8, 16, gated);
      // a row longer than max_distance 16, so that distant keys share the last bucket
      List<int[]> rows = List.of(
          model.tokenizer().encode("public static int add(int a, int b) { return a + b; } // sum of two ints").ids(),
          model.tokenizer().encode("x = 1").ids(),
          model.tokenizer().encode("def get_name(self):\n\treturn self.name  # h\u00e9").ids());
      assertTrue(rows.get(0).length > 20);
      FamilyChecks.assertEveryHookMatches(model, rows, ids -> {
        ref.run(ids);
        return new FamilyChecks.Ref(Map.copyOf(ref.hooks), ref.last);
      });
      FamilyChecks.assertHookNames(model);
    }
  }

  @Test
  void runWithCache_reluFeedForward_everyHookMatchesReference() {
    assertMatchesReference(false);
  }

  @Test
  void runWithCache_gatedGelu_everyHookMatchesReference() {
    assertMatchesReference(true);
  }

  @Test
  void forward_laterTokenChanged_earlierPositionsChangeToo() {
    Path dir = TinyFamilies.t5(tmp.resolve("bidi"), 17, TinyFamilies.Spec.small(), false);
    try (EncoderModel model = Models.load(dir.toString()); NDManager m = NDManager.newBaseManager()) {
      assertFalse(model.config().family().causal());
      int[] row = model.tokenizer().encode("int x = a + b;").ids();
      int[] other = row.clone();
      other[row.length - 2] = (other[row.length - 2] + 5) % model.config().vocabSize();
      float[][][] a = Arrays3.of(model.forward(m, new TokenBatch(List.of(row))));
      float[][][] b = Arrays3.of(model.forward(m, new TokenBatch(List.of(other))));
      assertTrue(Arrays3.maxDiff(a[0], b[0], 1) > 1e-4, "an encoder's first position sees later tokens");
    }
  }

  @Test
  void load_badT5Config_oneLineErrors() throws Exception {
    Path dir = TinyFamilies.t5(tmp.resolve("bad"), 17, TinyFamilies.Spec.small(), false);
    Object[][] cases = {
      {"feed_forward_proj", "gated-gelu", "layer.1.DenseReluDense.wi_0.weight' is missing"},
      {"d_kv", 16, "d_kv (16) x num_heads (4) must equal d_model (32)"},
      {"relative_attention_num_buckets", 16, "relative_attention_bias.weight' must have shape [16, 4]"},
      {"num_layers", 3, "num_layers = 3"},
      {"is_decoder", true, "encoder stack only"},
    };
    String good = Files.readString(dir.resolve("config.json"));
    for (Object[] c : cases) {
      ObjectNode n = (ObjectNode) Json.MAPPER.readTree(good);
      n.set((String) c[0], Json.MAPPER.valueToTree(c[1]));
      Files.writeString(dir.resolve("config.json"), n.toString());
      NeuroLensException e = assertThrows(NeuroLensException.class, () -> Models.load(dir.toString()));
      assertTrue(e.getMessage().contains((String) c[2]) && e.getMessage().lines().count() == 1, e.getMessage());
    }
  }
}
