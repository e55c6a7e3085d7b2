package dev.neurolens.probe;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.util.NeuroLensException;
import dev.neurolens.util.Shuffle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The epochs of minibatch Adam steps of one group of probes over their shared rows. The two
 * batched products of a step run on NDArrays; the (n, C) losses and gradients, the penalties
 * and Adam run on Java arrays.
 */
final class ProbePass {
  private final TrainingRows data;
  private final int blocks;
  private final int width;
  private final int f;
  private final List<BlockTrainer.Prepared> probes;
  private final ProbeOptions o;
  private final BlockTrainer.Progress progress;
  private final int part;
  private final BlockLayout lay;
  private final float[] big;
  private final float[] gradBig;
  private final Adam adam;
  private final float[][] bias;
  private final Adam[] adamB;
  private final double[][] sums;
  private final double[] lossSum;
  private int batches;
  private BlockLayout.Weights weights; // rewritten from big before each step
  private final BlockLayout.Buffers buffers;

  ProbePass(TrainingRows data, int blocks, int width, List<BlockTrainer.Prepared> probes, ProbeOptions o, BlockTrainer.Progress progress, int part) {
    this.data = data;
    this.blocks = blocks;
    this.width = width;
    this.f = data.f;
    this.probes = probes;
    this.o = o;
    this.progress = progress;
    this.part = part;
    int n = probes.size();
    this.lay = new BlockLayout(blocks, width,
        probes.stream().mapToInt(p -> p.spec().task().numClasses()).toArray(),
        probes.stream().mapToInt(p -> p.spec().first()).toArray(),
        probes.stream().mapToInt(p -> p.spec().last()).toArray());
    this.big = new float[lay.size()];
    this.gradBig = new float[big.length];
    this.buffers = new BlockLayout.Buffers(lay, o.batchSize());
    this.adam = new Adam(big.length, o.learningRate());
    this.bias = new float[n][];
    this.adamB = new Adam[n];
    this.sums = new double[n][];
    this.lossSum = new double[n];
    for (int p = 0; p < n; p++) {
      BlockTrainer.Prepared pr = probes.get(p);
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
      weights = BlockLayout.Weights.create(manager, lay);
      loss = data.all != null ? inMemory(manager) : streamed(manager);
    }
    List<Probe> out = new ArrayList<>();
    for (int p = 0; p < probes.size(); p++) {
      BlockTrainer.Prepared pr = probes.get(p);
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
    BlockLayout.Forward fw = lay.forward(xb, n, weights, buffers.sf, buffers.sb);
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
