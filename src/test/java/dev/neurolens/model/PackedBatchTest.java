package dev.neurolens.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.model.bert.BertEncoder;
import dev.neurolens.model.graph.FusedAttention;
import dev.neurolens.model.graph.PaddedBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Packed batches (several inputs end to end in one row): every hook of every input equals what
 * the same input gives in a row of its own, for BERT (positions from 0), RoBERTa (positions
 * from padding_idx + 1) and T5 (relative position bias), on short rows (unfused attention) and
 * rows of 48+ keys (fused); decoders refuse packed batches.
 */
class PackedBatchTest {
  @TempDir Path tmp;

  /** Largest accepted |packed - alone| relative to max(1, largest |alone|) of the hook. */
  private static final double TOLERANCE = 2e-5;

  @Test
  void paddedBatch_packedRows_positionsRestartAndMaskIsBlockDiagonal() {
    ModelConfig c = TinyModels.config(1, 8, 2, 16);
    TokenBatch batch = TokenBatch.packed(List.of(
        List.of(new int[] {5, 6}, new int[] {7, 8, 9}), List.of(new int[] {10, 11, 12})));
    assertTrue(batch.packed());
    assertArrayEquals(new int[] {2, 3}, batch.segments(0));
    assertArrayEquals(new int[] {5, 6, 7, 8, 9}, batch.row(0));
    PaddedBatch in = PaddedBatch.of(c, batch);
    assertEquals(5, in.t());
    assertArrayEquals(new long[] {0, 1, 0, 1, 2, /* row 1 */ 0, 1, 2, 0, 1}, in.positions());
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray mask = in.keyMask(m);
      assertEquals(new ai.djl.ndarray.types.Shape(2, 1, 5, 5), mask.getShape());
      float[] f = mask.toFloatArray();
      // seen[r][i] lists the keys query i of row r may see: its own input (row 1's padding sees itself)
      int[][][] seen = {{{0, 1}, {0, 1}, {2, 3, 4}, {2, 3, 4}, {2, 3, 4}},
          {{0, 1, 2}, {0, 1, 2}, {0, 1, 2}, {3, 4}, {3, 4}}};
      for (int r = 0; r < 2; r++) {
        for (int i = 0; i < 5; i++) {
          for (int j = 0; j < 5; j++) {
            int key = j;
            boolean visible = java.util.Arrays.stream(seen[r][i]).anyMatch(x -> x == key);
            assertEquals(visible ? 0f : -Float.MAX_VALUE, f[(r * 5 + i) * 5 + j], "row " + r + " " + i + "->" + j);
          }
        }
      }
      assertThrows(IllegalArgumentException.class, () -> in.causalMask(m));
    }
    TokenBatch plain = TokenBatch.packed(List.of(List.of(new int[] {5, 6}), List.of(new int[] {7})));
    assertFalse(plain.packed(), "one input per row is a plain batch");
    assertThrows(IllegalArgumentException.class,
        () -> new TokenBatch(List.of(new int[] {1, 2, 3}), List.of(new int[] {1, 1})));
  }

  @Test
  void bert_packedInputs_equalEachInputAlone() {
    try (EncoderModel model = TinyModels.random(31)) {
      assertTrue(model.supportsPacking());
      assertPackingMatches(model, new Random(1));
    }
  }

  @Test
  void roberta_packedInputs_equalEachInputAlone() {
    ModelConfig c = new ModelConfig("roberta", 2, 32, 4, 64, TinyModels.MAX_POSITIONS,
        TinyVocab.tokens().size(), 1, 1e-5, 0, "gelu");
    assertEquals(1, c.positionOffset());
    HfTokenizer tok = HfTokenizer.fromJson(TinyVocab.json(), "tiny tokenizer", c.maxTokens(), c.vocabSize());
    try (EncoderModel model = BertEncoder.create(c, "tiny-roberta", tok, TinyModels.randomWeights(c, 32), "tiny")) {
      assertPackingMatches(model, new Random(2));
    }
  }

  @Test
  void t5_packedInputs_equalEachInputAlone() {
    Path dir = TinyFamilies.t5(tmp.resolve("t5"), 33, TinyFamilies.Spec.small(), true);
    try (EncoderModel model = Models.load(dir.toString())) {
      assertTrue(model.supportsPacking());
      assertPackingMatches(model, new Random(3));
    }
  }

  @Test
  void decoder_packedBatch_isRefused() {
    Path dir = TinyFamilies.gpt2(tmp.resolve("gpt2"), 34, TinyFamilies.Spec.small());
    try (EncoderModel model = Models.load(dir.toString()); NDManager m = NDManager.newBaseManager()) {
      assertFalse(model.supportsPacking());
      TokenBatch packed = TokenBatch.packed(List.of(List.of(new int[] {5, 6}, new int[] {7, 8})));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> model.runWithCache(m, packed, new HashSet<>(model.hookNames())));
      assertTrue(e.getMessage().contains("packed"), e.getMessage());
    }
  }

  /**
   * Packs tokenized snippets of random lengths into rows (2-4 per row, unequal row lengths, so
   * rows are padded too) twice: short rows of under 48 keys and long rows of 48+ (fused attention
   * when on), and checks every hook of every input against the input run alone.
   */
  private static void assertPackingMatches(EncoderModel model, Random r) {
    String[] words = {"int", "x", "=", "foo", "(", ")", ";", "return", "a", "+", "b", "{", "}", "if", "7"};
    for (int keys : new int[] {40, 120}) {
      List<List<int[]>> rows = new ArrayList<>();
      for (int row = 0; row < 3; row++) {
        List<int[]> inputs = new ArrayList<>();
        int room = keys - 4 * row; // unequal lengths: the shorter rows are padded
        int n = 2 + row % 3;
        for (int i = 0; i < n; i++) {
          StringBuilder code = new StringBuilder();
          int[] ids;
          int budget = i == n - 1 ? room : Math.max(3, room / (n - i) + r.nextInt(5) - 2);
          do {
            code.append(words[r.nextInt(words.length)]).append(' ');
            ids = model.tokenizer().encode(code.toString()).ids();
          } while (ids.length < budget - 1);
          if (ids.length > budget) {
            code.setLength(0);
            ids = model.tokenizer().encode("x").ids();
          }
          inputs.add(ids);
          room -= ids.length;
        }
        rows.add(inputs);
      }
      TokenBatch packed = TokenBatch.packed(rows);
      assertTrue(packed.packed());
      if (keys > FusedAttention.MIN_KEYS) {
        assertTrue(packed.maxLength() >= FusedAttention.MIN_KEYS, "long rows: " + packed.maxLength());
      } else {
        assertTrue(packed.maxLength() < FusedAttention.MIN_KEYS, "short rows: " + packed.maxLength());
      }
      try (NDManager m = NDManager.newBaseManager()) {
        Map<HookName, NDArray> cache = model.runWithCache(m, packed, new HashSet<>(model.hookNames()));
        for (HookName h : model.hookNames()) {
          float[][][] got = Arrays3.of(cache.get(h));
          for (int row = 0; row < rows.size(); row++) {
            int at = 0;
            for (int[] ids : rows.get(row)) {
              float[][] alone = Arrays3.of(
                  model.runWithCache(m, new TokenBatch(List.of(ids)), java.util.Set.of(h)).get(h))[0];
              double scale = 1;
              double diff = 0;
              for (int j = 0; j < ids.length; j++) {
                for (int c = 0; c < alone[j].length; c++) {
                  scale = Math.max(scale, Math.abs(alone[j][c]));
                  diff = Math.max(diff, Math.abs(got[row][at + j][c] - alone[j][c]));
                }
              }
              assertTrue(diff / scale < TOLERANCE, model.id() + " " + h + " row " + row + " input at " + at
                  + " (" + ids.length + " ids, rows of " + packed.maxLength() + "): differs by " + diff / scale);
              at += ids.length;
            }
          }
        }
      }
    }
  }
}
