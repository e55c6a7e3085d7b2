package dev.neurolens.probe;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.util.NeuroLensException;
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
    try (TrainingRows data = TrainingRows.load(x, rows, o)) {
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
      List<ProbePass> passes = new ArrayList<>();
      for (int k = 0; k < parts.size(); k++) {
        passes.add(new ProbePass(data, blocks, width, parts.get(k).stream().map(members::get).toList(), o, reporter, k));
      }
      // the first part on this thread, the others on HELPERS
      List<List<Probe>> results = InParallel.run(HELPERS,
          passes.stream().<java.util.concurrent.Callable<List<Probe>>>map(p -> p::run).toList(), "training probes");
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
  static final class Progress {
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
   * The output of every probe (each reads blocks {@code first[p]..last[p]} of x, unstandardised)
   * on {@code rows} of x, in one read of the rows: per probe and row, the argmax class
   * (classification; the first of equal scores, as {@link ProbeEvaluator#predict}) or the
   * predicted value (regression).
   */
  static List<float[]> outputs(ActivationMatrix x, int blocks, int width, int[] rows, List<Probe> probes,
      int[] first, int[] last) {
    BlockLayout lay = new BlockLayout(blocks, width, probes.stream().mapToInt(Probe::numClasses).toArray(), first, last);
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
      BlockLayout.Weights weights = BlockLayout.Weights.create(manager, lay);
      weights.load(lay, big);
      float[] sf = new float[lay.kf * chunk];
      float[] sb = new float[lay.blocks * chunk * lay.kb];
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
            Rows.checkFiniteHalf(h, part, f, ids, null);
            NDArray t = sub.create(new Shape(n, f), DataType.FLOAT16);
            t.toByteBuffer(true).order(java.nio.ByteOrder.nativeOrder()).asShortBuffer().put(h);
            xb = t.toType(DataType.FLOAT32, false);
          } else {
            float[] d = n * f == buf.length ? buf : new float[n * f];
            Rows.read(x, part, null, null, d, ids, null);
            xb = sub.create(d, new Shape(n, f));
          }
          weights.attachTo(sub);
          BlockLayout.Forward fw = lay.forward(xb, n, weights, sf, sb);
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

  /** A probe ready to train: filtered rows, dropped classes, initial weights, warnings. */
  record Prepared(Spec spec, int[] rows, List<String> dropped, float[] w, float[] b, List<String> warnings) {

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
}
