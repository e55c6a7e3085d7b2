package dev.neurolens.probe;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
 * training rows fit in {@link ProbeOptions#maxInMemoryBytes()} they are copied once into one
 * (N, F) tensor and every epoch draws minibatches from a fresh seeded permutation; otherwise
 * chunks of rows are read per epoch in a seeded order and shuffled inside the chunk.
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
    float[] w;
    float[] b;
    double finalLoss;
    String engine;
    try (NDManager manager = NDManager.newBaseManager()) {
      engine = manager.getEngine().getEngineName() + " " + manager.getEngine().getVersion();
      NDArray wArr = manager.create(initW, new Shape(numClasses, f));
      NDArray bArr = manager.create(initB, new Shape(numClasses));
      Loop loop = new Loop(manager, x, rows, task, stats, featureIds, options, wArr, bArr, random);
      finalLoss = loop.run();
      w = wArr.toFloatArray();
      b = bArr.toFloatArray();
    }
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

  /** The epochs of minibatch Adam steps over one set of training rows. */
  private static final class Loop {
    private final NDManager manager;
    private final ActivationMatrix x;
    private final int[] rows;
    private final ProbeTask task;
    private final float[][] stats;
    private final int[] featureIds;
    private final ProbeOptions o;
    private final NDArray w;
    private final NDArray b;
    private final Random random;
    private final Adam adamW;
    private final Adam adamB;
    private final NDArray lossSum;
    private int batches;

    Loop(NDManager manager, ActivationMatrix x, int[] rows, ProbeTask task, float[][] stats,
        int[] featureIds, ProbeOptions o, NDArray w, NDArray b, Random random) {
      this.manager = manager;
      this.x = x;
      this.rows = rows;
      this.task = task;
      this.stats = stats;
      this.featureIds = featureIds;
      this.o = o;
      this.w = w;
      this.b = b;
      this.random = random;
      this.adamW = new Adam(w, o.learningRate());
      this.adamB = new Adam(b, o.learningRate());
      this.lossSum = manager.zeros(new Shape());
    }

    /** Runs all epochs; returns the mean minibatch loss of the last epoch. */
    double run() {
      long bytes = (long) rows.length * x.cols() * Float.BYTES;
      return bytes <= o.maxInMemoryBytes() ? inMemory() : streamed();
    }

    private double inMemory() {
      NDArray all = manager.create(new Shape(rows.length, x.cols()));
      fill(all, rows);
      NDArray targets = targets(manager, rows);
      double loss = Double.NaN;
      for (int epoch = 0; epoch < o.epochs(); epoch++) {
        int[] perm = permutation(rows.length);
        startEpoch();
        for (int s = 0; s < perm.length; s += o.batchSize()) {
          int n = Math.min(o.batchSize(), perm.length - s);
          try (NDManager sub = manager.newSubManager()) {
            long[] idx = new long[n];
            for (int i = 0; i < n; i++) {
              idx[i] = perm[s + i];
            }
            NDArray ids = sub.create(idx);
            step(sub, all.get(ids), targets.get(ids));
          }
        }
        loss = endEpoch();
      }
      return loss;
    }

    private double streamed() {
      int chunk = Math.max(o.batchSize(), Rows.chunkRows(x.cols()) * 4);
      int chunks = (rows.length + chunk - 1) / chunk;
      double loss = Double.NaN;
      for (int epoch = 0; epoch < o.epochs(); epoch++) {
        startEpoch();
        for (int k : permutation(chunks)) {
          int[] ids = java.util.Arrays.copyOfRange(rows, k * chunk, Math.min(rows.length, (k + 1) * chunk));
          try (NDManager chunkManager = manager.newSubManager()) {
            NDArray data = chunkManager.create(new Shape(ids.length, x.cols()));
            fill(data, ids);
            NDArray targets = targets(chunkManager, ids);
            int[] perm = permutation(ids.length);
            for (int s = 0; s < perm.length; s += o.batchSize()) {
              int n = Math.min(o.batchSize(), perm.length - s);
              try (NDManager sub = chunkManager.newSubManager()) {
                long[] idx = new long[n];
                for (int i = 0; i < n; i++) {
                  idx[i] = perm[s + i];
                }
                NDArray sel = sub.create(idx);
                step(sub, data.get(sel), targets.get(sel));
              }
            }
          }
        }
        loss = endEpoch();
      }
      return loss;
    }

    private void startEpoch() {
      lossSum.muli(0);
      batches = 0;
    }

    private double endEpoch() {
      return lossSum.getFloat() / batches;
    }

    /** One Adam step on a minibatch; every temporary lives in {@code sub}. */
    private void step(NDManager sub, NDArray xb, NDArray yb) {
      sub.tempAttachAll(w, b, lossSum);
      sub.tempAttachAll(adamW.state());
      sub.tempAttachAll(adamB.state());
      NDArray target = task.isRegression() ? yb.reshape(-1, 1) : yb.oneHot(task.numClasses());
      ProbeObjective.Result r =
          ProbeObjective.compute(xb, target, w, b, o.lambda1(), o.lambda2(), task.isRegression());
      adamW.step(w, r.gradW());
      adamB.step(b, r.gradB());
      lossSum.addi(r.loss());
      batches++;
    }

    /** Copies rows {@code ids} of x (checked, standardised) into {@code dst} (ids.length, F). */
    private void fill(NDArray dst, int[] ids) {
      int f = x.cols();
      int chunk = Rows.chunkRows(f);
      float[] buf = new float[Math.min(chunk, ids.length) * f];
      for (int s = 0; s < ids.length; s += chunk) {
        int n = Math.min(chunk, ids.length - s);
        int[] part = java.util.Arrays.copyOfRange(ids, s, s + n);
        float[] data = n * f == buf.length ? buf : new float[n * f];
        Rows.read(x, part, stats == null ? null : stats[0], stats == null ? null : stats[1], data,
            featureIds, o.layout());
        try (NDManager sub = dst.getManager().newSubManager()) {
          NDArray piece = sub.create(data, new Shape(n, f));
          dst.set(new ai.djl.ndarray.index.NDIndex(s + ":" + (s + n)), piece);
        }
      }
    }

    private NDArray targets(NDManager m, int[] ids) {
      if (task.isRegression()) {
        float[] t = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
          t[i] = task.target(ids[i]);
        }
        return m.create(t);
      }
      long[] t = new long[ids.length];
      for (int i = 0; i < ids.length; i++) {
        t[i] = task.label(ids[i]);
      }
      return m.create(t);
    }

    private int[] permutation(int n) {
      int[] p = new int[n];
      for (int i = 0; i < n; i++) {
        p[i] = i;
      }
      for (int i = n - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = p[i];
        p[i] = p[j];
        p[j] = t;
      }
      return p;
    }
  }
}
