package dev.neurolens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Capture and intervention at hook points of a tiny model. */
class HookPointsTest {
  static EncoderModel model;
  static TokenBatch batch;

  @BeforeAll
  static void load() {
    model = TinyModels.random(11);
    batch = new TokenBatch(List.of(
        model.tokenizer().encode("for (int i = 0; i < n; i++) sum += i;").ids(),
        model.tokenizer().encode("return null;").ids()));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void hookNames_tinyModel_pinnedList() {
    List<String> names = model.hookNames().stream().map(HookName::toString).toList();
    List<String> expected = new ArrayList<>(List.of("embed.out"));
    for (int i = 0; i < 2; i++) {
      for (String s : List.of("resid_pre", "attn.out", "resid_mid", "mlp.pre", "mlp.out", "resid_post")) {
        expected.add("blocks." + i + "." + s);
      }
    }
    assertEquals(expected, names);
  }

  @Test
  void runWithCache_allHooks_shapesAndResidualIdentities() {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<HookName, NDArray> c = model.runWithCache(m, batch, new HashSet<>(model.hookNames()));
      long t = batch.maxLength();
      assertEquals(13, c.size());
      assertEquals(List.of(2L, t, 64L), List.of(c.get(HookName.of(1, HookName.Site.MLP_PRE)).getShape().getShape()[0],
          c.get(HookName.of(1, HookName.Site.MLP_PRE)).getShape().getShape()[1],
          c.get(HookName.of(1, HookName.Site.MLP_PRE)).getShape().getShape()[2]));
      assertTrue(c.get(HookName.of(0, HookName.Site.RESID_PRE)).allClose(c.get(HookName.embedOut()), 0, 0, false));
      assertTrue(c.get(HookName.of(1, HookName.Site.RESID_PRE)).allClose(c.get(HookName.residPost(0)), 0, 0, false));
      NDArray last = model.forward(m, batch);
      assertTrue(last.allClose(c.get(HookName.residPost(1)), 1e-6, 1e-6, false));
    }
  }

  @Test
  void runWithHooks_identityIntervention_equalsForward() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray plain = model.forward(m, batch);
      List<HookName> seen = new ArrayList<>();
      Map<HookName, Intervention> hooks = Map.of(HookName.of(0, HookName.Site.MLP_PRE), (h, a) -> {
        seen.add(h);
        return a;
      });
      NDArray hooked = model.runWithHooks(m, batch, hooks);
      assertEquals(List.of(HookName.of(0, HookName.Site.MLP_PRE)), seen);
      assertTrue(plain.allClose(hooked, 0, 0, false));
    }
  }

  @Test
  void runWithHooks_zeroConstantMean_replaceOnlyChosenNeurons() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[][][] plain = Arrays3.of(model.forward(m, batch));
      HookName last = HookName.residPost(1);
      float[][][] z = Arrays3.of(model.runWithHooks(m, batch, Map.of(last, Intervention.zero(new int[] {0, 5}))));
      float[][][] k = Arrays3.of(model.runWithHooks(m, batch, Map.of(last, Intervention.constant(new int[] {3}, 2.5f))));
      float[][][] mu = Arrays3.of(model.runWithHooks(m, batch,
          Map.of(last, Intervention.mean(new int[] {1, 2}, new float[] {-1f, 4f}))));
      for (int j = 0; j < plain[0].length; j++) {
        assertEquals(0f, z[0][j][0]);
        assertEquals(0f, z[0][j][5]);
        assertEquals(plain[0][j][6], z[0][j][6]);
        assertEquals(2.5f, k[1][j][3]);
        assertEquals(plain[1][j][4], k[1][j][4]);
        assertEquals(-1f, mu[0][j][1]);
        assertEquals(4f, mu[0][j][2]);
      }
    }
  }

  @Test
  void runWithHooks_earlyAblation_changesOutputAndDoesNotOutliveCall() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] plain = model.forward(m, batch).toFloatArray();
      int[] all = new int[64];
      for (int i = 0; i < 64; i++) {
        all[i] = i;
      }
      float[] ablated = model.runWithHooks(m, batch,
          Map.of(HookName.of(0, HookName.Site.MLP_PRE), Intervention.zero(all))).toFloatArray();
      float[] again = model.forward(m, batch).toFloatArray();
      assertNotEquals(plain[0], ablated[0]);
      assertEquals(plain.length, again.length);
      for (int i = 0; i < plain.length; i++) {
        assertEquals(plain[i], again[i]);
      }
    }
  }

  @Test
  void runWithCache_blockOutOfRange_clearError() {
    try (NDManager m = NDManager.newBaseManager()) {
      NeuroLensException e = assertThrows(NeuroLensException.class,
          () -> model.runWithCache(m, batch, Set.of(HookName.residPost(5))));
      assertTrue(e.getMessage().contains("blocks.5.resid_post"), e.getMessage());
      NeuroLensException e2 = assertThrows(NeuroLensException.class, () -> model.runWithHooks(m, batch,
          Map.of(HookName.residPost(0), Intervention.zero(new int[] {32}))));
      assertTrue(e2.getMessage().contains("[0, 32)"), e2.getMessage());
    }
  }

  @Test
  void forward_tooLongOrBadId_clearError() {
    try (NDManager m = NDManager.newBaseManager()) {
      NeuroLensException e = assertThrows(NeuroLensException.class,
          () -> model.forward(m, new TokenBatch(List.of(new int[200]))));
      assertTrue(e.getMessage().contains("sequence length 200 exceeds"), e.getMessage());
      NeuroLensException e2 = assertThrows(NeuroLensException.class,
          () -> model.forward(m, new TokenBatch(List.of(new int[] {2, 9999, 3}))));
      assertTrue(e2.getMessage().contains("token id 9999"), e2.getMessage());
    }
  }
}
