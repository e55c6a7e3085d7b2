package dev.neurolens.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.neurolens.model.bert.BertEncoder;
import dev.neurolens.model.bert.TrainableBert;
import dev.neurolens.util.NeuroLensException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The trainable copy computes what the inference encoder computes, and freezes what Telly-K says. */
class TrainableBertTest {

  private static TokenBatch batch(EncoderModel m) {
    return TokenBatch.of(List.of(m.tokenizer().encode("public int get ( ) { return value ; }"),
        m.tokenizer().encode("x = 1 ;")));
  }

  @Test
  void evalForward_equalsInferenceEncoder_atEveryFreeze() {
    try (EncoderModel m = TinyModels.random(5, 3, 32, 4, 64);
        NDManager nd = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      float[] expected = m.forward(nd, batch(m)).toFloatArray();
      for (int k : new int[] {TrainableBert.FREEZE_NONE, 0, 2, 3}) {
        try (TrainableBert t = TrainableBert.of(m, k, 0.1f, Map.of())) {
          float[] got = t.forward(nd, batch(m), false).toFloatArray();
          assertEquals(expected.length, got.length);
          for (int i = 0; i < got.length; i++) {
            assertEquals(expected[i], got[i], 2e-5, "freeze " + k + ", value " + i);
          }
        }
      }
    }
  }

  @Test
  void trainableCounts_followTellyK_andWeightsRoundTripExactly() {
    int layers = 3;
    int d = 32;
    int ffn = 64;
    try (EncoderModel m = TinyModels.random(5, layers, d, 4, ffn)) {
      ModelConfig c = m.config();
      long block = 4L * (d * d + d) + 2L * d * ffn + ffn + d + 4L * d;
      long embeddings = (long) (c.vocabSize() + c.maxPositions() + c.typeVocabSize()) * d + 2L * d;
      try (TrainableBert none = TrainableBert.of(m, TrainableBert.FREEZE_NONE, 0f, Map.of())) {
        assertEquals(embeddings + layers * block, none.totalCount());
        assertEquals(none.totalCount(), none.trainableCount());
        Map<String, FloatTensor> original = ((BertEncoder) m).weights();
        Map<String, FloatTensor> copy = none.weights();
        assertEquals(original.keySet(), copy.keySet());
        for (String name : original.keySet()) {
          assertArrayEquals(original.get(name).data(), copy.get(name).data(), name);
          assertArrayEquals(original.get(name).shape(), copy.get(name).shape(), name);
        }
      }
      for (int k = 0; k <= layers; k++) {
        try (TrainableBert t = TrainableBert.of(m, k, 0f, Map.of())) {
          assertEquals((layers - k) * block, t.trainableCount(), "freeze " + k);
          int kk = k;
          assertTrue(t.trainableNames().stream().noneMatch(n -> n.startsWith("embeddings.")
              || (n.startsWith("encoder.layer.") && Integer.parseInt(n.split("\\.")[2]) < kk)));
        }
      }
      assertThrows(NeuroLensException.class, () -> TrainableBert.of(m, layers + 1, 0f, Map.of()));
      assertThrows(NeuroLensException.class, () -> TrainableBert.of(m, 0, 1.5f, Map.of()));
    }
  }

  @Test
  void trainForward_withDropoutZero_equalsEval_andDropoutChangesIt() {
    try (EncoderModel m = TinyModels.random(5);
        NDManager nd = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      try (TrainableBert noDrop = TrainableBert.of(m, 1, 0f, Map.of());
          TrainableBert drop = TrainableBert.of(m, 1, 0.5f, Map.of())) {
        assertArrayEquals(noDrop.forward(nd, batch(m), false).toFloatArray(), noDrop.forward(nd, batch(m), true).toFloatArray(), 1e-6f);
        float[] a = drop.forward(nd, batch(m), false).toFloatArray();
        float[] b = drop.forward(nd, batch(m), true).toFloatArray();
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
          diff += Math.abs(a[i] - b[i]);
        }
        assertTrue(diff > 1, "dropout 0.5 in training left the output unchanged");
      }
    }
  }
}
