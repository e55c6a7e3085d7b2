package dev.neurolens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.activation.SnippetActivations;
import dev.neurolens.activation.StoreDtype;
import dev.neurolens.activation.StoreSpec;
import dev.neurolens.activation.StoreWriter;
import dev.neurolens.activation.StoredToken;
import dev.neurolens.activation.TaskSpec;
import dev.neurolens.model.HookName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedundancyCommandsTest {
  @TempDir Path tmp;

  /**
   * 2 layers x 3 neurons over 80 snippets of 6 tokens. Neuron (1, 0) copies (0, 0); the label
   * "pos"/"neg" is the sign of (0, 1), which has a large scale so that short training finds it.
   */
  private Path store() {
    StoreSpec spec =
        StoreSpec.builder()
            .setModel("tiny", "c0ffee")
            .optDtype(StoreDtype.FLOAT32)
            .addHook(HookName.embedOut(), 3)
            .addHook(HookName.residPost(0), 3)
            .addTask(TaskSpec.tokenTask("sign"))
            .build();
    Path dir = tmp.resolve("store");
    Random rnd = new Random(4);
    try (StoreWriter w = StoreWriter.open(dir, spec, StoreWriter.Mode.CREATE_OR_RESUME)) {
      for (int s = 0; s < 80; s++) {
        List<StoredToken> tokens = new ArrayList<>();
        float[] l0 = new float[6 * 3];
        float[] l1 = new float[6 * 3];
        for (int t = 0; t < 6; t++) {
          float a = (float) rnd.nextGaussian();
          float b = (float) (10 * rnd.nextGaussian());
          float c = (float) rnd.nextGaussian();
          l0[t * 3] = a;
          l0[t * 3 + 1] = b;
          l0[t * 3 + 2] = c;
          l1[t * 3] = a * 0.9f;
          l1[t * 3 + 1] = (float) rnd.nextGaussian();
          l1[t * 3 + 2] = (float) rnd.nextGaussian();
          tokens.add(new StoredToken("t" + t, 2 * t, 2 * t + 1, 0, List.of(b > 0 ? "pos" : "neg")));
        }
        w.append(
            new SnippetActivations(
                "s" + s, "F.java", tokens, List.of(), new float[][] {l0, l1},
                new float[][] {{0, 0, 0}, {0, 0, 0}}, new float[][] {{0, 0, 0}, {0, 0, 0}}));
      }
      w.finish();
    }
    return dir;
  }

  private static JsonNode run(int expectedStatus, String... args) throws Exception {
    JsonNode r = CliRun.json(expectedStatus, args);
    return expectedStatus != 0 ? null : r;
  }

  @Test
  void cluster_json_copiedNeuronMergesAndFileWritten() throws Exception {
    Path out = tmp.resolve("out");
    JsonNode r = run(0, "cluster", "--store", store().toString(), "--thresholds", "0.1,0.3", "--out", out.toString(), "--json");
    assertEquals(6, r.get("neurons").asInt());
    assertEquals(480, r.get("tokens").asInt());
    JsonNode t = r.get("thresholds").get(1);
    assertEquals(0.3, t.get("threshold").asDouble());
    assertEquals(5, t.get("independent").asInt());
    assertEquals(5, t.get("independentPerLayer").get(0).asInt() + t.get("independentPerLayer").get(1).asInt());
    assertTrue(Files.exists(out.resolve("clusters.json")));
  }

  @Test
  void cluster_badThresholdOrLayer_exitTwo() throws Exception {
    Path s = store();
    run(2, "cluster", "--store", s.toString(), "--thresholds", "2.0");
    run(2, "cluster", "--store", s.toString(), "--layers", "7");
  }

  @Test
  void similarity_json_diagonalOneAndBetweenStores() throws Exception {
    Path s = store();
    JsonNode r = run(0, "similarity", "--store", s.toString(), "--json");
    assertEquals(1.0, r.get("cka").get(0).get(0).asDouble(), 1e-6);
    double cross = r.get("cka").get(0).get(1).asDouble();
    assertTrue(cross > 0 && cross < 0.5, "cka " + cross);
    JsonNode b = run(0, "similarity", "--store", s.toString(), "--store2", s.toString(), "--json");
    assertEquals(1.0, b.get("cka").get(1).get(1).asDouble(), 1e-6);
    assertEquals(cross, b.get("cka").get(0).get(1).asDouble(), 1e-9);
  }

  /** 400 training rows need many epochs at the paper's learning rate (0.001) to move the weights. */
  @Test
  void redundancy_json_sixRowsWithOriginalIds() throws Exception {
    JsonNode r = run(0, "redundancy", "--store", store().toString(), "--task", "sign", "--epochs", "300", "--json", "--quiet");
    assertEquals("sign", r.get("task").asText());
    assertEquals(6, r.get("rows").size());
    JsonNode row = r.get("rows").get(0);
    assertEquals(row.get("minimalNeurons").asInt(), row.get("minimalSet").size());
    assertEquals(0, row.get("selectedLayer").asInt());
    assertEquals(1, row.get("minimalNeurons").asInt(), row.toString());
    assertEquals(0, row.get("minimalSet").get(0).get("layer").asInt());
    assertEquals(1, row.get("minimalSet").get(0).get("index").asInt());
    assertTrue(row.get("minimalTestScore").asDouble() > 0.9, row.toString());
  }
}
