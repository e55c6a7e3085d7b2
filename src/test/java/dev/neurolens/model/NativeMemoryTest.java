package dev.neurolens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Native memory is scoped per batch: many batches leave no arrays behind and RSS stays flat. */
class NativeMemoryTest {

  @Test
  void thousandBatches_captureAndIntervene_noNativeGrowth() throws IOException {
    try (EncoderModel model = TinyModels.random(3);
        NDManager root = NDManager.newBaseManager()) {
      TokenBatch batch = new TokenBatch(List.of(
          model.tokenizer().encode("if (a != null) { return a.toString(); } else { return \"\"; }").ids(),
          model.tokenizer().encode("int x = 42;").ids()));
      var hooks = new HashSet<>(model.hookNames());
      Map<HookName, Intervention> ablate = Map.of(HookName.of(1, HookName.Site.MLP_PRE), Intervention.zero(new int[] {1, 2, 3}));
      int before = ((BaseNDManager) root).getManagedArrays().size();
      long rssWarm = 0;
      for (int i = 0; i < 1000; i++) {
        try (NDManager m = root.newSubManager()) {
          Map<HookName, NDArray> c = model.runWithCache(m, batch, hooks);
          NDArray out = model.runWithHooks(m, batch, ablate);
          assertEquals(13, c.size());
          assertEquals(2, out.getShape().get(0));
        }
        if (i == 99) {
          rssWarm = nativeKb();
        }
      }
      long growthMb = (nativeKb() - rssWarm) / 1024;
      assertEquals(before, ((BaseNDManager) root).getManagedArrays().size());
      // one leaked batch of captures is ~60 KB; 900 leaked batches would add > 50 MB
      assertTrue(growthMb < 40, "native RSS grew by " + growthMb + " MB over 900 batches");
    }
  }

  /** Resident memory outside the committed Java heap, after a GC. */
  private static long nativeKb() throws IOException {
    System.gc();
    return rssKb() - Runtime.getRuntime().totalMemory() / 1024;
  }

  private static long rssKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return 0;
  }
}
