package dev.neurolens.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.neurolens.model.gpt2.Gpt2Checkpoint;
import dev.neurolens.model.safetensors.Safetensors;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny GPT-2 read from a Hugging Face directory, against the double-precision reference. */
class Gpt2ModelTest {
  @TempDir static Path tmp;
  static Path dir;
  static EncoderModel model;

  @BeforeAll
  static void load() {
    dir = TinyFamilies.gpt2(tmp.resolve("gpt2"), 11, TinyFamilies.Spec.small());
    model = Models.load(dir.toString());
  }

  @AfterAll
  static void close() {
    model.close();
  }

  static List<int[]> rows() {
    return List.of(
        model.tokenizer().encode("public static int add(int a, int b) { return a + b; }").ids(),
        model.tokenizer().encode("x = 1").ids(),
        model.tokenizer().encode("def get_name(self):\n\treturn self.name  # h\u00e9").ids());
  }

  @Test
  void runWithCache_paddedBatch_everyHookMatchesReference() {
    ReferenceGpt2 ref = new ReferenceGpt2(model.config(), TinyFamilies.checkpoint(dir));
    FamilyChecks.assertEveryHookMatches(model, rows(), ids -> {
      ref.run(ids);
      return new FamilyChecks.Ref(Map.copyOf(ref.hooks), ref.last);
    });
  }

  @Test
  void runWithCache_laterTokenChanged_earlierPositionsUnchanged() {
    int[] row = rows().get(0);
    FamilyChecks.assertCausal(model, row, row.length / 2);
    FamilyChecks.assertCausal(model, row, 1);
  }

  @Test
  void load_gpt2Directory_familySettingsAndHooks() {
    assertEquals(Family.GPT2, model.config().family());
    assertTrue(model.config().family().causal());
    assertEquals("gelu_new", model.config().hiddenAct());
    assertEquals(64, model.config().intermediateSize());
    FamilyChecks.assertHookNames(model);
    int[] ids = model.tokenizer().encode("int x").ids();
    assertFalse(model.tokenizer().encode("int x").special()[0], "GPT-2 adds no special tokens");
    assertTrue(ids.length >= 2);
  }

  @Test
  void canonicalize_conv1dWeights_transposedToLinearLayout() throws Exception {
    Map<String, FloatTensor> stored = Safetensors.read(dir.resolve("model.safetensors"));
    Map<String, FloatTensor> canonical = Gpt2Checkpoint.canonicalize(stored, "test");
    FloatTensor conv = stored.get("transformer.h.1.mlp.c_fc.weight"); // (in D, out M)
    FloatTensor lin = canonical.get("h.1.mlp.c_fc.weight"); // (out M, in D)
    assertArrayEquals(new long[] {32, 64}, conv.shape());
    assertArrayEquals(new long[] {64, 32}, lin.shape());
    for (int in = 0; in < 32; in++) {
      for (int out = 0; out < 64; out++) {
        assertEquals(conv.data()[in * 64 + out], lin.data()[out * 32 + in]);
      }
    }
    assertFalse(canonical.containsKey("lm_head.weight"));
    // written back in the checkpoint layout under the short names, the file loads to the same model
    Path copy = tmp.resolve("gpt2-short-names");
    Files.createDirectories(copy);
    for (String f : new String[] {"config.json", "tokenizer.json"}) {
      Files.copy(dir.resolve(f), copy.resolve(f));
    }
    Map<String, FloatTensor> shortNames = new LinkedHashMap<>();
    stored.forEach((k, v) -> shortNames.put(k.replace("transformer.", ""), v));
    Safetensors.write(copy.resolve("model.safetensors"), shortNames);
    try (EncoderModel again = Models.load(copy.toString())) {
      assertEquals(model.weightChecksum(), again.weightChecksum());
    }
  }

  @Test
  void load_conv1dStoredAsLinear_oneLineShapeError() throws Exception {
    Path bad = tmp.resolve("gpt2-linear-layout");
    TinyFamilies.gpt2(bad, 11, TinyFamilies.Spec.small());
    Map<String, FloatTensor> w = new LinkedHashMap<>(Safetensors.read(bad.resolve("model.safetensors")));
    w.put("transformer.h.0.mlp.c_fc.weight", w.get("transformer.h.0.mlp.c_fc.weight").transpose2d());
    Safetensors.write(bad.resolve("model.safetensors"), w);
    NeuroLensException e = assertThrows(NeuroLensException.class, () -> Models.load(bad.toString()));
    assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("h.0.mlp.c_fc.weight")
        && e.getMessage().contains("[64, 32]"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }

  @Test
  void load_configDisagreesWithWeights_oneLineNamingFiles() throws Exception {
    Path bad = tmp.resolve("gpt2-layers");
    TinyFamilies.gpt2(bad, 11, TinyFamilies.Spec.small());
    ObjectNode c = (ObjectNode) Json.MAPPER.readTree(bad.resolve("config.json").toFile());
    c.put("n_layer", 3);
    Files.writeString(bad.resolve("config.json"), c.toString());
    NeuroLensException e = assertThrows(NeuroLensException.class, () -> Models.load(bad.toString()));
    assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("n_layer = 3")
        && e.getMessage().contains("2 blocks"), e.getMessage());
    c.put("n_layer", 2);
    c.put("model_type", "gpt_neox");
    Files.writeString(bad.resolve("config.json"), c.toString());
    e = assertThrows(NeuroLensException.class, () -> Models.load(bad.toString()));
    assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("Unknown model type: 'gpt_neox'")
        && e.getMessage().contains("gpt2, llama, t5"), e.getMessage());
    c.put("model_type", "gpt2");
    c.put("activation_function", "swish");
    Files.writeString(bad.resolve("config.json"), c.toString());
    e = assertThrows(NeuroLensException.class, () -> Models.load(bad.toString()));
    assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("'swish'"), e.getMessage());
  }
}
