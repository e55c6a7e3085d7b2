package dev.neurolens.probe;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.util.NeuroLensException;
import dev.neurolens.util.Shuffle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains several linear probes on the same rows in one pass over them (ALGORITHMS.md section 2:
 * elastic-net multinomial logistic or linear regression, Adam, seeded minibatches).
 *
 * <p>The columns of x are L blocks of D features (the layers of a layer-major matrix; one block
 * for an arbitrary column selection) and every probe reads a contiguous run of blocks: one layer,
 * layers 0..l, or all of them. A minibatch is decoded once and seen as (L, n, D); one batched
 * product with the (L, K, D) weights, K = the outputs of the probes that read a block, gives each
 * probe's per-block partial scores, summed in block order; one batched product gives every
 * gradient. The 13 layer probes, the oracle and their control-task twins of a task thus cost
 * about one all-neuron probe's reading and per-step overhead, where separate probes cost 28.
 *
 * <p>Each probe is exactly what {@link ProbeTrainer} trains alone: its initial weights come from
 * {@code new Random(seed)} (after the class filter, like PyTorch's {@code nn.Linear}: uniform in
 * +-1/sqrt(F)); the minibatch order comes from a second generator seeded from the seed and depends
 * only on the training rows, so probes trained together or apart visit the same minibatches in
 * the same order (their scores differ only by float rounding of the block sums). Probes whose
 * filtered training rows differ (a class dropped in one task but not another) train in separate
 * passes.
 */
final class BlockTrainer {
  /** Mixed into the seed for the minibatch-order generator. */
  private static final long ORDER_SALT = 0x6A09E667F3BCC909L;

  /**
   * One probe to train: its task and the blocks {@code first..last} it reads; {@code source} goes
   * into the provenance.
   */
  record Spec(String name, ProbeTask task, int first, int last, String source) {}

  private BlockTrainer() {}

  /**
   * Trains one probe per spec on {@code trainRows} of x (L x D columns); returns them in spec
   * order. {@code progress} (may be null) gets a line per epoch of a pass.
   */
  static List<Probe> train(ActivationMatrix x, int blocks, int width, int[] trainRows, List<Spec> specs,
      ProbeOptions o, Consumer<String> progress) {
    if ((long) blocks * width != x.cols()) {
      throw new IllegalArgumentException(blocks + " blocks of " + width + " features for " + x.cols() + " columns");
    }
    Rows.checkIds("train", trainRows, x.rows());
    int[] allIds = ColumnSubset.featureIds(x);
    List<Prepared> prepared = new ArrayList<>();
    for (Spec s : specs) {
      if (s.task().rows() != x.rows()) {
        throw new NeuroLensException(
            "task " + s.task().name() + ": has " + s.task().rows() + " rows but the activations have " + x.rows());
      }
      if (s.first() < 0 || s.last() >= blocks || s.first() > s.last()) {
        throw new IllegalArgumentException("probe " + s.name() + ": blocks " + s.first() + ".." + s.last());
      }
      prepared.add(Prepared.of(s, trainRows, o, width,
          Arrays.copyOfRange(allIds, s.first() * width, (s.last() + 1) * width)));
    }
    Probe[] out = new Probe[specs.size()];
    boolean[] done = new boolean[specs.size()];
    for (int i = 0; i < specs.size(); i++) {
      if (done[i]) {
        continue;
      }
      List<Integer> group = new ArrayList<>();
      for (int j = i; j < specs.size(); j++) {
        if (!done[j] && Arrays.equals(prepared.get(j).rows, prepared.get(i).rows)) {
          group.add(j);
          done[j] = true;
        }
      }
      List<Prepared> members = group.stream().map(prepared::get).toList();
      List<Probe> probes = trainGroup(x, blocks, width, prepared.get(i).rows, members, o, progress);
      for (int k = 0; k < group.size(); k++) {
        out[group.get(k)] = probes.get(k);
      }
    }
    return List.of(out);
  }

