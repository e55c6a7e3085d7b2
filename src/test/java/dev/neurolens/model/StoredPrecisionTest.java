package dev.neurolens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.model.bert.BertCheckpoint;
import dev.neurolens.model.gpt2.Gpt2Checkpoint;
import dev.neurolens.model.llama.LlamaCheckpoint;
import dev.neurolens.model.t5.T5Checkpoint;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * F16 and BF16 checkpoints of every family held in their stored precision: every hook equals the
 * same checkpoint loaded with float32 weights, the double-precision reference of the family still
 * agrees, the weights take about half the native memory (the model's own count equals one made
 * from the safetensors header), and the weight checksum does not depend on the held dtype.
 */
class StoredPrecisionTest {
  @TempDir Path tmp;

  private static List<int[]> rows(EncoderModel model) {
    return List.of(
        model.tokenizer().encode("public static int add(int a, int b) { return a + b; }").ids(),
        model.tokenizer().encode("x = 1").ids(),
        model.tokenizer().encode("def get_name(self):\n\treturn self.name  # 42").ids());
  }

  /** Loads {@code dir} both ways and runs every shared check; returns the stored model's memory. */
  private WeightMemory assertStoredMatchesFloat32(Path dir, String dtype, UnaryOperator<String> canonicalName,
      Function<EncoderModel, Function<int[], FamilyChecks.Ref>> reference) throws Exception {
    try (EncoderModel stored = Models.load(dir.toString(), WeightsDtype.STORED);
        EncoderModel f32 = Models.load(dir.toString(), WeightsDtype.FLOAT32)) {
      List<int[]> rows = rows(stored);
      try (NDManager m = NDManager.newBaseManager()) {
        Map<HookName, NDArray> a = stored.runWithCache(m, new TokenBatch(rows), new HashSet<>(stored.hookNames()));
        Map<HookName, NDArray> b = f32.runWithCache(m, new TokenBatch(rows), new HashSet<>(f32.hookNames()));
        for (HookName h : stored.hookNames()) {
          float[][][] x = Arrays3.of(a.get(h));
          float[][][] y = Arrays3.of(b.get(h));
          for (int r = 0; r < rows.size(); r++) {
            double d = relDiff(x[r], y[r], rows.get(r).length);
            assertTrue(d < FamilyChecks.TOLERANCE, dtype + " " + h + " row " + r + ": stored vs float32 differ by " + d);
          }
        }
      }
      Function<int[], FamilyChecks.Ref> ref = reference.apply(stored);
      if (ref != null) {
        FamilyChecks.assertEveryHookMatches(stored, rows, ref);
      }
      assertEquals(f32.weightChecksum(), stored.weightChecksum(), "checksum independent of the held dtype");
      WeightMemory ms = stored.weightMemory();
      WeightMemory mf = f32.weightMemory();
      Path file = dir.resolve("model.safetensors");
      assertEquals(dtype, ms.storedDtypes());
      assertEquals(HalfCheckpoints.residentBytes(file, canonicalName, 2), ms.residentBytes());
      assertEquals(HalfCheckpoints.residentBytes(file, canonicalName, 4), mf.residentBytes());
      assertEquals(mf.residentBytes(), ms.float32Bytes());
      double ratio = (double) ms.residentBytes() / mf.residentBytes();
      assertTrue(ratio > 0.5 && ratio < 0.56, dtype + ": stored / float32 resident bytes = " + ratio);
      System.out.printf("%s %s: resident %d bytes stored, %d float32 (ratio %.3f), block work %d bytes%n",
          stored.config().family().label(), dtype, ms.residentBytes(), mf.residentBytes(), ratio, ms.blockBytes());
      return ms;
    }
  }

  private static double relDiff(float[][] a, float[][] b, int t) {
    double scale = 1;
    for (int j = 0; j < t; j++) {
      for (float v : b[j]) {
        scale = Math.max(scale, Math.abs(v));
      }
    }
    return Arrays3.maxDiff(a, b, t) / scale;
  }

