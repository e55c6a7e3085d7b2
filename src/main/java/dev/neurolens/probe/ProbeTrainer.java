package dev.neurolens.probe;

import dev.neurolens.util.Shuffle;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Trains linear probes (ALGORITHMS.md section 2): elastic-net multinomial logistic regression or
 * linear regression, Adam, seeded minibatch shuffling.
 *
 * <p>Weights are initialised like PyTorch's {@code nn.Linear} (uniform in +-1/sqrt(F)). When the
 * training rows fit in {@link ProbeOptions#maxInMemoryBytes()} they are copied once, in a seeded
 * random order, into one (N, F) tensor and every epoch visits its minibatches in a fresh seeded
 * order; otherwise chunks of rows are read per epoch in a seeded order and shuffled inside the
 * chunk. The reported loss is the mean minibatch objective (penalties included) of the last epoch.
 *
 * <p>Usage: {@code Probe probe = ProbeTrainer.train(x, splits.train(), task, ProbeOptions.defaults())}
 */
public final class ProbeTrainer {

  private ProbeTrainer() {}

  /** Trains on {@code trainRows} of {@code x} with the labels or targets of {@code task}. */
  public static Probe train(ActivationMatrix x, int[] trainRows, ProbeTask task, ProbeOptions options) {
    return train(x, trainRows, task, options, "");
  }

  /**
   * Trains on {@code trainRows} of {@code x}; {@code source} (e.g. the store path and the layer
   * selection) is recorded in the provenance.
   *
   * @param x N x F activations (a {@link ColumnSubset} keeps its original feature ids)
   * @param trainRows row ids of x to train on
   * @param task labels or targets for all N rows
   */
  public static Probe train(
      ActivationMatrix x, int[] trainRows, ProbeTask task, ProbeOptions options, String source) {
    if (task.rows() != x.rows()) {
      throw new NeuroLensException(
          "task " + task.name() + ": has " + task.rows() + " rows but the activations have " + x.rows());
    }
    Rows.checkIds("train", trainRows, x.rows());
    List<String> warnings = new ArrayList<>();
    Random random = new Random(options.seed());
    int numClasses = task.numClasses();
    List<String> dropped = new ArrayList<>();
    int[] rows = trainRows.clone();
    if (!task.isRegression()) {
      ClassFilter filtered = ClassFilter.apply(task, rows, options, warnings, random);
      rows = filtered.rows();
      dropped = filtered.droppedNames();
    }
    int[] featureIds = ColumnSubset.featureIds(x);
    float[][] stats =
        options.standardize() ? Rows.meanAndScale(x, rows, featureIds, options.layout()) : null;
    int f = x.cols();
    float[] initW = new float[numClasses * f];
    float[] initB = new float[numClasses];
    double bound = 1 / Math.sqrt(f);
    for (int i = 0; i < initW.length; i++) {
      initW[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
    }
    for (int c = 0; c < numClasses; c++) {
      initB[c] = (float) ((random.nextDouble() * 2 - 1) * bound);
    }
    for (String d : dropped) {
      int c = task.labelNames().indexOf(d);
      java.util.Arrays.fill(initW, c * f, (c + 1) * f, 0f);
      initB[c] = Probe.DROPPED_BIAS;
    }
    double finalLoss;
    String engine;
    Loop loop = new Loop(x, rows, task, stats, featureIds, options, initW, initB, random);
    try (NDManager manager = NDManager.newBaseManager()) {
      engine = manager.getEngine().getEngineName() + " " + manager.getEngine().getVersion();
      finalLoss = loop.run(manager);
    }
    float[] w = loop.w;
    float[] b = loop.b;
    if (!Double.isFinite(finalLoss)) {
      throw new NeuroLensException(
          "probe " + task.name() + ": training diverged (loss " + finalLoss
              + "); lower the learning rate or standardise the features");
    }
    float[][] weights = new float[numClasses][];
    for (int c = 0; c < numClasses; c++) {
      weights[c] = java.util.Arrays.copyOfRange(w, c * f, (c + 1) * f);
    }
    ProbeProvenance provenance =
        new ProbeProvenance(
            task.name(), options, rows.length, finalLoss, ProbeProvenance.NEUROLENS_VERSION,
            engine + " (DJL " + Engine.getDjlVersion() + ")", source, warnings);
    return new Probe(
        task.isRegression(), task.labelNames(), weights, b, featureIds,
        stats == null ? null : stats[0], stats == null ? null : stats[1], dropped, provenance);
  }

  /**
   * The epochs of minibatch Adam steps over one set of training rows. The two matrix products of a
   * step run on NDArrays; the (B, C) loss/gradient, the penalties and Adam run on Java arrays (the
   * parameters are small: C x F), which keeps a step to a handful of native calls.
   */
  private static final class Loop {
    private final ActivationMatrix x;
    private final int[] rows;
    private final ProbeTask task;
    private final float[][] stats;
    private final int[] featureIds;
    private final ProbeOptions o;
    private final Random random;
    private final int classes;
    private final int f;
    final float[] w;
    final float[] b;
    private final Adam adamW;
    private final Adam adamB;
    private double lossSum;
    private int batches;
    private NDArray wArr; // (C, F), rewritten from w before each step
    private float[] gradW;
    private double[] sums; // sum |W| and sum W^2 of the current weights
    private boolean half; // training rows held as float16 (see run)

    Loop(ActivationMatrix x, int[] rows, ProbeTask task, float[][] stats, int[] featureIds,
        ProbeOptions o, float[] w, float[] b, Random random) {
      this.x = x;
      this.rows = rows;
      this.task = task;
      this.stats = stats;
      this.featureIds = featureIds;
      this.o = o;
      this.random = random;
      this.classes = task.numClasses();
      this.f = x.cols();
      this.w = w;
      this.b = b;
      this.adamW = new Adam(w.length, o.learningRate());
      this.adamB = new Adam(b.length, o.learningRate());
    }

    /** Runs all epochs; returns the mean minibatch objective of the last epoch. */
    double run(NDManager manager) {
      // float16 store values without standardisation are held as float16 (exactly the same numbers,
      // half the memory) and widened per minibatch
      half = stats == null && x.storesHalf() && !manager.getDevice().isGpu();
      long bytes = (long) rows.length * f * (half ? 2 : Float.BYTES);
      wArr = manager.create(new Shape(classes, f));
      gradW = new float[classes * f];
      return bytes <= o.maxInMemoryBytes() ? inMemory(manager) : streamed(manager);
    }

    /**
     * The rows are placed once in a seeded random order in one (N, F) tensor; each epoch visits
     * the contiguous minibatches of that order in a fresh seeded order (no per-batch gather).
     */
    private double inMemory(NDManager manager) {
      int[] placed = shuffled(rows);
      NDArray all = manager.create(new Shape(placed.length, f), half ? DataType.FLOAT16 : DataType.FLOAT32);
      fillScattered(all, placed);
      int batch = o.batchSize();
      int count = (placed.length + batch - 1) / batch;
      double loss = Double.NaN;
      for (int epoch = 0; epoch < o.epochs(); epoch++) {
        startEpoch();
        for (int k : permutation(count)) {
          int s = k * batch;
          int e = Math.min(placed.length, s + batch);
          try (NDManager sub = manager.newSubManager()) {
            sub.tempAttachAll(all);
            NDArray xb = all.get(new NDIndex(s + ":" + e));
            step(sub, half ? xb.toType(DataType.FLOAT32, false) : xb, placed, s, e - s);
          }
        }
        loss = endEpoch();
      }
      return loss;
    }

    /**
     * Chunks of the (sorted) training rows are visited in a seeded order every epoch; a chunk is
     * read in a seeded random order and cut into contiguous minibatches.
     */
    private double streamed(NDManager manager) {
      int chunk = Math.max(o.batchSize(), Rows.chunkRows(f) * 4);
      int chunks = (rows.length + chunk - 1) / chunk;
      double loss = Double.NaN;
      for (int epoch = 0; epoch < o.epochs(); epoch++) {
        startEpoch();
        for (int k : permutation(chunks)) {
          int[] ids = shuffled(java.util.Arrays.copyOfRange(rows, k * chunk, Math.min(rows.length, (k + 1) * chunk)));
          try (NDManager chunkManager = manager.newSubManager()) {
            NDArray data = chunkManager.create(new Shape(ids.length, f));
            fillScattered(data, ids);
            for (int s = 0; s < ids.length; s += o.batchSize()) {
              int e = Math.min(ids.length, s + o.batchSize());
              try (NDManager sub = chunkManager.newSubManager()) {
                sub.tempAttachAll(data);
                step(sub, data.get(new NDIndex(s + ":" + e)), ids, s, e - s);
              }
            }
          }
        }
        loss = endEpoch();
      }
      return loss;
    }

    private void startEpoch() {
      lossSum = 0;
      batches = 0;
    }

    private double endEpoch() {
      return lossSum / batches;
    }

    /**
     * One Adam step on the minibatch {@code xb} (n, F) whose rows are {@code ids[start..start+n)}.
     */
    private void step(NDManager sub, NDArray xb, int[] ids, int start, int n) {
      Tensors.write(wArr, w); // the persistent (C, F) weight tensor gets this step's weights
      float[] scores = xb.matMul(wArr.transpose()).toFloatArray(); // (n, F) x (F, C) -> (n, C)
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < classes; k++) {
          scores[i * classes + k] += b[k];
        }
      }
      float[] gs = new float[n * classes];
      double loss;
      if (task.isRegression()) {
        float[] t = new float[n];
        for (int i = 0; i < n; i++) {
          t[i] = task.target(ids[start + i]);
        }
        loss = ProbeObjective.squaredError(scores, n, t, gs);
      } else {
        int[] gold = new int[n];
        for (int i = 0; i < n; i++) {
          gold[i] = task.label(ids[start + i]);
        }
        loss = ProbeObjective.crossEntropy(scores, n, classes, gold, gs);
      }
      // (C, n) x (n, F) -> (C, F), read through a view into a reused array
      Tensors.read(sub.create(gs, new Shape(n, classes)).transpose().matMul(xb), gradW);
      float[] gradB = new float[classes];
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < classes; k++) {
          gradB[k] += gs[i * classes + k];
        }
      }
      if (sums == null) {
        sums = ProbeObjective.absAndSquareSums(w);
      }
      double norm = Math.sqrt(sums[1]);
      lossSum += loss + o.lambda1() * sums[0] + o.lambda2() * norm;
      batches++;
      // penalty gradient, Adam and the next step's |W| and W^2 sums in one pass over W
      sums = adamW.stepPenalized(w, gradW, (float) o.lambda1(), norm > 0 ? (float) (o.lambda2() / norm) : 0f);
      adamB.step(b, gradB);
    }

    /**
     * Copies rows {@code ids} of x (checked, standardised) into row i of {@code dst} (ids.length,
     * F) for each position i, reading them in ascending row order (sequential reads of the store's
     * files) and writing straight into the tensor's memory; a float16 {@code dst} gets the store's
     * half bits as they are.
     */
    private void fillScattered(NDArray dst, int[] ids) {
      Integer[] byRow = new Integer[ids.length];
      for (int i = 0; i < ids.length; i++) {
        byRow[i] = i;
      }
      java.util.Arrays.sort(byRow, java.util.Comparator.comparingInt(i -> ids[i]));
      if (dst.getDataType() == DataType.FLOAT16) {
        fillHalf(dst, ids, byRow);
        return;
      }
      int chunk = Rows.chunkRows(f);
      float[] buf = new float[Math.min(chunk, ids.length) * f];
      java.nio.FloatBuffer view = Tensors.floatView(dst);
      for (int s = 0; s < ids.length; s += chunk) {
        int n = Math.min(chunk, ids.length - s);
        int[] part = new int[n];
        for (int k = 0; k < n; k++) {
          part[k] = ids[byRow[s + k]];
        }
        float[] data = n * f == buf.length ? buf : new float[n * f];
        Rows.read(x, part, stats == null ? null : stats[0], stats == null ? null : stats[1], data,
            featureIds, o.layout());
        if (view == null) { // no view of the tensor's memory (a GPU): row by row through the manager
          for (int k = 0; k < n; k++) {
            Tensors.writeRows(dst, byRow[s + k], java.util.Arrays.copyOfRange(data, k * f, (k + 1) * f), 1);
          }
        } else {
          for (int k = 0; k < n; k++) {
            view.put(byRow[s + k] * f, data, k * f, f);
          }
        }
      }
    }

    /** {@link #fillScattered} into a float16 tensor: the store's half bits copied as they are, checked finite. */
    private void fillHalf(NDArray dst, int[] ids, Integer[] byRow) {
      java.nio.ShortBuffer view = dst.toByteBuffer(true).order(java.nio.ByteOrder.nativeOrder()).asShortBuffer();
      int chunk = Rows.chunkRows(f);
      short[] buf = new short[Math.min(chunk, ids.length) * f];
      for (int s = 0; s < ids.length; s += chunk) {
        int n = Math.min(chunk, ids.length - s);
        int[] part = new int[n];
        for (int k = 0; k < n; k++) {
          part[k] = ids[byRow[s + k]];
        }
        x.readRowsHalf(part, buf);
        for (int k = 0; k < n; k++) {
          for (int j = 0; j < f; j++) {
            short h = buf[k * f + j];
            if ((h & 0x7C00) == 0x7C00) { // infinity or NaN
              float v = h == (short) 0x7C00 ? Float.POSITIVE_INFINITY : h == (short) 0xFC00 ? Float.NEGATIVE_INFINITY : Float.NaN;
              throw Rows.nonFinite(part[k], featureIds[j], v, o.layout());
            }
          }
          view.put(byRow[s + k] * f, buf, k * f, f);
        }
      }
    }

    private int[] shuffled(int[] ids) {
      int[] p = permutation(ids.length);
      int[] out = new int[ids.length];
      for (int i = 0; i < ids.length; i++) {
        out[i] = ids[p[i]];
      }
      return out;
    }

    private int[] permutation(int n) {
      return Shuffle.permutation(n, random);
    }
  }
}
