package dev.neurolens.activation;

import java.util.Arrays;

/**
 * Which subword pieces of a tokenized snippet belong to each code token, by character offsets.
 *
 * <p>A piece belongs to a code token when their UTF-16 spans overlap. A piece that the tokenizer
 * merged across a token boundary (e.g. one piece for {@code )->}) belongs to every token it
 * overlaps. Special pieces and pieces with an empty span belong to no token. A code token that no
 * piece overlaps (the tokenizer dropped its characters) has no pieces: it gets a zero vector and
 * the {@link StoredToken#ZERO_PIECES} flag.
 */
final class PieceAlignment {
  private final int[][] pieces;

  private PieceAlignment(int[][] pieces) {
    this.pieces = pieces;
  }

  /**
   * Aligns pieces (spans {@code [pieceStart[p], pieceEnd[p])}) to code tokens (spans
   * {@code [tokenStart[k], tokenEnd[k])}, sorted by start).
   */
  static PieceAlignment align(
      int[] pieceStart, int[] pieceEnd, boolean[] special, int[] tokenStart, int[] tokenEnd) {
    int p = pieceStart.length;
    int t = tokenStart.length;
    // pieces with a real span, in position order; check that their spans are sorted
    int[] real = new int[p];
    int n = 0;
    boolean sorted = true;
    for (int i = 0; i < p; i++) {
      if (!special[i] && pieceEnd[i] > pieceStart[i]) {
        if (n > 0 && (pieceStart[i] < pieceStart[real[n - 1]] || pieceEnd[i] < pieceEnd[real[n - 1]])) {
          sorted = false;
        }
        real[n++] = i;
      }
    }
    int[][] out = new int[t][];
    int[] buf = new int[Math.max(1, n)];
    int first = 0;
    for (int k = 0; k < t; k++) {
      int s = tokenStart[k];
      int e = tokenEnd[k];
      int m = 0;
      if (sorted) {
        while (first < n && pieceEnd[real[first]] <= s) {
          first++;
        }
        for (int j = first; j < n && pieceStart[real[j]] < e; j++) {
          if (pieceEnd[real[j]] > s && e > s) {
            buf[m++] = real[j];
          }
        }
      } else {
        for (int j = 0; j < n; j++) {
          int q = real[j];
          if (pieceStart[q] < e && pieceEnd[q] > s && e > s) {
            buf[m++] = q;
          }
        }
      }
      out[k] = Arrays.copyOf(buf, m);
    }
    return new PieceAlignment(out);
  }

  /** Number of code tokens. */
  int tokens() {
    return pieces.length;
  }

  /** The piece positions of code token {@code k}, ascending (empty for a zero-piece token). */
  int[] pieces(int k) {
    return pieces[k].clone();
  }

  int count(int k) {
    return pieces[k].length;
  }

  int firstPiece(int k) {
    return pieces[k][0];
  }

  int lastPiece(int k) {
    return pieces[k][pieces[k].length - 1];
  }
}
