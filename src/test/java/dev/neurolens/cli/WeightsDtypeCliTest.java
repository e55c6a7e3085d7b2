package dev.neurolens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.model.HalfCheckpoints;
import dev.neurolens.model.TinyFamilies;
import dev.neurolens.util.Json;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code model info --weights-dtype}: what a BF16 checkpoint holds and needs, either way. */
class WeightsDtypeCliTest {
  @TempDir Path tmp;

  @Test
  void modelInfo_bf16Checkpoint_statesStoredDtypeAndHalfTheResidentBytes() throws Exception {
    Path dir = HalfCheckpoints.copyAs(TinyFamilies.llama(tmp.resolve("l"), 3, TinyFamilies.Spec.small(), Map.of()),
        tmp.resolve("bf16"), "BF16");
    String[] s = ModelCommandTest.run("model", "info", "--model", dir.toString(), "--json");
    String[] f = ModelCommandTest.run("model", "info", "--model", dir.toString(), "--weights-dtype", "float32", "--json");
    assertEquals("0", s[0], s[2]);
    assertEquals("0", f[0], f[2]);
    JsonNode js = Json.MAPPER.readTree(s[1]);
    JsonNode jf = Json.MAPPER.readTree(f[1]);
    assertEquals("BF16", js.get("stored_dtype").asText());
    assertEquals("stored", js.get("weights_dtype").asText());
    assertEquals(jf.get("weight_bytes").asLong(), js.get("float32_weight_bytes").asLong());
    double ratio = js.get("weight_bytes").asDouble() / jf.get("weight_bytes").asDouble();
    assertTrue(ratio > 0.5 && ratio < 0.56, "ratio " + ratio);
    assertEquals(js.get("weight_bytes").asLong() + js.get("block_work_bytes").asLong()
        + js.get("forward_bytes_16x128").asLong(), js.get("native_bytes_needed_16x128").asLong());
    assertEquals(js.get("weight_checksum").asText(), jf.get("weight_checksum").asText());
    String[] human = ModelCommandTest.run("model", "info", "--model", dir.toString());
    assertTrue(human[1].contains("stored BF16, held as 16-bit matrices"), human[1]);
  }

  @Test
  void modelInfo_badWeightsDtype_oneLineError() {
    String[] r = ModelCommandTest.run("model", "info", "--weights-dtype", "fp8");
    assertTrue(!r[0].equals("0"), "exit code " + r[0]);
    assertTrue(r[2].contains("--weights-dtype: must be 'stored' or 'float32', found 'fp8'"), r[2]);
  }
}
