package dev.neurolens.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.util.NeuroLensException;
import java.util.Set;

/**
 * Applies a probe to rows of an activation matrix and scores it (argmax prediction).
 *
 * <p>Usage: {@code ProbeScores s = ProbeEvaluator.evaluate(probe, x, splits.test(), task)}
 */
public final class ProbeEvaluator {

  private ProbeEvaluator() {}

  /**
   * Scores {@code probe} on {@code rows} of {@code x} against {@code task}. Rows whose gold class
   * was dropped from the probe are skipped and counted in {@link ProbeScores#skippedRows()}.
   *
   * @param x N x F activations with the probe's F columns
   */
  public static ProbeScores evaluate(Probe probe, ActivationMatrix x, int[] rows, ProbeTask task) {
    return evaluate(probe, x, rows, task, "evaluation");
  }

  /** As {@link #evaluate(Probe, ActivationMatrix, int[], ProbeTask)}; {@code split} names the split in errors. */
  public static ProbeScores evaluate(
      Probe probe, ActivationMatrix x, int[] rows, ProbeTask task, String split) {
    if (task.isRegression() != probe.regression() || task.numClasses() != probe.numClasses()) {
      throw new NeuroLensException(
          "task " + task.name() + ": does not match the probe (" + probe.numClasses() + " outputs, "
              + (probe.regression() ? "regression" : "classification") + ")");
    }
    if (task.rows() != x.rows()) {
      throw new NeuroLensException(
          "task " + task.name() + ": has " + task.rows() + " rows but the activations have " + x.rows());
    }
    Rows.checkIds(split, rows, x.rows());
    if (task.isRegression()) {
      float[] scores = scores(probe, x, rows, null);
      float[] gold = new float[rows.length];
      for (int i = 0; i < rows.length; i++) {
        gold[i] = task.target(rows[i]);
      }
      return Metrics.regression(gold, scores);
    }
    Set<Integer> dropped = probe.droppedClassIds();
    int[] kept = java.util.Arrays.stream(rows).filter(r -> !dropped.contains(task.label(r))).toArray();
    if (kept.length == 0) {
      throw new NeuroLensException(split + " split: no row of a class the probe was trained on");
    }
    int[] pred = predict(probe, x, kept, null);
    int[] gold = new int[kept.length];
    for (int i = 0; i < kept.length; i++) {
      gold[i] = task.label(kept[i]);
    }
    return Metrics.classification(gold, pred, probe.labelNames(), rows.length - kept.length);
  }

  /**
   * Scores {@code probe} from its {@code outputs} on {@code rows} (argmax class or regression
   * value per row, as {@link BlockTrainer#outputs}) against {@code task}; rows of a class the probe
   * dropped are skipped, as in {@link #evaluate}.
   */
  static ProbeScores fromOutputs(Probe probe, float[] outputs, int[] rows, ProbeTask task, String split) {
    if (task.isRegression()) {
      float[] gold = new float[rows.length];
      for (int i = 0; i < rows.length; i++) {
        gold[i] = task.target(rows[i]);
      }
      return Metrics.regression(gold, outputs.clone());
    }
    Set<Integer> dropped = probe.droppedClassIds();
    int kept = 0;
    for (int r : rows) {
      kept += dropped.contains(task.label(r)) ? 0 : 1;
    }
    if (kept == 0) {
      throw new NeuroLensException(split + " split: no row of a class the probe was trained on");
    }
    int[] pred = new int[kept];
    int[] gold = new int[kept];
    int k = 0;
    for (int i = 0; i < rows.length; i++) {
      if (!dropped.contains(task.label(rows[i]))) {
        pred[k] = (int) outputs[i];
        gold[k++] = task.label(rows[i]);
      }
    }
    return Metrics.classification(gold, pred, probe.labelNames(), rows.length - kept);
  }

  /** Argmax class of every row in {@code rows}. */
  public static int[] predict(Probe probe, ActivationMatrix x, int[] rows, LayerLayout layout) {
    float[] s = scores(probe, x, rows, layout);
    int c = probe.numClasses();
    int[] pred = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      int best = 0;
      for (int k = 1; k < c; k++) {
        if (s[i * c + k] > s[i * c + best]) {
          best = k;
        }
      }
      pred[i] = best;
    }
    return pred;
  }

  /**
   * Scores W x' + b of every row, row-major (rows.length x C): logits, or the regression output.
   */
  public static float[] scores(Probe probe, ActivationMatrix x, int[] rows, LayerLayout layout) {
    int f = probe.numFeatures();
    if (x.cols() != f) {
      throw new NeuroLensException(
          "probe for task " + probe.provenance().task() + ": expects " + f
              + " features, the activations have " + x.cols());
    }
    int c = probe.numClasses();
    float[] out = new float[rows.length * c];
    float[] mean = probe.featureMean();
    float[] scale = probe.featureScale();
    int[] ids = probe.featureIds();
    int chunk = Rows.chunkRows(f);
    float[] buf = new float[Math.min(chunk, rows.length) * f];
    float[] flatW = new float[c * f];
    float[][] w = probe.weights();
    for (int k = 0; k < c; k++) {
      System.arraycopy(w[k], 0, flatW, k * f, f);
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray wArr = manager.create(flatW, new Shape(c, f)).transpose(); // (F, C)
      NDArray bArr = manager.create(probe.bias());
      for (int s = 0; s < rows.length; s += chunk) {
        int n = Math.min(chunk, rows.length - s);
        float[] data = n * f == buf.length ? buf : new float[n * f];
        Rows.read(x, java.util.Arrays.copyOfRange(rows, s, s + n), mean, scale, data, ids, layout);
        try (NDManager sub = manager.newSubManager()) {
          NDArray xb = sub.create(data, new Shape(n, f));
          float[] part = xb.matMul(wArr).add(bArr).toFloatArray(); // (n, F) x (F, C) -> (n, C)
          System.arraycopy(part, 0, out, s * c, n * c);
        }
      }
    }
    return out;
  }
}
