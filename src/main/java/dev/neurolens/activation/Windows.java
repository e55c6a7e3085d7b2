package dev.neurolens.activation;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a tokenized snippet that is longer than the model's positions into windows on code-token
 * boundaries, so that no code token is lost to truncation.
 *
 * <p>Each window owns a run of code tokens and feeds the model the pieces from the first piece of
 * its first token to the last piece of its last token, plus up to {@code context} code tokens on
 * each side (whose vectors are taken from the window that owns them), wrapped in the snippet's
 * leading and trailing special pieces. Windows are packed greedily. A single token with more
 * pieces than a window holds keeps its first {@code budget} pieces.
 */
final class Windows {
  private Windows() {}

  /**
   * One model input cut from a snippet's encoding.
   *
   * @param tokenLo first owned code token
   * @param tokenHi end (exclusive) of the owned code tokens
   * @param pieceLo first piece (position in the full encoding) fed to the model
   * @param pieceHi end (exclusive) of the pieces fed to the model
   */
  record Window(int tokenLo, int tokenHi, int pieceLo, int pieceHi) {
    int pieceCount() {
      return pieceHi - pieceLo;
    }
  }

  /**
   * Plans the windows of one snippet.
   *
   * @param a the alignment of pieces to code tokens
   * @param realLo first non-special piece (= number of leading specials)
   * @param realHi end of the non-special pieces (trailing specials follow)
   * @param budget pieces per window, specials excluded (>= 1)
   * @param context code tokens of overlap on each side (>= 0)
   */
  static List<Window> plan(PieceAlignment a, int realLo, int realHi, int budget, int context) {
    if (budget < 1) {
      throw new IllegalArgumentException("window budget must be >= 1, found " + budget);
    }
    int t = a.tokens();
    List<Window> out = new ArrayList<>();
    if (realHi - realLo <= budget) {
      out.add(new Window(0, t, realLo, realHi));
      return out;
    }
    // next[k]: first token >= k with pieces (t if none); prev[k]: last token < k with pieces (-1)
    int[] next = new int[t + 1];
    next[t] = t;
    for (int k = t - 1; k >= 0; k--) {
      next[k] = a.count(k) > 0 ? k : next[k + 1];
    }
    int[] prev = new int[t + 1];
    prev[0] = -1;
    for (int k = 1; k <= t; k++) {
      prev[k] = a.count(k - 1) > 0 ? k - 1 : prev[k - 1];
    }
    int lo = 0;
    while (lo < t) {
      int hi = lo + 1;
      int ctx = context;
      if (span(a, next, prev, lo, hi, ctx, t) > budget) {
        ctx = 0;
      }
      if (span(a, next, prev, lo, hi, 0, t) > budget) {
        // one token larger than a window: keep its first pieces
        int first = a.firstPiece(lo);
        out.add(new Window(lo, hi, first, first + budget));
        lo = hi;
        continue;
      }
      while (hi < t && span(a, next, prev, lo, hi + 1, ctx, t) <= budget) {
        hi++;
      }
      int from = next[Math.max(0, lo - ctx)];
      int to = prev[Math.min(t, hi + ctx)];
      if (from >= t || to < 0 || from > to) {
        out.add(new Window(lo, hi, realLo, realLo)); // only zero-piece tokens
      } else {
        out.add(new Window(lo, hi, a.firstPiece(from), a.lastPiece(to) + 1));
      }
      lo = hi;
    }
    return out;
  }

  /** Pieces needed for tokens [lo - ctx, hi + ctx). */
  private static int span(PieceAlignment a, int[] next, int[] prev, int lo, int hi, int ctx, int t) {
    int from = next[Math.max(0, lo - ctx)];
    int to = prev[Math.min(t, hi + ctx)];
    if (from >= t || to < 0 || from > to) {
      return 0;
    }
    return a.lastPiece(to) + 1 - a.firstPiece(from);
  }
}
