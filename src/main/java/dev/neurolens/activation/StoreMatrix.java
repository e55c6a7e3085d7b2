package dev.neurolens.activation;

import dev.neurolens.model.HookName;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import java.util.List;
import java.util.Optional;

/**
 * An {@link ActivationMatrix} over memory-mapped store files: token rows (N) or snippet rows (S)
 * of some hooks, optionally restricted to some neurons. Decodes only what is asked for.
 */
final class StoreMatrix implements ActivationMatrix {
  private final ActivationStore store;
  private final int kind;
  private final int rows;
  private final int cols;
  /**
   * Per selected hook: its index in the store, its width, its columns (null = all), and where they
   * go in a row of this matrix: at dstOffset.. (all columns) or at positions[s][c] (selected).
   */
  private final int[] hookIndex;
  private final int[] width;
  private final int[][] columns;
  private final int[][] positions;
  private final int[] dstOffset;
  private final StoreDtype dtype;
  /** The constructor's arguments, kept so that {@link #narrowed} can compose selections. */
  private final List<HookName> hooks;
  private final int[] neurons;

  StoreMatrix(ActivationStore store, int kind, List<HookName> hooks, int[] neurons) {
    if (hooks.isEmpty()) {
      throw new IllegalArgumentException("a view needs >= 1 hook");
    }
    this.store = store;
    this.kind = kind;
    this.hooks = List.copyOf(hooks);
    this.neurons = neurons == null ? null : neurons.clone();
    this.rows = kind == 0 ? store.tokenCount() : store.snippetCount();
    this.dtype = store.spec().dtype();
    int k = hooks.size();
    int[] idx = new int[k];
    int[] w = new int[k];
    int total = 0;
    for (int i = 0; i < k; i++) {
      idx[i] = store.hookIndex(hooks.get(i));
      w[i] = store.spec().widths().get(idx[i]);
      total += w[i];
    }
    if (neurons == null) {
      hookIndex = idx;
      width = w;
      columns = new int[k][];
      positions = new int[k][];
      dstOffset = new int[k];
      for (int i = 1; i < k; i++) {
        dstOffset[i] = dstOffset[i - 1] + w[i - 1];
      }
      cols = total;
    } else {
      // group the requested features by hook (one mapping lookup per hook and row), each with the
      // positions its columns take in the requested order
      int[] count = new int[k];
      int[] owner = new int[neurons.length];
      int[] local = new int[neurons.length];
      for (int j = 0; j < neurons.length; j++) {
        int f = neurons[j];
        if (f < 0 || f >= total) {
          throw new IndexOutOfBoundsException(
              "neuron " + f + " outside [0, " + total + ") of hooks " + hooks);
        }
        int h = 0;
        while (f >= w[h]) {
          f -= w[h];
          h++;
        }
        owner[j] = h;
        local[j] = f;
        count[h]++;
      }
      int r = 0;
      int[] slot = new int[k];
      for (int h = 0; h < k; h++) {
        slot[h] = count[h] > 0 ? r++ : -1;
      }
      hookIndex = new int[r];
      width = new int[r];
      columns = new int[r][];
      positions = new int[r][];
      dstOffset = new int[r];
      for (int h = 0; h < k; h++) {
        if (slot[h] >= 0) {
          hookIndex[slot[h]] = idx[h];
          width[slot[h]] = w[h];
          columns[slot[h]] = new int[count[h]];
          positions[slot[h]] = new int[count[h]];
        }
      }
      int[] fill = new int[r];
      for (int j = 0; j < neurons.length; j++) {
        int s = slot[owner[j]];
        columns[s][fill[s]] = local[j];
        positions[s][fill[s]++] = j;
      }
      cols = neurons.length;
    }
    halfViews = new ShortBuffer[store.chunkCount() + 1][hookIndex.length];
  }

