package dev.neurolens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The DJL encoder against the naive Java reference, layer by layer, on padded batches. */
class TinyModelParityTest {
  static final long SEED = 7;
  static EncoderModel model;
  static ReferenceBert ref;

  @BeforeAll
  static void load() {
    model = TinyModels.random(SEED);
    ref = new ReferenceBert(model.config(), TinyModels.randomWeights(model.config(), SEED));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  static List<int[]> rows() {
    return List.of(
        model.tokenizer().encode("public static int add(int a, int b) { return a + b; }").ids(),
        model.tokenizer().encode("x = 1").ids(),
        model.tokenizer().encode("def get_name(self):\n    return self.name  # 42").ids());
  }

  @Test
  void runWithCache_paddedBatch_hiddenStatesAndMlpMatchReference() {
    List<int[]> rows = rows();
    Set<HookName> hooks = new HashSet<>();
    hooks.add(HookName.embedOut());
    for (int i = 0; i < model.config().numLayers(); i++) {
      hooks.add(HookName.residPost(i));
      hooks.add(HookName.of(i, HookName.Site.MLP_PRE));
    }
    try (NDManager m = NDManager.newBaseManager()) {
      Map<HookName, NDArray> cache = model.runWithCache(m, new TokenBatch(rows), hooks);
      assertEquals(hooks, cache.keySet());
      for (int r = 0; r < rows.size(); r++) {
        ref.run(rows.get(r));
        int t = rows.get(r).length;
        assertTrue(Arrays3.maxDiff(Arrays3.of(cache.get(HookName.embedOut()))[r], ref.hidden[0], t) < 1e-4);
        for (int i = 0; i < model.config().numLayers(); i++) {
          double dh = Arrays3.maxDiff(Arrays3.of(cache.get(HookName.residPost(i)))[r], ref.hidden[i + 1], t);
          double dm = Arrays3.maxDiff(Arrays3.of(cache.get(HookName.of(i, HookName.Site.MLP_PRE)))[r], ref.mlpPre[i], t);
          assertTrue(dh < 1e-4, "row " + r + " block " + i + " hidden diff " + dh);
          assertTrue(dm < 2e-5, "row " + r + " block " + i + " mlp.pre diff " + dm + " (exact-erf GELU?)");
        }
      }
    }
  }

  @Test
  void maskedLmLogits_tinyHead_matchReference() {
    int[] ids = rows().get(0);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray h = model.forward(m, new TokenBatch(List.of(ids)));
      float[][] logits = Arrays3.of(model.maskedLmLogits(m, h))[0];
      ref.run(ids);
      double d = Arrays3.maxDiff(logits, ref.mlmLogits(), ids.length);
      assertTrue(model.hasMaskedLmHead());
      assertTrue(d < 1e-3, "logit diff " + d);
    }
  }

  @Test
  void forward_rowAloneOrPadded_samePositions() {
    List<int[]> rows = rows();
    try (NDManager m = NDManager.newBaseManager()) {
      float[][][] batched = Arrays3.of(model.forward(m, new TokenBatch(rows)));
      float[][][] alone = Arrays3.of(model.forward(m, new TokenBatch(List.of(rows.get(1)))));
      assertEquals(rows.get(0).length, batched[0].length);
      assertTrue(Arrays3.maxDiff(batched[1], alone[0], rows.get(1).length) < 1e-5);
    }
  }
}