  /**
   * Trains probes that share their training rows. The rows are placed once; when more than one
   * core is free of PyTorch's intra-op threads (system property {@code neurolens.probeWorkers}
   * overrides) and the probes include both all-block probes and per-block ones, the two kinds
   * train side by side on their own threads over the same minibatches (each probe's arithmetic is
   * its own, so the result does not depend on the split).
   */
  private static List<Probe> trainGroup(ActivationMatrix x, int blocks, int width, int[] rows,
      List<Prepared> members, ProbeOptions o, Consumer<String> progress) {
    try (Data data = Data.load(x, rows, o)) {
      List<List<Integer>> parts = new ArrayList<>();
      List<Integer> full = new ArrayList<>();
      List<Integer> partial = new ArrayList<>();
      for (int k = 0; k < members.size(); k++) {
        Spec s = members.get(k).spec();
        (s.first() == 0 && s.last() == blocks - 1 ? full : partial).add(k);
      }
      if (data.all != null && workers() > 1 && !full.isEmpty() && !partial.isEmpty()) {
        parts.add(full);
        parts.add(partial);
      } else {
        parts.add(java.util.stream.IntStream.range(0, members.size()).boxed().toList());
      }
      Progress reporter = new Progress(progress, parts.size(), members.size(), o.epochs());
      List<Pass> passes = new ArrayList<>();
      for (int k = 0; k < parts.size(); k++) {
        passes.add(new Pass(data, blocks, width, parts.get(k).stream().map(members::get).toList(), o, reporter, k));
      }
      List<List<Probe>> results = new ArrayList<>();
      List<java.util.concurrent.Future<List<Probe>>> others = new ArrayList<>();
      for (int k = 1; k < passes.size(); k++) {
        others.add(HELPERS.submit(passes.get(k)::run));
      }
      results.add(passes.get(0).run()); // the first part on this thread
      try {
        for (var fu : others) {
          results.add(fu.get());
        }
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while training probes", e);
      }
      Probe[] out = new Probe[members.size()];
      for (int k = 0; k < parts.size(); k++) {
        for (int j = 0; j < parts.get(k).size(); j++) {
          out[parts.get(k).get(j)] = results.get(k).get(j);
        }
      }
      return List.of(out);
    }
  }

