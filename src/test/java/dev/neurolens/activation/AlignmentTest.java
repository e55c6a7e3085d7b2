package dev.neurolens.activation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AlignmentTest {

  @Test
  void align_manyPieceTokenAndSpecials_mapsEachPieceToItsToken() {
    // "getValue(x)" -> [CLS] get ##val ##ue ( x ) [SEP]; code tokens getValue ( x )
    int[] ps = {0, 0, 3, 6, 8, 9, 10, 0};
    int[] pe = {0, 3, 6, 8, 9, 10, 11, 0};
    boolean[] sp = {true, false, false, false, false, false, false, true};
    PieceAlignment a = PieceAlignment.align(ps, pe, sp, new int[] {0, 8, 9, 10}, new int[] {8, 9, 10, 11});
    assertArrayEquals(new int[] {1, 2, 3}, a.pieces(0));
    assertArrayEquals(new int[] {4}, a.pieces(1));
    assertArrayEquals(new int[] {5}, a.pieces(2));
    assertArrayEquals(new int[] {6}, a.pieces(3));
  }

  @Test
  void align_pieceMergedAcrossTokens_belongsToBoth() {
    // "f()->x": code tokens f ( ) -> x ; pieces f ( )-> x  (")->" merged into one piece)
    int[] ps = {0, 1, 2, 5};
    int[] pe = {1, 2, 5, 6};
    boolean[] sp = new boolean[4];
    PieceAlignment a =
        PieceAlignment.align(ps, pe, sp, new int[] {0, 1, 2, 3, 5}, new int[] {1, 2, 3, 5, 6});
    assertArrayEquals(new int[] {2}, a.pieces(2));
    assertArrayEquals(new int[] {2}, a.pieces(3));
    assertArrayEquals(new int[] {3}, a.pieces(4));
  }

  @Test
  void align_tokenWithoutPieces_getsNone() {
    // the tokenizer dropped the control character at [2, 3)
    int[] ps = {0, 4};
    int[] pe = {2, 5};
    PieceAlignment a =
        PieceAlignment.align(ps, pe, new boolean[2], new int[] {0, 2, 4}, new int[] {2, 3, 5});
    assertEquals(0, a.count(1));
    assertArrayEquals(new int[] {1}, a.pieces(2));
  }

  @Test
  void align_unsortedPieces_fallsBackToFullScan() {
    int[] ps = {3, 0};
    int[] pe = {5, 3};
    PieceAlignment a =
        PieceAlignment.align(ps, pe, new boolean[2], new int[] {0, 3}, new int[] {3, 5});
    assertArrayEquals(new int[] {1}, a.pieces(0));
    assertArrayEquals(new int[] {0}, a.pieces(1));
  }

  @Test
  void aggregate_firstLastAverage_matchHandComputedValues() {
    float[] rows = {1, 2, 3, 4, 5, 6, 7, 9}; // 4 positions x width 2
    int[] pos = {1, 2, 3};
    float[] dst = new float[6];
    Aggregator.aggregate(Aggregation.FIRST, rows, 2, pos, dst, 0);
    Aggregator.aggregate(Aggregation.LAST, rows, 2, pos, dst, 2);
    Aggregator.aggregate(Aggregation.AVERAGE, rows, 2, pos, dst, 4);
    assertArrayEquals(new float[] {3, 4, 7, 9, 5, 19f / 3}, dst);
    Aggregator.aggregate(Aggregation.AVERAGE, rows, 2, new int[0], dst, 0);
    assertArrayEquals(new float[] {0, 0}, java.util.Arrays.copyOf(dst, 2));
  }

  /** One piece per token for tokens of 1..3 pieces: token k has (k % 3) + 1 pieces. */
  private static PieceAlignment tokens(int t, int[] tokenPieces) {
    int p = 0;
    for (int k = 0; k < t; k++) {
      p += tokenPieces[k];
    }
    int[] ps = new int[p + 2];
    int[] pe = new int[p + 2];
    boolean[] sp = new boolean[p + 2];
    sp[0] = true;
    sp[p + 1] = true;
    int[] ts = new int[t];
    int[] te = new int[t];
    int pos = 1;
    int ch = 0;
    for (int k = 0; k < t; k++) {
      ts[k] = ch;
      for (int i = 0; i < tokenPieces[k]; i++) {
        ps[pos] = ch;
        pe[pos] = ch + 1;
        ch++;
        pos++;
      }
      te[k] = tokenPieces[k] == 0 ? ch + 1 : ch;
      if (tokenPieces[k] == 0) {
        ch++;
      }
    }
    return PieceAlignment.align(ps, pe, sp, ts, te);
  }

  @Test
  void windows_threeTimesTheBudget_coverEveryTokenOnce() {
    int t = 90;
    int[] n = new int[t];
    int total = 0;
    for (int k = 0; k < t; k++) {
      n[k] = k % 13 == 5 ? 0 : 1 + k % 3;
      total += n[k];
    }
    PieceAlignment a = tokens(t, n);
    int budget = total / 3;
    for (int context : new int[] {0, 4}) {
      List<Windows.Window> ws = Windows.plan(a, 1, total + 1, budget, context);
      assertTrue(ws.size() >= 3, "windows: " + ws.size());
      int next = 0;
      for (Windows.Window w : ws) {
        assertEquals(next, w.tokenLo());
        assertTrue(w.pieceCount() <= budget, w.toString());
        for (int k = w.tokenLo(); k < w.tokenHi(); k++) {
          for (int p : a.pieces(k)) {
            assertTrue(p >= w.pieceLo() && p < w.pieceHi(), "token " + k + " outside " + w);
          }
        }
        next = w.tokenHi();
      }
      assertEquals(t, next);
      if (context > 0) {
        Windows.Window second = ws.get(1);
        assertTrue(second.pieceLo() < a.firstPiece(second.tokenLo()), "left context expected");
      }
    }
  }

  @Test
  void windows_shortSnippet_isOneWindowOfAllPieces() {
    PieceAlignment a = tokens(4, new int[] {1, 2, 1, 1});
    assertEquals(List.of(new Windows.Window(0, 4, 1, 6)), Windows.plan(a, 1, 6, 10, 2));
  }

  @Test
  void windows_tokenLargerThanBudget_keepsItsFirstPieces() {
    PieceAlignment a = tokens(3, new int[] {1, 9, 1});
    List<Windows.Window> ws = Windows.plan(a, 1, 12, 4, 0);
    assertEquals(new Windows.Window(1, 2, 2, 6), ws.get(1));
    assertEquals(3, ws.get(ws.size() - 1).tokenHi());
  }
}