  /** Decodes only {@code columns}: a view of the same hooks restricted to the composed neurons. */
  @Override
  public Optional<ActivationMatrix> narrowed(int[] columns) {
    int[] composed = new int[columns.length];
    for (int j = 0; j < columns.length; j++) {
      if (columns[j] < 0 || columns[j] >= cols) {
        throw new IndexOutOfBoundsException("column " + columns[j] + " outside [0, " + cols + ")");
      }
      composed[j] = neurons == null ? columns[j] : neurons[columns[j]];
    }
    return Optional.of(new StoreMatrix(store, kind, hooks, composed));
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int cols() {
    return cols;
  }

  @Override
  public void read(int rowStart, int rowCount, float[] dst) {
    if (rowStart < 0 || rowCount < 0 || rowStart + rowCount > rows) {
      throw new IndexOutOfBoundsException(
          "rows [" + rowStart + ", " + (rowStart + rowCount) + ") outside [0, " + rows + ")");
    }
    if (rowCount == 0) {
      return;
    }
    int chunk = store.chunkOf(kind, rowStart);
    int chunkStart = store.chunkStart(kind, chunk);
    int chunkEnd = store.chunkStart(kind, chunk + 1);
    for (int i = 0; i < rowCount; i++) {
      int row = rowStart + i;
      while (row >= chunkEnd) {
        chunk++;
        chunkStart = chunkEnd;
        chunkEnd = store.chunkStart(kind, chunk + 1);
      }
      readRow(chunk, row - chunkStart, dst, i * cols);
    }
  }

  @Override
  public void readRows(int[] rowIds, float[] dst) {
    for (int i = 0; i < rowIds.length; i++) {
      int row = rowIds[i];
      if (row < 0 || row >= rows) {
        throw new IndexOutOfBoundsException("row " + row + " outside [0, " + rows + ")");
      }
      int chunk = store.chunkOf(kind, row);
      readRow(chunk, row - store.chunkStart(kind, chunk), dst, i * cols);
    }
  }

  @Override
  public boolean storesHalf() {
    return dtype == StoreDtype.FLOAT16;
  }

  @Override
  public void readRowsHalf(int[] rowIds, short[] dst) {
    if (dtype != StoreDtype.FLOAT16) {
      throw new UnsupportedOperationException("a " + dtype.label() + " store holds no float16 values");
    }
    for (int i = 0; i < rowIds.length; i++) {
      int row = rowIds[i];
      if (row < 0 || row >= rows) {
        throw new IndexOutOfBoundsException("row " + row + " outside [0, " + rows + ")");
      }
      int chunk = store.chunkOf(kind, row);
      int localRow = row - store.chunkStart(kind, chunk);
      int at = i * cols;
      for (int s = 0; s < hookIndex.length; s++) {
        ShortBuffer v = halves(chunk, s);
        int rowBase = Math.toIntExact((long) localRow * width[s]);
        int[] sel = columns[s];
        if (sel == null) {
          v.get(rowBase, dst, at + dstOffset[s], width[s]);
        } else {
          int[] pos = positions[s];
          for (int c = 0; c < sel.length; c++) {
            dst[at + pos[c]] = v.get(rowBase + sel[c]);
          }
        }
      }
    }
  }

  private static final ThreadLocal<short[]> SCRATCH = ThreadLocal.withInitial(() -> new short[0]);

  private static short[] scratch(int n) {
    short[] s = SCRATCH.get();
    if (s.length < n) {
      s = new short[n];
      SCRATCH.set(s);
    }
    return s;
  }

  /**
   * Per (chunk, selected hook): a float16 view of the mapped matrix, made on first use; reading
   * a row then costs no lock and no view allocation (absolute reads: safe from several threads;
   * a race only makes the same view twice).
   */
  private final ShortBuffer[][] halfViews;

  private ShortBuffer halves(int chunk, int s) {
    ShortBuffer v = halfViews[chunk][s];
    if (v == null) {
      v = store.map(kind, chunk, hookIndex[s]).asShortBuffer();
      halfViews[chunk][s] = v;
    }
    return v;
  }

  private void readRow(int chunk, int localRow, float[] dst, int at) {
    for (int s = 0; s < hookIndex.length; s++) {
      long base = (long) localRow * width[s];
      int out = at + dstOffset[s];
      int[] sel = columns[s];
      if (dtype == StoreDtype.FLOAT16) {
        ShortBuffer v = halves(chunk, s);
        int rowBase = Math.toIntExact(base);
        if (sel == null) {
          short[] halves = scratch(width[s]);
          v.get(rowBase, halves, 0, width[s]); // bulk copy of the row
          for (int c = 0; c < width[s]; c++) {
            dst[out + c] = Half.toFloat(halves[c]);
          }
        } else {
          int[] pos = positions[s];
          for (int c = 0; c < sel.length; c++) {
            dst[at + pos[c]] = Half.toFloat(v.get(rowBase + sel[c]));
          }
        }
      } else {
        ByteBuffer b = store.map(kind, chunk, hookIndex[s]);
        int byteBase = Math.toIntExact(base * 4);
        if (sel == null) {
          for (int c = 0; c < width[s]; c++) {
            dst[out + c] = b.getFloat(byteBase + 4 * c);
          }
        } else {
          int[] pos = positions[s];
          for (int c = 0; c < sel.length; c++) {
            dst[at + pos[c]] = b.getFloat(byteBase + 4 * sel[c]);
          }
        }
      }
    }
  }

}