  /**
   * The threads that run the side-by-side passes after the first (which runs on the caller's):
   * kept for the life of the JVM, so that passes reuse the same threads and their malloc arenas
   * instead of a fresh arena for every new thread.
   */
  private static final java.util.concurrent.ExecutorService HELPERS =
      java.util.concurrent.Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors() - 1), t -> {
        Thread th = new Thread(t, "probe-pass");
        th.setDaemon(true);
        return th;
      });

  /** Threads for side-by-side passes: the cores PyTorch's intra-op threads leave free (at least 1). */
  private static int workers() {
    Engine.getEngine("PyTorch"); // loads the native library before the thread query
    int free = Runtime.getRuntime().availableProcessors() / Math.max(1, ai.djl.pytorch.jni.JniUtils.getNumThreads());
    return Math.max(1, Integer.getInteger("neurolens.probeWorkers", free));
  }

  /** Reports an epoch when every side-by-side pass has finished it. */
  private static final class Progress {
    private final Consumer<String> sink;
    private final int[] done;
    private final int probes;
    private final int epochs;
    private int reported;

    Progress(Consumer<String> sink, int parts, int probes, int epochs) {
      this.sink = sink;
      this.done = new int[parts];
      this.probes = probes;
      this.epochs = epochs;
    }

    synchronized void epochDone(int part, int epoch) {
      done[part] = epoch;
      int all = Arrays.stream(done).min().orElse(0);
      if (sink != null && probes > 1 && all > reported) {
        reported = all;
        sink.accept("epoch " + all + "/" + epochs + " of " + probes + " probes");
      }
    }
  }

  /**
   * The training rows of a group of probes, read once: standardisation statistics, and (when
   * they fit {@link ProbeOptions#maxInMemoryBytes()}) the rows placed in a seeded random order in
   * one tensor with every epoch's minibatch order drawn; otherwise the order generator, from which
   * the one pass draws chunk orders as it streams.
   */
  private static final class Data implements AutoCloseable {
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

    private Data(ActivationMatrix x, int[] rows, ProbeOptions o) {
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

    static Data load(ActivationMatrix x, int[] rows, ProbeOptions o) {
      Data d = new Data(x, rows, o);
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
     * half bits as they are.
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
      short[] hbuf = f16 ? new short[Math.min(chunk, ids.length) * f] : null;
      float[] buf = f16 ? null : new float[Math.min(chunk, ids.length) * f];
      for (int s = 0; s < ids.length; s += chunk) {
        int n = Math.min(chunk, ids.length - s);
        int[] part = new int[n];
        for (int k = 0; k < n; k++) {
          part[k] = ids[byRow[s + k]];
        }
        if (f16) {
          x.readRowsHalf(part, hbuf);
          checkFinite(hbuf, part, f, featureIds, o.layout());
          for (int k = 0; k < n; k++) {
            halfView.put(byRow[s + k] * f, hbuf, k * f, f);
          }
          continue;
        }
        float[] data = n * f == buf.length ? buf : new float[n * f];
        Rows.read(x, part, stats == null ? null : stats[0], stats == null ? null : stats[1], data,
            featureIds, o.layout());
        if (view == null) { // no view of the tensor's memory (a GPU): row by row through the manager
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
  }

  /**
   * The output of every probe (each reads blocks {@code first[p]..last[p]} of x, unstandardised)
   * on {@code rows} of x, in one read of the rows: per probe and row, the argmax class
   * (classification; the first of equal scores, as {@link ProbeEvaluator#predict}) or the
   * predicted value (regression).
   */
  static List<float[]> outputs(ActivationMatrix x, int blocks, int width, int[] rows, List<Probe> probes,
      int[] first, int[] last) {
    Layout lay = new Layout(blocks, width, probes.stream().mapToInt(Probe::numClasses).toArray(), first, last);
    float[] big = new float[lay.size()];
    for (int p = 0; p < probes.size(); p++) {
      if (probes.get(p).featureMean() != null) {
        throw new IllegalArgumentException("probe " + p + " is standardised: score it alone");
      }
      float[][] w = probes.get(p).weights();
      for (int c = 0; c < w.length; c++) {
        lay.scatter(p, c, w[c], big);
      }
    }
    List<float[]> out = new ArrayList<>();
    for (int p = 0; p < probes.size(); p++) {
      out.add(new float[rows.length]);
    }
    int f = x.cols();
    int[] ids = ColumnSubset.featureIds(x);
    int chunk = Math.max(1, Math.min(rows.length, Rows.chunkRows(f) / 4));
    try (NDManager manager = NDManager.newBaseManager()) {
      boolean half = x.storesHalf() && !manager.getDevice().isGpu();
      Weights weights = Weights.create(manager, lay);
      weights.load(lay, big);
      Buffers buffers = new Buffers(lay, chunk);
      short[] hbuf = half ? new short[chunk * f] : null;
      float[] buf = half ? null : new float[chunk * f];
      for (int s = 0; s < rows.length; s += chunk) {
        int n = Math.min(chunk, rows.length - s);
        int[] part = Arrays.copyOfRange(rows, s, s + n);
        try (NDManager sub = manager.newSubManager()) {
          NDArray xb;
          if (half) {
            short[] h = n * f == hbuf.length ? hbuf : new short[n * f];
            x.readRowsHalf(part, h);
            checkFinite(h, part, f, ids, null);
            NDArray t = sub.create(new Shape(n, f), DataType.FLOAT16);
            t.toByteBuffer(true).order(java.nio.ByteOrder.nativeOrder()).asShortBuffer().put(h);
            xb = t.toType(DataType.FLOAT32, false);
          } else {
            float[] d = n * f == buf.length ? buf : new float[n * f];
            Rows.read(x, part, null, null, d, ids, null);
            xb = sub.create(d, new Shape(n, f));
          }
          weights.attachTo(sub);
          Forward fw = lay.forward(xb, n, weights, buffers);
          for (int p = 0; p < probes.size(); p++) {
            Probe probe = probes.get(p);
            int c = probe.numClasses();
            float[] sc = new float[n * c];
            fw.scores(p, probe.bias(), sc);
            float[] dst = out.get(p);
            for (int i = 0; i < n; i++) {
              int best = 0;
              for (int k = 1; k < c; k++) {
                if (sc[i * c + k] > sc[i * c + best]) {
                  best = k;
                }
              }
              dst[s + i] = probe.regression() ? sc[i] : best;
            }
          }
        }
      }
    }
    return out;
  }

  /** Throws on the first infinite or NaN float16 value of {@code buf} (rows {@code ids}, f wide). */
  static void checkFinite(short[] buf, int[] ids, int f, int[] featureIds, LayerLayout layout) {
    int len = ids.length * f;
    int any = 0;
    for (int j = 0; j < len; j++) { // bit 15 is set exactly for an all-ones exponent (a loop the JIT vectorises)
      any |= (buf[j] & 0x7C00) + 0x0400;
    }
    if ((any & 0x8000) == 0) {
      return;
    }
    for (int k = 0; k < ids.length; k++) {
      for (int j = 0; j < f; j++) {
        short h = buf[k * f + j];
        if ((h & 0x7C00) == 0x7C00) { // infinity or NaN
          float v = h == (short) 0x7C00 ? Float.POSITIVE_INFINITY : h == (short) 0xFC00 ? Float.NEGATIVE_INFINITY : Float.NaN;
          throw Rows.nonFinite(ids[k], featureIds[j], v, layout);
        }
      }
    }
  }

  /**
   * Where each probe's weights and outputs sit. A probe that reads every block ("full": the
   * oracle, or any probe of a one-block matrix) is a row block of the (Kf, F) weights, used in
   * plain (n, F) products; a probe that reads some blocks has, on each of them, a row block of the
   * (L, Kb, D) weights, used in batched products (Kb = the most outputs a block has; the others
   * are padded with rows whose weights stay 0). All weights are one flat array: the (Kf, F) part,
   * then the (L, Kb, D) part.
   */
  private static final class Layout {
    /** Up to this many full outputs, the product is taken as W X^T (measured faster for thin W). */
    private static final int THIN = 16;
    final int blocks;
    final int width;
    final int[] classes;
    final int[] first;
    final int[] last;
    final boolean[] full;
    /** Full probe p: its first row in the (Kf, F) weights. */
    final int[] fullOffset;
    /** Partial probe p: its first row among block l's Kb rows. */
    final int[][] offset;
    final int kf;
    final int kb;

    Layout(int blocks, int width, int[] classes, int[] first, int[] last) {
      this.blocks = blocks;
      this.width = width;
      this.classes = classes;
      this.first = first;
      this.last = last;
      int probes = classes.length;
      full = new boolean[probes];
      fullOffset = new int[probes];
      offset = new int[probes][blocks];
      int[] k = new int[blocks];
      int f = 0;
      for (int p = 0; p < probes; p++) {
        full[p] = first[p] == 0 && last[p] == blocks - 1;
        if (full[p]) {
          fullOffset[p] = f;
          f += classes[p];
          continue;
        }
        for (int l = first[p]; l <= last[p]; l++) {
          offset[p][l] = k[l];
          k[l] += classes[p];
        }
      }
      kf = f;
      kb = Arrays.stream(k).max().orElse(0);
    }

    int features() {
      return blocks * width;
    }

    /** Length of the flat weight array. */
    int size() {
      return kf * features() + blocks * kb * width;
    }

    boolean thin() {
      return kf <= THIN;
    }

    /** The contiguous runs {from, length} of probe p's weights in the flat array. */
    int[][] segments(int p) {
      if (full[p]) {
        return new int[][] {{fullOffset[p] * features(), classes[p] * features()}};
      }
      int[][] out = new int[last[p] - first[p] + 1][];
      for (int l = first[p]; l <= last[p]; l++) {
        out[l - first[p]] = new int[] {at(p, 0, l), classes[p] * width};
      }
      return out;
    }

    /** Index in the flat array of partial probe p's class c, block l, feature 0. */
    private int at(int p, int c, int l) {
      return kf * features() + (l * kb + offset[p][l] + c) * width;
    }

    /** Writes probe p's weight row of class c (its features in order) into the flat array. */
    void scatter(int p, int c, float[] row, float[] big) {
      if (full[p]) {
        System.arraycopy(row, 0, big, (fullOffset[p] + c) * features(), features());
        return;
      }
      for (int l = first[p]; l <= last[p]; l++) {
        System.arraycopy(row, (l - first[p]) * width, big, at(p, c, l), width);
      }
    }

    /** Reads probe p's weight row of class c out of the flat array. */
    float[] gather(int p, int c, float[] big) {
      if (full[p]) {
        return Arrays.copyOfRange(big, (fullOffset[p] + c) * features(), (fullOffset[p] + c + 1) * features());
      }
      float[] row = new float[(last[p] - first[p] + 1) * width];
      for (int l = first[p]; l <= last[p]; l++) {
        System.arraycopy(big, at(p, c, l), row, (l - first[p]) * width, width);
      }
      return row;
    }

    /**
     * Runs the forward products of a minibatch {@code xb} (n, F) with the weights {@code w}; the
     * result gives every probe's scores.
     */
    Forward forward(NDArray xb, int n, Weights w, Buffers buf) {
      if (kf > 0) {
        Tensors.read(thin() ? w.full.matMul(xb.transpose()) : xb.matMul(w.full.transpose()), buf.sf, 0);
      }
      if (kb > 0) {
        Tensors.read(xb.reshape(n, blocks, width).transpose(1, 0, 2).matMul(w.blocksT), buf.sb, 0);
      }
      return new Forward(this, n, buf.sf, buf.sb);
    }

    /**
     * The gradient of every weight for the score gradients {@code gf} (full probes: (n, Kf), or
     * (Kf, n) when thin) and {@code gb} ((L, n, Kb)), written into {@code out}.
     */
    void backward(NDManager sub, NDArray xb, int n, float[] gf, float[] gb, float[] out) {
      if (kf > 0) {
        NDArray g = sub.create(thin() ? new Shape(kf, n) : new Shape(n, kf));
        Tensors.write(g, gf, 0);
        Tensors.read((thin() ? g : g.transpose()).matMul(xb), out, 0); // (Kf, n) x (n, F) -> (Kf, F)
      }
      if (kb > 0) {
        NDArray x3 = xb.reshape(n, blocks, width).transpose(1, 0, 2);
        NDArray g = sub.create(new Shape(blocks, n, kb));
        Tensors.write(g, gb, 0);
        // (L, Kb, n) x (L, n, D) -> (L, Kb, D)
        Tensors.read(g.transpose(0, 2, 1).matMul(x3), out, kf * features());
      }
    }
  }

  /**
   * The per-step arrays of a pass, allocated once for the largest minibatch (megabytes each with
   * many probes: allocated per step, they made the JVM grow its heap by a gigabyte).
   */
  private static final class Buffers {
    final float[] sf;
    final float[] sb;
    final float[] gf;
    final float[] gb;
    private int lastN = -1;

    Buffers(Layout lay, int batch) {
      sf = new float[lay.kf * batch];
      sb = new float[lay.blocks * batch * lay.kb];
      gf = new float[lay.kf * batch];
      gb = new float[lay.blocks * batch * lay.kb];
    }

    /**
     * Gets gb ready for a minibatch of n rows: its padding entries (outputs no probe of a block
     * owns) must be 0, and they move when n changes.
     */
    void startStep(int n) {
      if (n != lastN) {
        Arrays.fill(gb, 0f);
        lastN = n;
      }
    }
  }

  /** The weight tensors of one step: (Kf, F) and the (L, D, Kb) view of (L, Kb, D). */
  private record Weights(NDArray full, NDArray blocks, NDArray blocksT) {

    static Weights create(NDManager manager, Layout lay) {
      NDArray f = lay.kf > 0 ? manager.create(new Shape(lay.kf, lay.features())) : null;
      NDArray b = lay.kb > 0 ? manager.create(new Shape(lay.blocks, lay.kb, lay.width)) : null;
      return new Weights(f, b, b == null ? null : b.transpose(0, 2, 1));
    }

    /** Lends the tensors to {@code sub} until it closes (the products' results belong to it). */
    void attachTo(NDManager sub) {
      for (NDArray a : new NDArray[] {full, blocks, blocksT}) {
        if (a != null) {
          sub.tempAttachAll(a);
        }
      }
    }

    /** Copies the flat weights into the tensors. */
    void load(Layout lay, float[] big) {
      if (full != null) {
        Tensors.write(full, big, 0);
      }
      if (blocks != null) {
        Tensors.write(blocks, big, lay.kf * lay.features());
      }
    }
  }

  /** The forward products of one minibatch of n rows. */
  private record Forward(Layout lay, int n, float[] sf, float[] sb) {

    /**
     * Probe p's (n, C) scores, row-major, into {@code out}: its bias plus its partial scores of
     * each block, added in block order.
     */
    void scores(int p, float[] bias, float[] out) {
      int c = lay.classes[p];
      for (int i = 0; i < n; i++) {
        System.arraycopy(bias, 0, out, i * c, c);
      }
      if (lay.full[p]) {
        int off = lay.fullOffset[p];
        if (lay.thin()) { // (Kf, n)
          for (int q = 0; q < c; q++) {
            int base = (off + q) * n;
            for (int i = 0; i < n; i++) {
              out[i * c + q] += sf[base + i];
            }
          }
        } else { // (n, Kf)
          for (int i = 0; i < n; i++) {
            int base = i * lay.kf + off;
            for (int q = 0; q < c; q++) {
              out[i * c + q] += sf[base + q];
            }
          }
        }
        return;
      }
      for (int l = lay.first[p]; l <= lay.last[p]; l++) {
        int off = lay.offset[p][l];
        for (int i = 0; i < n; i++) {
          int base = (l * n + i) * lay.kb + off;
          for (int q = 0; q < c; q++) {
            out[i * c + q] += sb[base + q];
          }
        }
      }
    }

    /** Puts probe p's (n, C) score gradients where the backward products read them: gf or gb. */
    void gradients(int p, float[] gs, float[] gf, float[] gb) {
      int c = lay.classes[p];
      if (lay.full[p]) {
        int off = lay.fullOffset[p];
        if (lay.thin()) {
          for (int q = 0; q < c; q++) {
            int base = (off + q) * n;
            for (int i = 0; i < n; i++) {
              gf[base + i] = gs[i * c + q];
            }
          }
        } else {
          for (int i = 0; i < n; i++) {
            System.arraycopy(gs, i * c, gf, i * lay.kf + off, c);
          }
        }
        return;
      }
      for (int l = lay.first[p]; l <= lay.last[p]; l++) {
        int off = lay.offset[p][l];
        for (int i = 0; i < n; i++) {
          System.arraycopy(gs, i * c, gb, (l * n + i) * lay.kb + off, c);
        }
      }
    }
  }

  /** A probe ready to train: filtered rows, dropped classes, initial weights, warnings. */
  private record Prepared(Spec spec, int[] rows, List<String> dropped, float[] w, float[] b, List<String> warnings) {

    static Prepared of(Spec s, int[] trainRows, ProbeOptions o, int width, int[] featureIds) {
      List<String> warnings = new ArrayList<>();
      Random random = new Random(o.seed());
      ProbeTask task = s.task();
      int[] rows = trainRows.clone();
      List<String> dropped = new ArrayList<>();
      if (!task.isRegression()) {
        ClassFilter filtered = ClassFilter.apply(task, rows, o, warnings, random);
        rows = filtered.rows();
        dropped = filtered.droppedNames();
      }
      int classes = task.numClasses();
      int f = featureIds.length;
      float[] w = new float[classes * f];
      float[] b = new float[classes];
      double bound = 1 / Math.sqrt(f);
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
      }
      for (int c = 0; c < classes; c++) {
        b[c] = (float) ((random.nextDouble() * 2 - 1) * bound);
      }
      for (String d : dropped) {
        int c = task.labelNames().indexOf(d);
        Arrays.fill(w, c * f, (c + 1) * f, 0f);
        b[c] = Probe.DROPPED_BIAS;
      }
      return new Prepared(s, rows, dropped, w, b, warnings);
    }
  }

  /**
   * The epochs of minibatch Adam steps of one group of probes over their shared rows. The two
   * batched products of a step run on NDArrays; the (n, C) losses and gradients, the penalties
   * and Adam run on Java arrays.
   */
  private static final class Pass {
    private final Data data;
    private final int blocks;
    private final int width;
    private final int f;
    private final List<Prepared> probes;
    private final ProbeOptions o;
    private final Progress progress;
    private final int part;
    private final Layout lay;
    private final float[] big;
    private final float[] gradBig;
    private final Adam adam;
    private final float[][] bias;
    private final Adam[] adamB;
    private final double[][] sums;
    private final double[] lossSum;
    private int batches;
    private Weights weights; // rewritten from big before each step
    private final Buffers buffers;

    Pass(Data data, int blocks, int width, List<Prepared> probes, ProbeOptions o, Progress progress, int part) {
      this.data = data;
      this.blocks = blocks;
      this.width = width;
      this.f = data.f;
      this.probes = probes;
      this.o = o;
      this.progress = progress;
      this.part = part;
      int n = probes.size();
      this.lay = new Layout(blocks, width,
          probes.stream().mapToInt(p -> p.spec().task().numClasses()).toArray(),
          probes.stream().mapToInt(p -> p.spec().first()).toArray(),
          probes.stream().mapToInt(p -> p.spec().last()).toArray());
      this.big = new float[lay.size()];
      this.gradBig = new float[big.length];
      this.buffers = new Buffers(lay, o.batchSize());
      this.adam = new Adam(big.length, o.learningRate());
      this.bias = new float[n][];
      this.adamB = new Adam[n];
      this.sums = new double[n][];
      this.lossSum = new double[n];
      for (int p = 0; p < n; p++) {
        Prepared pr = probes.get(p);
        int c = pr.spec().task().numClasses();
        int pf = pr.w().length / c;
        for (int k = 0; k < c; k++) {
          lay.scatter(p, k, Arrays.copyOfRange(pr.w(), k * pf, (k + 1) * pf), big);
        }
        bias[p] = pr.b().clone();
        adamB[p] = new Adam(c, o.learningRate());
      }
    }

    List<Probe> run() {
      double[] loss;
      String engine;
      try (NDManager manager = NDManager.newBaseManager()) {
        engine = manager.getEngine().getEngineName() + " " + manager.getEngine().getVersion();
        weights = Weights.create(manager, lay);
        loss = data.all != null ? inMemory(manager) : streamed(manager);
      }
      List<Probe> out = new ArrayList<>();
      for (int p = 0; p < probes.size(); p++) {
        Prepared pr = probes.get(p);
        ProbeTask task = pr.spec().task();
        if (!Double.isFinite(loss[p])) {
          throw new NeuroLensException(
              "probe " + task.name() + ": training diverged (loss " + loss[p]
                  + "); lower the learning rate or standardise the features");
        }
        int c = task.numClasses();
        float[][] weights = new float[c][];
        for (int k = 0; k < c; k++) {
          weights[k] = lay.gather(p, k, big);
        }
        int lo = pr.spec().first() * width;
        int hi = (pr.spec().last() + 1) * width;
        ProbeProvenance provenance = new ProbeProvenance(task.name(), o, data.rows.length, loss[p],
            ProbeProvenance.NEUROLENS_VERSION, engine + " (DJL " + Engine.getDjlVersion() + ")",
            pr.spec().source(), pr.warnings());
        out.add(new Probe(task.isRegression(), task.labelNames(), weights, bias[p],
            Arrays.copyOfRange(data.featureIds, lo, hi),
            data.stats == null ? null : Arrays.copyOfRange(data.stats[0], lo, hi),
            data.stats == null ? null : Arrays.copyOfRange(data.stats[1], lo, hi), pr.dropped(), provenance));
      }
      return out;
    }

    /** Every epoch visits the contiguous minibatches of the placed rows in that epoch's order. */
    private double[] inMemory(NDManager manager) {
      int batch = o.batchSize();
      int rows = data.placed.length;
      double[] loss = null;
      for (int epoch = 0; epoch < o.epochs(); epoch++) {
        startEpoch();
        for (int k : data.epochOrder[epoch]) {
          int s = k * batch;
          int e = Math.min(rows, s + batch);
          try (NDManager sub = manager.newSubManager()) {
            NDArray xb = data.all.get(sub, new NDIndex(s + ":" + e)); // a view, owned by sub
            step(sub, data.half ? xb.toType(DataType.FLOAT32, false) : xb, data.placed, s, e - s);
          }
        }
        loss = endEpoch(epoch);
      }
      return loss;
    }

    /**
     * Chunks of the (sorted) training rows are visited in a seeded order every epoch; a chunk is
     * read in a seeded random order and cut into contiguous minibatches.
     */
    private double[] streamed(NDManager manager) {
      int[] rows = data.rows;
      int chunk = Math.max(o.batchSize(), Rows.chunkRows(f) * 4);
      int chunks = (rows.length + chunk - 1) / chunk;
      double[] loss = null;
      for (int epoch = 0; epoch < o.epochs(); epoch++) {
        startEpoch();
        for (int k : Shuffle.permutation(chunks, data.order)) {
          int[] ids = data.shuffled(Arrays.copyOfRange(rows, k * chunk, Math.min(rows.length, (k + 1) * chunk)));
          try (NDManager chunkManager = manager.newSubManager()) {
            NDArray block = chunkManager.create(new Shape(ids.length, f));
            data.fillScattered(block, ids);
            for (int s = 0; s < ids.length; s += o.batchSize()) {
              int e = Math.min(ids.length, s + o.batchSize());
              try (NDManager sub = chunkManager.newSubManager()) {
                step(sub, block.get(sub, new NDIndex(s + ":" + e)), ids, s, e - s);
              }
            }
          }
        }
        loss = endEpoch(epoch);
      }
      return loss;
    }

    private void startEpoch() {
      Arrays.fill(lossSum, 0);
      batches = 0;
    }

    private double[] endEpoch(int epoch) {
      double[] loss = new double[lossSum.length];
      for (int p = 0; p < loss.length; p++) {
        loss[p] = lossSum[p] / batches;
      }
      progress.epochDone(part, epoch + 1);
      return loss;
    }

    /**
     * One Adam step of every probe on the minibatch {@code xb} (n, F) whose rows are
     * {@code ids[start..start+n)}.
     */
    private void step(NDManager sub, NDArray xb, int[] ids, int start, int n) {
      weights.load(lay, big);
      weights.attachTo(sub);
      buffers.startStep(n);
      Forward fw = lay.forward(xb, n, weights, buffers);
      float[] gf = buffers.gf;
      float[] gb = buffers.gb;
      float[][] gradB = new float[probes.size()][];
      double[] data = new double[probes.size()];
      for (int p = 0; p < probes.size(); p++) {
        ProbeTask task = probes.get(p).spec().task();
        int c = task.numClasses();
        float[] scores = new float[n * c];
        fw.scores(p, bias[p], scores);
        float[] gs = new float[n * c];
        if (task.isRegression()) {
          float[] t = new float[n];
          for (int i = 0; i < n; i++) {
            t[i] = task.target(ids[start + i]);
          }
          data[p] = ProbeObjective.squaredError(scores, n, t, gs);
        } else {
          int[] gold = new int[n];
          for (int i = 0; i < n; i++) {
            gold[i] = task.label(ids[start + i]);
          }
          data[p] = ProbeObjective.crossEntropy(scores, n, c, gold, gs);
        }
        float[] gbias = new float[c];
        for (int i = 0; i < n; i++) {
          for (int q = 0; q < c; q++) {
            gbias[q] += gs[i * c + q];
          }
        }
        fw.gradients(p, gs, gf, gb);
        gradB[p] = gbias;
      }
      lay.backward(sub, xb, n, gf, gb, gradBig);
      adam.advance();
      batches++;
      for (int p = 0; p < probes.size(); p++) {
        if (sums[p] == null) {
          sums[p] = sums(p);
        }
        double norm = Math.sqrt(sums[p][1]);
        lossSum[p] += data[p] + o.lambda1() * sums[p][0] + o.lambda2() * norm;
        float l2Scale = norm > 0 ? (float) (o.lambda2() / norm) : 0f;
        for (int[] seg : lay.segments(p)) {
          adam.stepPenalized(big, gradBig, seg[0], seg[0] + seg[1], (float) o.lambda1(), l2Scale);
        }
        sums[p] = sums(p);
        adamB[p].advance();
        adamB[p].step(bias[p], gradB[p], 0, bias[p].length);
      }
    }

    /** {sum |W|, sum W^2} of probe p's weights (its blocks in order). */
    private double[] sums(int p) {
      int[][] segments = lay.segments(p);
      if (segments.length == 1) {
        return ProbeObjective.absAndSquareSums(big, segments[0][0], segments[0][1]);
      }
      double a = 0;
      double q = 0;
      for (int[] seg : segments) {
        double[] s = ProbeObjective.absAndSquareSums(big, seg[0], seg[1]);
        a += s[0];
        q += s[1];
      }
      return new double[] {a, q};
    }
  }
}
