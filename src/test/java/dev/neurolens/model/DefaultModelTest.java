package dev.neurolens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.model.bert.BertEncoder;
import dev.neurolens.model.onnx.OrtReference;
import dev.neurolens.model.onnx.ParityCheck;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bundled BGE-small model: import, parity with ONNX Runtime and the naive reference, tokenizer. */
class DefaultModelTest {
  static EncoderModel model;

  @BeforeAll
  static void load() {
    model = Models.load("default");
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void load_default_bgeSmallArchitecture() {
    ModelConfig c = model.config();
    assertEquals(new ModelConfig("bert", 12, 384, 12, 1536, 512, 30522, 2, 1e-12, 0, "gelu"), c);
    assertEquals(Models.DEFAULT_ID, model.id());
    assertEquals(33_212_160L, model.parameterCount());
    assertEquals(64, model.weightChecksum().length());
    assertEquals(1 + 12 * 6, model.hookNames().size());
  }

  @Test
  void forward_32CodeSnippetsPaddedBatches_matchesOnnxRuntime() {
    List<String> snippets = ParityCheck.codeSnippets(32, 600);
    try (OrtReference ort = OrtReference.create(Models.bundledOnnx(), 2, model.config().padTokenId())) {
      ParityCheck.Report r = ParityCheck.run(model, ort, snippets, 8);
      assertEquals(32, r.inputs());
      assertEquals(4, r.batches());
      assertTrue(r.tokens() > 32 * 20, "tokens " + r.tokens());
      assertTrue(r.maxAbsDiff() <= 1e-4, "max_abs_diff " + r.maxAbsDiff());
    }
  }

  @Test
  void forward_longRowsWhoseAttentionGoesRowByRow_matchesOnnxRuntime() {
    // 6 rows of > 340 tokens on average: the 12 x T x T scores of the batch exceed 32 MB, so the
    // attention runs a row at a time
    List<String> pieces = ParityCheck.codeSnippets(80, 1200);
    List<String> rows = new java.util.ArrayList<>();
    StringBuilder row = new StringBuilder();
    for (String p : pieces) {
      if (row.length() + p.length() > 1700) {
        rows.add(row.toString());
        row.setLength(0);
        if (rows.size() == 6) {
          break;
        }
      }
      row.append(p).append('\n');
    }
    try (OrtReference ort = OrtReference.create(Models.bundledOnnx(), 2, model.config().padTokenId())) {
      ParityCheck.Report r = ParityCheck.run(model, ort, rows, 6);
      assertEquals(1, r.batches());
      assertTrue(r.tokens() > 6 * 340, "tokens " + r.tokens() + ": rows too short to split the attention");
      assertTrue(r.maxAbsDiff() <= 1e-4, "max_abs_diff " + r.maxAbsDiff());
    }
  }

  @Test
  void runWithCache_hiddenStates_matchNaiveReferenceEveryLayer() {
    int[] ids = model.tokenizer().encode("return map.get(key) != null ? 1 : 0;").ids();
    int[] other = model.tokenizer().encode("int i = 0;").ids();
    Set<HookName> hooks = new HashSet<>();
    hooks.add(HookName.embedOut());
    for (int i = 0; i < 12; i++) {
      hooks.add(HookName.residPost(i));
    }
    ReferenceBert ref = new ReferenceBert(model.config(), ((BertEncoder) model).weights()).run(ids);
    try (NDManager m = NDManager.newBaseManager()) {
      Map<HookName, NDArray> c = model.runWithCache(m, new TokenBatch(List.of(other, ids)), hooks);
      for (HookName h : hooks) {
        double d = Arrays3.maxDiff(Arrays3.of(c.get(h))[1], ref.hidden[h.layer()], ids.length);
        assertTrue(d < 1e-4, h + " diff " + d);
      }
    }
  }

  @Test
  void encode_codeWithEmoji_utf16OffsetsAndSpecials() {
    String text = "String s = \"\uD83D\uDE00\"; int café = 1;";
    Encoding e = model.tokenizer().encode(text);
    int n = e.length();
    assertEquals(101, e.ids()[0]);
    assertEquals(102, e.ids()[n - 1]);
    assertTrue(e.special()[0] && e.special()[n - 1]);
    StringBuilder joined = new StringBuilder();
    for (int i = 1; i < n - 1; i++) {
      assertTrue(e.charEnd()[i] > e.charStart()[i]);
      joined.append(text, e.charStart()[i], e.charEnd()[i]);
    }
    assertEquals(text.replace(" ", ""), joined.toString());
  }

  @Test
  void encode_longText_notTruncated() {
    String text = "x ".repeat(1000);
    Encoding e = model.tokenizer().encode(text);
    assertEquals(1002, e.length());
    assertEquals(512, model.tokenizer().maxTokens());
  }
}
