package dev.neurolens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.activation.SnippetActivations;
import dev.neurolens.activation.StoreSpec;
import dev.neurolens.activation.StoreWriter;
import dev.neurolens.activation.StoredToken;
import dev.neurolens.activation.TaskSpec;
import dev.neurolens.model.HookName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreCommandTest {
  @TempDir Path tmp;

  private Path store() {
    StoreSpec spec =
        StoreSpec.builder()
            .setModel("tiny", "c0ffee")
            .addHook(HookName.embedOut(), 2)
            .addHook(HookName.residPost(0), 2)
            .addTask(TaskSpec.tokenTask("kind"))
            .build();
    Path dir = tmp.resolve("store");
    try (StoreWriter w = StoreWriter.open(dir, spec, StoreWriter.Mode.CREATE_OR_RESUME)) {
      for (int s = 0; s < 3; s++) {
        List<StoredToken> tokens =
            List.of(
                new StoredToken("int", 0, 3, 0, List.of("keyword")),
                new StoredToken("x" + s, 4, 6, 0, List.of("identifier")));
        float[] rows = {s, 1, 2, 3};
        w.append(
            new SnippetActivations(
                "s" + s, "F.java", tokens, List.of(),
                new float[][] {rows, rows}, new float[][] {{0, 0}, {0, 0}},
                new float[][] {{1, 1}, {1, 1}}));
      }
      w.finish();
    }
    return dir;
  }

  private static JsonNode run(int expectedStatus, String... args) throws Exception {
    return CliRun.json(expectedStatus, args);
  }

  @Test
  void info_json_reportsManifest() throws Exception {
    JsonNode r = run(0, "store", "info", "--json", store().toString());
    assertEquals(6, r.get("tokens").asInt());
    assertEquals(3, r.get("snippets").asInt());
    assertEquals("float16", r.get("dtype").asText());
    assertEquals("[\"embed.out\",\"blocks.0.resid_post\"]", r.get("hooks").toString());
    assertEquals(2, r.get("tasks").get("kind").get("labels").asInt());
  }

  @Test
  void exportHdf5_thenImport_givesSameTokenCount() throws Exception {
    Path s = store();
    Path h5 = tmp.resolve("a.hdf5");
    JsonNode e = run(0, "store", "export", "--format", "hdf5", "--json", s.toString(), h5.toString());
    assertEquals(3, e.get("sentences").asInt());
    JsonNode i = run(0, "store", "import", "--format", "hdf5", "--json", h5.toString(), tmp.resolve("back").toString());
    assertEquals(6, i.get("tokens").asInt());
    assertEquals(2, i.get("layers").asInt());
  }

  @Test
  void exportNpy_concat_writesFiles() throws Exception {
    Path s = store();
    JsonNode e = run(0, "store", "export", "--format", "npy", "--layout", "concat", "--json", s.toString(), tmp.resolve("npy").toString());
    assertTrue(e.get("files").asInt() >= 5);
    assertTrue(Files.exists(tmp.resolve("npy/activations.npy")));
  }

  @Test
  void info_missingStore_exitsWithUserError() throws Exception {
    run(2, "store", "info", tmp.resolve("nothing").toString());
  }
}
