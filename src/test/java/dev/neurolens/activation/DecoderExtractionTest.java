package dev.neurolens.activation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Encoding;
import dev.neurolens.model.HookName;
import dev.neurolens.model.Models;
import dev.neurolens.model.TinyFamilies;
import dev.neurolens.model.TokenBatch;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Piece alignment with the decoder tokenizers, and extraction from a causal model. */
class DecoderExtractionTest {
  private static final Pattern CODE_TOKEN =
      Pattern.compile("[\\p{L}_][\\p{L}\\p{N}_]*|\\d+|==|//|\\S", Pattern.UNICODE_CHARACTER_CLASS);
  /** Tabs, runs of spaces, a leading space, accents, CJK, an emoji (a surrogate pair), newlines. */
  static final String CODE = "\tint  x = 'h\u00e9'; // \u4e2d\u6587 \ud83d\ude00\n    return x+1;\n\t\tif (a == b) {}";

  @TempDir Path tmp;

  static List<StoredToken> codeTokens(String code) {
    List<StoredToken> tokens = new ArrayList<>();
    Matcher m = CODE_TOKEN.matcher(code);
    while (m.find()) {
      tokens.add(new StoredToken(m.group(), m.start(), m.end(), 0, List.of(Character.isLetter(m.group().codePointAt(0))
          ? "word" : "other")));
    }
    return tokens;
  }

  private static void assertAligned(EncoderModel model, String code) {
    Encoding e = model.tokenizer().encode(code);
    List<StoredToken> tokens = codeTokens(code);
    int[] ts = tokens.stream().mapToInt(StoredToken::start).toArray();
    int[] te = tokens.stream().mapToInt(StoredToken::end).toArray();
    PieceAlignment a = PieceAlignment.align(e.charStart(), e.charEnd(), e.special(), ts, te);
    boolean[] covered = new boolean[code.length()];
    for (int p = 0; p < e.length(); p++) {
      if (e.special()[p]) {
        continue;
      }
      int s = e.charStart()[p];
      int t = e.charEnd()[p];
      assertTrue(s >= 0 && s <= t && t <= code.length(), model.id() + ": piece " + p + " span " + s + ".." + t);
      assertTrue(!Character.isLowSurrogate(code.charAt(s)) && (t == code.length()
          || !Character.isLowSurrogate(code.charAt(t))), "piece " + p + " splits a surrogate pair");
      for (int c = s; c < t; c++) {
        covered[c] = true;
      }
    }
    for (int c = 0; c < code.length(); c++) {
      assertTrue(covered[c] || Character.isWhitespace(code.charAt(c)), model.id() + ": character " + c + " '"
          + code.charAt(c) + "' has no piece");
    }
    for (int k = 0; k < tokens.size(); k++) {
      assertTrue(a.count(k) > 0, "code token " + tokens.get(k).text() + " has no piece");
      boolean[] mine = new boolean[code.length()];
      for (int p : a.pieces(k)) {
        assertTrue(e.charStart()[p] < te[k] && e.charEnd()[p] > ts[k], "piece " + p + " does not overlap token " + k);
        for (int c = e.charStart()[p]; c < e.charEnd()[p]; c++) {
          mine[c] = true;
        }
      }
      for (int c = ts[k]; c < te[k]; c++) {
        assertTrue(mine[c], "character " + c + " of token '" + tokens.get(k).text() + "' is in none of its pieces");
      }
    }
  }

