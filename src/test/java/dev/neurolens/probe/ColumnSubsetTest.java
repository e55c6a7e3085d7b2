package dev.neurolens.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.activation.DenseActivations;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ColumnSubsetTest {
  private static final int ROWS = 5;
  private static final int COLS = 7;

  /** Value of cell (r, c) of the base matrix. */
  private static float cell(int r, int c) {
    return r * 100 + c;
  }

  private static float[][] base() {
    float[][] m = new float[ROWS][COLS];
    for (int r = 0; r < ROWS; r++) {
      for (int c = 0; c < COLS; c++) {
        m[r][c] = cell(r, c);
      }
    }
    return m;
  }

  /** A base that can narrow itself and counts whole-row reads. */
  private static final class Narrowable implements ActivationMatrix {
    final DenseActivations dense = DenseActivations.of(base());
    int wholeRowReads;
    int[] lastNarrowing;

    @Override
    public int rows() {
      return ROWS;
    }

    @Override
    public int cols() {
      return COLS;
    }

    @Override
    public void read(int rowStart, int rowCount, float[] dst) {
      wholeRowReads++;
      dense.read(rowStart, rowCount, dst);
    }

    @Override
    public Optional<ActivationMatrix> narrowed(int[] columns) {
      lastNarrowing = columns.clone();
      float[][] m = new float[ROWS][columns.length];
      for (int r = 0; r < ROWS; r++) {
        for (int j = 0; j < columns.length; j++) {
          m[r][j] = cell(r, columns[j]);
        }
      }
      return Optional.of(DenseActivations.of(m));
    }
  }

  private static float[] expected(int[] rows, int[] cols) {
    float[] out = new float[rows.length * cols.length];
    for (int i = 0; i < rows.length; i++) {
      for (int j = 0; j < cols.length; j++) {
        out[i * cols.length + j] = cell(rows[i], cols[j]);
      }
    }
    return out;
  }

  @Test
  void viewOfView_plainBase_picksComposedColumnsAndKeepsOriginalIds() {
    ActivationMatrix plain = DenseActivations.of(base());
    ColumnSubset outer = ColumnSubset.of(ColumnSubset.of(plain, new int[] {6, 1, 4, 2}), new int[] {3, 0});
    int[] rows = {4, 0, 2};
    float[] got = new float[rows.length * 2];
    outer.readRows(rows, got);
    assertArrayEquals(expected(rows, new int[] {2, 6}), got);
    assertArrayEquals(new int[] {2, 6}, ColumnSubset.featureIds(outer));
  }

  @Test
  void viewOfView_narrowableBase_readsOnlyTheNarrowedMatrix() {
    Narrowable base = new Narrowable();
    ColumnSubset outer = ColumnSubset.of(ColumnSubset.of(base, new int[] {6, 1, 4, 2}), new int[] {3, 0});
    assertArrayEquals(new int[] {2, 6}, base.lastNarrowing, "the outer view narrows the base directly");
    int[] rows = {4, 0, 2};
    float[] got = new float[rows.length * 2];
    outer.readRows(rows, got);
    assertArrayEquals(expected(rows, new int[] {2, 6}), got);
    float[] window = new float[2 * 2];
    outer.read(1, 2, window);
    assertArrayEquals(expected(new int[] {1, 2}, new int[] {2, 6}), window);
    assertEquals(0, base.wholeRowReads, "no whole-width row was read");
    assertArrayEquals(new int[] {2, 6}, ColumnSubset.featureIds(outer));
  }
}