  @ParameterizedTest
  @ValueSource(strings = {"BF16", "F16"})
  void load_gpt2HalfCheckpoint_matchesFloat32AndReference(String dtype) throws Exception {
    Path dir = HalfCheckpoints.copyAs(TinyFamilies.gpt2(tmp.resolve("g"), 5, TinyFamilies.Spec.small()),
        tmp.resolve("g" + dtype), dtype);
    assertStoredMatchesFloat32(dir, dtype, Gpt2Checkpoint::canonicalName, model -> {
      ReferenceGpt2 ref = new ReferenceGpt2(model.config(), TinyFamilies.checkpoint(dir));
      return ids -> {
        ref.run(ids);
        return new FamilyChecks.Ref(Map.copyOf(ref.hooks), ref.last);
      };
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"BF16", "F16"})
  void load_llamaHalfCheckpoint_matchesFloat32AndReference(String dtype) throws Exception {
    Path dir = HalfCheckpoints.copyAs(TinyFamilies.llama(tmp.resolve("l"), 5, TinyFamilies.Spec.small(), Map.of()),
        tmp.resolve("l" + dtype), dtype);
    assertStoredMatchesFloat32(dir, dtype, LlamaCheckpoint::canonicalName, model -> {
      ReferenceLlama ref = new ReferenceLlama(model.config(), TinyFamilies.checkpoint(dir), 2, 10_000, 1);
      return ids -> {
        ref.run(ids);
        return new FamilyChecks.Ref(Map.copyOf(ref.hooks), ref.last);
      };
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"BF16", "F16"})
  void load_t5HalfCheckpoint_matchesFloat32AndReference(String dtype) throws Exception {
    Path dir = HalfCheckpoints.copyAs(TinyFamilies.t5(tmp.resolve("t"), 5, TinyFamilies.Spec.small(), true),
        tmp.resolve("t" + dtype), dtype);
    assertStoredMatchesFloat32(dir, dtype, T5Checkpoint::canonicalName, model -> {
      ReferenceT5 ref = new ReferenceT5(model.config(), TinyFamilies.checkpoint(dir), 8, 16, true);
      return ids -> {
        ref.run(ids);
        return new FamilyChecks.Ref(Map.copyOf(ref.hooks), ref.last);
      };
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"BF16", "F16"})
  void load_bertHalfCheckpoint_matchesFloat32AndReference(String dtype) throws Exception {
    Path f32 = tmp.resolve("b");
    try (EncoderModel m = TinyModels.random(5)) {
      Models.export(m, f32);
    }
    Path dir = HalfCheckpoints.copyAs(f32, tmp.resolve("b" + dtype), dtype);
    assertStoredMatchesFloat32(dir, dtype, BertCheckpoint::canonicalName, model -> null);
    // ReferenceBert yields embed.out, each resid_post and mlp.pre
    try (EncoderModel model = Models.load(dir.toString(), WeightsDtype.STORED); NDManager m = NDManager.newBaseManager()) {
      ReferenceBert ref = new ReferenceBert(model.config(), BertCheckpoint.canonicalize(TinyFamilies.checkpoint(dir), "t"));
      List<int[]> rows = rows(model);
      Map<HookName, NDArray> cache = model.runWithCache(m, new TokenBatch(rows), new HashSet<>(model.hookNames()));
      for (int r = 0; r < rows.size(); r++) {
        ref.run(rows.get(r));
        Map<HookName, double[][]> expected = new HashMap<>();
        expected.put(HookName.embedOut(), ref.hidden[0]);
        for (int i = 0; i < model.config().numLayers(); i++) {
          expected.put(HookName.residPost(i), ref.hidden[i + 1]);
          expected.put(HookName.of(i, HookName.Site.MLP_PRE), ref.mlpPre[i]);
        }
        for (Map.Entry<HookName, double[][]> e : expected.entrySet()) {
          double d = FamilyChecks.relDiff(Arrays3.of(cache.get(e.getKey()))[r], e.getValue(), rows.get(r).length);
          assertTrue(d < FamilyChecks.TOLERANCE, dtype + " " + e.getKey() + " row " + r + " vs reference: " + d);
        }
      }
    }
  }
}
