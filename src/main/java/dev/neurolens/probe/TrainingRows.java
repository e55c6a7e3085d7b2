package dev.neurolens.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.util.Shuffle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The training rows of a group of probes, read once: standardisation statistics, and (when
 * they fit {@link ProbeOptions#maxInMemoryBytes()}) the rows placed in a seeded random order in
 * one tensor with every epoch's minibatch order drawn; otherwise the order generator, from which
 * the one pass draws chunk orders as it streams.
 */
final class TrainingRows implements AutoCloseable {
  /** Mixed into the seed for the minibatch-order generator. */
  private static final long ORDER_SALT = 0x6A09E667F3BCC909L;

  final ActivationMatrix x;
  final int[] rows;
  final int f;
  final int[] featureIds;
  final ProbeOptions o;
  final Random order;
  final float[][] stats;
  final NDManager manager;
  final boolean half;
  NDArray all;
  int[] placed;
  int[][] epochOrder;

  private TrainingRows(ActivationMatrix x, int[] rows, ProbeOptions o) {
    this.x = x;
    this.rows = rows;
    this.f = x.cols();
    this.o = o;
    this.featureIds = ColumnSubset.featureIds(x);
    this.order = new Random(o.seed() ^ ORDER_SALT);
    this.stats = o.standardize() ? Rows.meanAndScale(x, rows, featureIds, o.layout()) : null;
    this.manager = NDManager.newBaseManager();
    // float16 store values without standardisation are held as float16 (exactly the same
    // numbers, half the memory) and widened per minibatch
    this.half = stats == null && x.storesHalf() && !manager.getDevice().isGpu();
  }

  static TrainingRows load(ActivationMatrix x, int[] rows, ProbeOptions o) {
    TrainingRows d = new TrainingRows(x, rows, o);
    try {
      long bytes = (long) rows.length * d.f * (d.half ? 2 : Float.BYTES);
      if (bytes <= o.maxInMemoryBytes()) {
        d.placed = d.shuffled(rows);
        d.all = d.manager.create(new Shape(d.placed.length, d.f), d.half ? DataType.FLOAT16 : DataType.FLOAT32);
        d.fillScattered(d.all, d.placed);
        int count = (d.placed.length + o.batchSize() - 1) / o.batchSize();
        d.epochOrder = new int[o.epochs()][];
        for (int e = 0; e < o.epochs(); e++) {
          d.epochOrder[e] = Shuffle.permutation(count, d.order);
        }
      }
      return d;
    } catch (RuntimeException e) {
      d.close();
      throw e;
    }
  }

  @Override
  public void close() {
    manager.close();
  }

  int[] shuffled(int[] ids) {
    int[] p = Shuffle.permutation(ids.length, order);
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = ids[p[i]];
    }
    return out;
  }

  /**
   * Copies rows {@code ids} of x (checked, standardised) into row i of {@code dst} (ids.length,
   * F) for each position i, reading them in ascending row order (sequential reads of the store's
   * files) and writing straight into the tensor's memory; a float16 {@code dst} gets the store's
   * half bits as they are. The chunks of sorted rows are shared out between this thread and
   * {@link #FILLERS} (the copies fault in fresh pages of the tensor and of the mapped store, which
   * the kernel serves on both cores); every row lands at its own place, so the tensor does not
   * depend on the split, and a failure is the one of the first failing chunk.
   */
  void fillScattered(NDArray dst, int[] ids) {
    Integer[] byRow = new Integer[ids.length];
    for (int i = 0; i < ids.length; i++) {
      byRow[i] = i;
    }
    Arrays.sort(byRow, java.util.Comparator.comparingInt(i -> ids[i]));
    int chunk = Rows.chunkRows(f);
    boolean f16 = dst.getDataType() == DataType.FLOAT16;
    java.nio.ShortBuffer halfView =
        f16 ? dst.toByteBuffer(true).order(java.nio.ByteOrder.nativeOrder()).asShortBuffer() : null;
    java.nio.FloatBuffer view = f16 ? null : Tensors.floatView(dst);
    int chunks = (ids.length + chunk - 1) / chunk;
    // without a view of the tensor's memory (a GPU) rows go through the manager, on this thread
    int parts = f16 || view != null ? Math.max(1, Math.min(chunks, FILL_THREADS)) : 1;
    List<java.util.concurrent.Callable<Void>> tasks = new ArrayList<>();
    for (int k = 0; k < parts; k++) {
      int from = k * chunks / parts;
      int to = (k + 1) * chunks / parts;
      tasks.add(() -> {
        fillChunks(dst, ids, byRow, from, to, halfView, view);
        return null;
      });
    }
    InParallel.run(FILLERS, tasks, "reading rows"); // the first chunks on this thread
  }

  /** Copies the sorted-row chunks {@code [from, to)} of {@link #fillScattered}. */
  private void fillChunks(NDArray dst, int[] ids, Integer[] byRow, int from, int to,
      java.nio.ShortBuffer halfView, java.nio.FloatBuffer view) {
    int chunk = Rows.chunkRows(f);
    short[] hbuf = halfView != null ? new short[Math.min(chunk, ids.length) * f] : null;
    float[] buf = halfView != null ? null : new float[Math.min(chunk, ids.length) * f];
    for (int c = from; c < to; c++) {
      int s = c * chunk;
      int n = Math.min(chunk, ids.length - s);
      int[] part = new int[n];
      for (int k = 0; k < n; k++) {
        part[k] = ids[byRow[s + k]];
      }
      if (halfView != null) {
        x.readRowsHalf(part, hbuf);
        Rows.checkFiniteHalf(hbuf, part, f, featureIds, o.layout());
        for (int k = 0; k < n; k++) {
          halfView.put(byRow[s + k] * f, hbuf, k * f, f);
        }
        continue;
      }
      float[] data = n * f == buf.length ? buf : new float[n * f];
      Rows.read(x, part, stats == null ? null : stats[0], stats == null ? null : stats[1], data,
          featureIds, o.layout());
      if (view == null) {
        for (int k = 0; k < n; k++) {
          Tensors.writeRows(dst, byRow[s + k], Arrays.copyOfRange(data, k * f, (k + 1) * f), 1);
        }
      } else {
        for (int k = 0; k < n; k++) {
          view.put(byRow[s + k] * f, data, k * f, f);
        }
      }
    }
  }

  /** Threads filling tensors besides the caller's: the other cores (none on one core), kept for the JVM's life. */
  private static final int FILL_THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

  private static final java.util.concurrent.ExecutorService FILLERS =
      java.util.concurrent.Executors.newFixedThreadPool(Math.max(1, FILL_THREADS - 1), r -> {
        Thread t = new Thread(r, "probe-rows");
        t.setDaemon(true);
        return t;
      });
}