  @Test
  void align_decoderTokenizersOnCodeWithTabsSpacesAndMultibyte_everyTokenCovered() {
    try (EncoderModel gpt2 = Models.load(TinyFamilies.gpt2(tmp.resolve("g"), 1, TinyFamilies.Spec.small()).toString());
        EncoderModel llama = Models.load(TinyFamilies.llama(tmp.resolve("l"), 1, TinyFamilies.Spec.small(), Map.of())
            .toString());
        EncoderModel t5 = Models.load(TinyFamilies.t5(tmp.resolve("t"), 1, TinyFamilies.Spec.small(), false)
            .toString())) {
      for (EncoderModel m : List.of(gpt2, llama, t5)) {
        assertAligned(m, CODE);
        assertAligned(m, " leading = space;");
      }
      // byte-level BPE without specials: a, Ġ, then é as two byte pieces that both span its one character
      Encoding g = gpt2.tokenizer().encode("a \u00e9");
      assertEquals(4, g.length());
      assertArrayEquals(new int[] {0, 1, 2, 2}, g.charStart());
      assertArrayEquals(new int[] {1, 2, 3, 3}, g.charEnd());
      // sentencepiece: <s> first, ▁ prepended, é by byte fallback (two pieces, one character)
      Encoding l = llama.tokenizer().encode("\u00e9");
      assertTrue(l.special()[0]);
      // ids: <s>=1, the prepended ▁ (aligned to the first character), <0xC3>, <0xA9> (byte b has id 3 + b)
      assertArrayEquals(new int[] {1, 259, 3 + 0xC3, 3 + 0xA9}, l.ids());
      assertArrayEquals(new int[] {-1, 0, 0, 0}, l.charStart());
      assertArrayEquals(new int[] {-1, 1, 1, 1}, l.charEnd());
    }
  }

  @Test
  void extract_gpt2_lastPieceRowsAndLastPositionSentenceVector() {
    Path dir = TinyFamilies.gpt2(tmp.resolve("gpt2"), 5, TinyFamilies.Spec.small());
    List<String> code = List.of(CODE, "x = 1", "public static void main() { return; }");
    List<ExtractionInput> inputs = new ArrayList<>();
    for (int i = 0; i < code.size(); i++) {
      inputs.add(new ExtractionInput("s" + i, "test", code.get(i), codeTokens(code.get(i)), List.of()));
    }
    HookName top = HookName.residPost(1);
    try (EncoderModel model = Models.load(dir.toString()); NDManager m = NDManager.newBaseManager()) {
      ExtractOptions o = ExtractOptions.builder().optDtype(StoreDtype.FLOAT32).optBatchTokens(64)
          .addTask(TaskSpec.tokenTask("kind")).build();
      assertEquals(Aggregation.LAST, o.aggregation());
      new Extractor(o).extract(model, inputs, tmp.resolve("store"), StoreWriter.Mode.OVERWRITE);
      try (ActivationStore store = ActivationStore.open(tmp.resolve("store"))) {
        assertEquals(SentenceRep.LAST, store.sentencePosition());
        NeuroLensException e = assertThrows(NeuroLensException.class,
            () -> store.sentenceView(SentenceRep.FIRST, List.of(top), null));
        assertTrue(e.getMessage().contains("last-position"), e.getMessage());
        ActivationMatrix sentences = store.sentenceView(SentenceRep.LAST, List.of(top), null);
        ActivationMatrix rows = store.view(List.of(top), null);
        int d = model.config().hiddenSize();
        int row = 0;
        for (int s = 0; s < code.size(); s++) {
          Encoding enc = model.tokenizer().encode(code.get(s));
          float[][] direct = Arrays3Access.rows(model.runWithCache(m, new TokenBatch(List.of(enc.ids())), Set.of(top))
              .get(top));
          float[] last = new float[d];
          sentences.read(s, 1, last);
          assertArrayEquals(direct[enc.length() - 1], last, 1e-4f, "snippet " + s + ": last position");
          List<StoredToken> tokens = codeTokens(code.get(s));
          PieceAlignment a = PieceAlignment.align(enc.charStart(), enc.charEnd(), enc.special(),
              tokens.stream().mapToInt(StoredToken::start).toArray(), tokens.stream().mapToInt(StoredToken::end).toArray());
          float[] got = new float[d];
          for (int k = 0; k < tokens.size(); k++, row++) {
            rows.read(row, 1, got);
            assertArrayEquals(direct[a.lastPiece(k)], got, 1e-4f, "snippet " + s + " token " + k);
          }
        }
      }
    }
  }

  /** (1, T, D) -> float[T][D]. */
  static final class Arrays3Access {
    static float[][] rows(NDArray a) {
      int t = (int) a.getShape().get(1);
      int d = (int) a.getShape().get(2);
      float[] flat = a.toFloatArray();
      float[][] out = new float[t][d];
      for (int j = 0; j < t; j++) {
        System.arraycopy(flat, j * d, out[j], 0, d);
      }
      return out;
    }
  }
}
