package dev.neurolens.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.FloatTensor;
import dev.neurolens.model.Models;
import dev.neurolens.model.TinyModels;
import dev.neurolens.model.bert.BertCheckpoint;
import dev.neurolens.model.bert.BertEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FineTunerTest {
  private static final String[] FILLER = {"x", "y", "value", "name", "get", "set", "=", ";", "+", "list", "map"};

  /** Label "loop" when the code holds a while loop, "ret" when it returns: separable by one token. */
  static List<Example> separable(int n, long seed) {
    Random r = new Random(seed);
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean loop = r.nextBoolean();
      StringBuilder sb = new StringBuilder();
      int len = 4 + r.nextInt(10);
      int at = r.nextInt(len);
      for (int k = 0; k < len; k++) {
        if (k == at) {
          sb.append(loop ? "while ( x ) " : "return x ; ");
        }
        sb.append(FILLER[r.nextInt(FILLER.length)]).append(' ');
      }
      out.add(new Example("synthetic#" + i, sb.toString(), null, loop ? "loop" : "ret"));
    }
    return out;
  }

  static FinetuneOptions tinyOptions() {
    return FinetuneOptions.defaults().withEpochs(4).withLearningRates(2e-3f, 2e-2f).withBatch(16, 2048)
        .withLengths(48, 16).withDropout(0f).withPatience(4).withPooling("mean");
  }

  static Datasets.Dataset classifyData() {
    return Datasets.split(DownstreamTask.parse("classify"), "synthetic", separable(400, 3), new Datasets.Sizes(60, 100, 0), 5);
  }

  @Test
  void classify_separableSyntheticTask_reachesHighAccuracy_andFrozenWeightsStayBitIdentical(@TempDir Path dir) {
    try (EncoderModel model = TinyModels.random(11)) {
      Map<String, FloatTensor> before = ((BertEncoder) model).weights();
      FinetuneResult r = FineTuner.run(model, classifyData(), tinyOptions().withFreeze(1), dir.resolve("out"), s -> { });
      assertTrue(r.test().all().get("accuracy") >= 0.95, "test accuracy " + r.test());
      assertEquals("1", r.freeze());
      try (EncoderModel tuned = Models.load(dir.resolve("out").toString())) {
        Map<String, FloatTensor> after = ((BertEncoder) tuned).weights();
        int changed = 0;
        for (Map.Entry<String, FloatTensor> e : before.entrySet()) {
          boolean frozen = e.getKey().startsWith("embeddings.") || e.getKey().startsWith(BertCheckpoint.block(0, ""));
          boolean same = java.util.Arrays.equals(e.getValue().data(), after.get(e.getKey()).data());
          if (frozen) {
            assertTrue(same, e.getKey() + " is frozen but changed");
          } else if (e.getKey().startsWith("encoder.") && !same) {
            changed++;
          }
        }
        assertTrue(changed >= 10, "only " + changed + " block-1 weights changed");
        // the exported model and head reproduce the recorded test score
        FinetuneResult.Score again = FineTuner.evaluateTest(tuned, classifyData(), tinyOptions(), dir.resolve("out/head.safetensors"));
        assertEquals(r.test().value(), again.value(), 1e-9);
      }
      assertTrue(Files.isRegularFile(dir.resolve("out/training.json")));
      assertFalse(Files.exists(dir.resolve("out/checkpoints")));
      FinetuneResult read = FinetuneResult.read(dir.resolve("out/training.json"));
      assertEquals(r.weightsSha256(), read.weightsSha256());
      assertEquals(r.curve().size(), read.curve().size());
    }
  }

  @Test
  void sameSeed_sameWeights_otherSeed_otherWeights(@TempDir Path dir) {
    FinetuneOptions o = tinyOptions().withEpochs(1).withDropout(0.1f);
    try (EncoderModel model = TinyModels.random(11)) {
      FinetuneResult a = FineTuner.run(model, classifyData(), o, dir.resolve("a"), s -> { });
      FinetuneResult b = FineTuner.run(model, classifyData(), o, dir.resolve("b"), s -> { });
      FinetuneResult c = FineTuner.run(model, classifyData(), o.withSeed(43), dir.resolve("c"), s -> { });
      assertEquals(a.weightsSha256(), b.weightsSha256());
      assertNotEquals(a.weightsSha256(), c.weightsSha256());
    }
  }

  @Test
  void pairs_sameKindOfSnippet_isLearned_andScoredWithF1(@TempDir Path dir) {
    List<Example> singles = separable(600, 21);
    List<Example> pairs = new ArrayList<>();
    for (int i = 0; i + 1 < singles.size(); i += 2) {
      Example a = singles.get(i);
      Example b = singles.get(i + 1);
      pairs.add(new Example("pair#" + i, a.a(), b.a(), a.label().equals(b.label()) ? "1" : "0"));
    }
    Datasets.Dataset data = Datasets.split(DownstreamTask.parse("pairs"), "synthetic", pairs, new Datasets.Sizes(30, 60, 0), 4);
    try (EncoderModel model = TinyModels.random(11)) {
      FinetuneResult r = FineTuner.run(model, data, tinyOptions().withEpochs(6).withPatience(6), dir.resolve("p"), s -> { });
      assertEquals("f1", r.test().metric());
      assertEquals(List.of("0", "1"), r.data().labels());
      assertTrue(r.test().value() >= 0.85, "pair F1 " + r.test());
      assertEquals(r.test().all().get("f1"), r.test().value(), 0.0);
    }
  }

  @Test
  void classifyTask_fromACorpus_usesTheSentenceLabels(@TempDir Path dir) throws Exception {
    Path src = dir.resolve("src");
    Files.createDirectories(src);
    StringBuilder sb = new StringBuilder("class A {\n");
    for (int i = 0; i < 60; i++) {
      sb.append(i % 2 == 0 ? "  void m" + i + "(int x) { x = x + " + i + "; }\n" : "  int m" + i + "(int x) { return x + " + i + "; }\n");
    }
    Files.writeString(src.resolve("A.java"), sb.append("}\n").toString());
    Datasets.Dataset data = Datasets.load(DownstreamTask.parse("classify:returns-void"), src.toString(), null, null,
        new Datasets.Sizes(10, 10, 0), 1);
    assertEquals(60, data.available());
    for (Example e : data.train()) {
      assertEquals(e.a().startsWith("void") ? "yes" : "no", e.label(), e.a());
    }
  }
}
