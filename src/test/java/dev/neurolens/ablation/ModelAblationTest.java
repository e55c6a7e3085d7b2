package dev.neurolens.ablation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.activation.DenseActivations;
import dev.neurolens.redundancy.LayerSimilarity;
import dev.neurolens.redundancy.StreamingCka;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.HookName;
import dev.neurolens.model.Intervention;
import dev.neurolens.model.TinyModels;
import dev.neurolens.model.TokenBatch;
import dev.neurolens.util.NeuroLensException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ModelAblationTest {

  static final List<String> CODES = List.of(
      "public int add(int a, int b) { return a + b; }",
      "for (int i = 0; i < n; i++) { sum += i; }",
      "if (x == null) { return false; } else { return true; }",
      "class Foo { private static void bar() { while (true) { } } }",
      "return value;");
  static EncoderModel model;

  @BeforeAll
  static void load() {
    model = TinyModels.random(11);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static ModelAblation.Options opts(ModelAblation.Mode mode) {
    return new ModelAblation.Options(mode, ModelAblation.Baseline.RANDOM, 7, 2, 0.15);
  }

  @Test
  void run_emptySet_ckaOneAndNoLossChange() {
    ModelAblationResult r =
        ModelAblation.run(model, CODES, Map.of(HookName.residPost(0), new int[0]), opts(ModelAblation.Mode.ZERO));
    assertEquals(1.0, r.target().cka(), 1e-9);
    assertEquals(1.0, r.target().meanCosine(), 1e-6);
    assertNotNull(r.cleanLoss());
    assertTrue(r.maskedTokens() >= CODES.size());
    assertEquals(0.0, r.target().lossDelta(), 1e-9);
    assertEquals(0.0, r.random().lossDelta(), 1e-9);
  }

  @Test
  void run_zeroWholeFirstBlock_changesLossAndLowersCka() {
    int[] all = IntStream.range(0, TinyModels.HIDDEN).toArray();
    ModelAblationResult r =
        ModelAblation.run(model, CODES, Map.of(HookName.residPost(0), all), opts(ModelAblation.Mode.ZERO));
    assertTrue(r.target().cka() < 0.9, "cka " + r.target().cka());
    assertTrue(Math.abs(r.target().lossDelta()) > 1e-3, "delta " + r.target().lossDelta());
    assertEquals(TinyModels.HIDDEN, r.neurons());
    // random baseline with as many neurons at the same hook = the same full set
    assertEquals(r.target().cka(), r.random().cka(), 1e-9);
  }

  @Test
  void run_meanMode_matchesHandComputedMeanIntervention() {
    HookName h = HookName.of(1, HookName.Site.MLP_PRE);
    int[] idx = {3, 17, 40};
    ModelAblationResult r = ModelAblation.run(model, CODES, Map.of(h, idx),
        new ModelAblation.Options(ModelAblation.Mode.MEAN, ModelAblation.Baseline.NONE, 7, 5, 0.15));
    // independent reference: one batch of all snippets, means via NDArray over real tokens
    TokenBatch batch = TokenBatch.of(CODES.stream().map(c -> model.tokenizer().encode(c)).toList());
    double cosSum = 0;
    long n = 0;
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray act = model.runWithCache(m, batch, Set.of(h)).get(h);
      float[] means = new float[idx.length];
      for (int k = 0; k < idx.length; k++) {
        double s = 0;
        for (int b = 0; b < batch.size(); b++) {
          int len = batch.ids().get(b).length;
          s += act.get(b).get("0:" + len + "," + idx[k]).sum().getFloat();
        }
        means[k] = (float) (s / batch.tokenCount());
      }
      NDArray clean = model.forward(m, batch);
      NDArray abl = model.runWithHooks(m, batch, Map.of(h, Intervention.mean(idx, means)));
      for (int b = 0; b < batch.size(); b++) {
        for (int t = 0; t < batch.ids().get(b).length; t++) {
          cosSum += ModelAblation.cosine(clean.get(b, t).toFloatArray(), abl.get(b, t).toFloatArray());
          n++;
        }
      }
    }
    assertEquals(batch.tokenCount(), r.tokens());
    assertEquals(cosSum / n, r.target().meanCosine(), 1e-5);
    assertTrue(r.target().meanCosine() < 1.0 - 1e-6);
    assertEquals(null, r.random());
  }

  @Test
  void cka_matchesDirectFormulaAndIsScaleInvariant() {
    Random rnd = new Random(3);
    int n = 40;
    int d = 5;
    float[][] x = new float[n][d];
    float[][] y = new float[n][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        x[i][j] = (float) rnd.nextGaussian();
        y[i][j] = (float) (0.5 * x[i][j] + rnd.nextGaussian());
      }
    }
    StreamingCka c = new StreamingCka(d);
    StreamingCka self = new StreamingCka(d);
    for (int i = 0; i < n; i++) {
      c.add(x[i], y[i]);
      float[] x3 = new float[d];
      for (int j = 0; j < d; j++) {
        x3[j] = 3 * x[i][j] + 1;
      }
      self.add(x[i], x3);
    }
    assertEquals(1.0, self.value(), 1e-9);
    assertEquals(directCka(x, y), c.value(), 1e-9);
    // the same pairs as two matrices through LayerSimilarity (float32 products): the same CKA
    double[][] m = LayerSimilarity.between(DenseActivations.of(x), 1, d, DenseActivations.of(y), 1, d).cka();
    assertEquals(c.value(), m[0][0], 1e-5);
  }

  /** tr(K L) form with centred Gram matrices K = XcXc', L = YcYc'. */
  private static double directCka(float[][] x, float[][] y) {
    double[][] xc = centre(x);
    double[][] yc = centre(y);
    int n = x.length;
    double[][] k = new double[n][n];
    double[][] l = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        for (int f = 0; f < xc[0].length; f++) {
          k[i][j] += xc[i][f] * xc[j][f];
          l[i][j] += yc[i][f] * yc[j][f];
        }
      }
    }
    double kl = 0;
    double kk = 0;
    double ll = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        kl += k[i][j] * l[i][j];
        kk += k[i][j] * k[i][j];
        ll += l[i][j] * l[i][j];
      }
    }
    return kl / Math.sqrt(kk * ll);
  }

  private static double[][] centre(float[][] a) {
    int n = a.length;
    int d = a[0].length;
    double[][] c = new double[n][d];
    for (int j = 0; j < d; j++) {
      double m = 0;
      for (float[] row : a) {
        m += row[j];
      }
      m /= n;
      for (int i = 0; i < n; i++) {
        c[i][j] = a[i][j] - m;
      }
    }
    return c;
  }

  @Test
  void run_indexOutsideHookWidth_oneLineError() {
    NeuroLensException e = assertThrows(NeuroLensException.class, () ->
        ModelAblation.run(model, CODES, Map.of(HookName.residPost(0), new int[] {TinyModels.HIDDEN}),
            opts(ModelAblation.Mode.ZERO)));
    assertTrue(e.getMessage().contains("[0, 32)"), e.getMessage());
    assertThrows(NeuroLensException.class, () ->
        ModelAblation.run(model, CODES, Map.of(HookName.residPost(9), new int[] {0}), opts(ModelAblation.Mode.ZERO)));
  }

  @Test
  void parse_inlineAndLines_groupsByHookWithoutDuplicates() throws Exception {
    Map<HookName, int[]> s = NeuronSet.parse("blocks.1.resid_post:17,blocks.0.mlp.pre:3,blocks.1.resid_post:17", 0);
    assertEquals(2, s.size());
    assertEquals(List.of(17), IntStream.of(s.get(HookName.residPost(1))).boxed().toList());
    java.nio.file.Path f = java.nio.file.Files.createTempFile("neurons", ".txt");
    java.nio.file.Files.writeString(f, "# top\nblocks.0.resid_post 4\nblocks.0.resid_post 9\nembed.out 1\n");
    Map<HookName, int[]> t = NeuronSet.parse(f.toString(), 2);
    assertEquals(1, t.size());
    assertEquals(List.of(4, 9), IntStream.of(t.get(HookName.residPost(0))).boxed().toList());
    java.nio.file.Files.delete(f);
    assertThrows(NeuroLensException.class, () -> NeuronSet.parse("blocks.x.resid_post:1", 0));
    assertThrows(NeuroLensException.class, () -> NeuronSet.parse("blocks.0.resid_post:-1", 0));
  }
}
