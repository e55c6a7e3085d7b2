package dev.neurolens.ablation;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.probe.ColumnSubset;
import dev.neurolens.probe.LayerLayout;
import dev.neurolens.probe.Probe;
import dev.neurolens.probe.ProbeEvaluator;
import dev.neurolens.probe.ProbeOptions;
import dev.neurolens.probe.ProbeScores;
import dev.neurolens.probe.ProbeTask;
import dev.neurolens.probe.ProbeTrainer;
import dev.neurolens.rank.LcaRanker;
import dev.neurolens.rank.NeuronRanking;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Probe-level ablation: neuron sets are given as original feature ids (layer * D + index) and
 * mapped to the columns of the probe / activation matrix.
 *
 * <p>Usage: {@code AblationResult r = ProbeAblation.run(x, trainRows, testRows, task, probe, ranking,
 * ProbeAblation.Options.defaults())}
 */
public final class ProbeAblation {

  /** Whether a probe is also retrained on each kept neuron set. */
  public enum Retrain {
    /** Retrain (one training per entry). */
    YES,
    /** Only zero neurons in the trained probe. */
    NO
  }

  /**
   * Settings of an ablation curve.
   *
   * <p>Usage: {@code new ProbeAblation.Options(new double[] {1, 10}, Retrain.NO, 42, ProbeOptions.defaults())}
   *
   * @param percents the k% values (default 1, 5, 10, 20)
   * @param retrain also retrain a probe on each kept set (costs one training per entry)
   * @param seed seeds the random selection
   * @param probeOptions settings of the retrained probes
   */
  public record Options(double[] percents, Retrain retrain, long seed, ProbeOptions probeOptions) {
    public Options {
      java.util.Objects.requireNonNull(retrain, "retrain");
      java.util.Objects.requireNonNull(probeOptions, "probeOptions");
      percents = percents.clone();
      for (double p : percents) {
        if (!(p > 0 && p <= 100)) {
          throw new NeuroLensException("ablation: percent must be in (0, 100], found " + p);
        }
      }
    }

    @Override
    public double[] percents() {
      return percents.clone();
    }

    /** k = 1, 5, 10, 20 %, retraining on, seed 42, default probe settings. */
    public static Options defaults() {
      return new Options(new double[] {1, 5, 10, 20}, Retrain.YES, 42, ProbeOptions.defaults());
    }
  }

  private ProbeAblation() {}

  /**
   * Ablation curve: for each k% and each of top / random / bottom neurons of {@code ranking},
   * the test score of {@code probe} keeping only those neurons (others zeroed), of a probe retrained
   * on them, and of {@code probe} with them removed (zeroed).
   *
   * @param x N x F activations the probe was trained on
   * @param probe the probe to ablate (trained on {@code trainRows} of x)
   * @param ranking a ranking of the probe's features (ids outside them are ignored)
   */
  public static AblationResult run(
      ActivationMatrix x, int[] trainRows, int[] testRows, ProbeTask task, Probe probe,
      NeuronRanking ranking, Options options) {
    int[] ids = probe.featureIds();
    Map<Integer, Integer> column = columns(ids);
    int[] ordered = java.util.Arrays.stream(ranking.ordering()).filter(column::containsKey).toArray();
    if (ordered.length != ids.length) {
      throw new NeuroLensException(
          "ablation: ranking " + ranking.method() + " covers " + ordered.length + " of the probe's "
              + ids.length + " features; use a full ordering of the probe's features");
    }
    int[] random = LcaRanker.random(ids, options.seed()).ordering();
    double baseline = ProbeEvaluator.evaluate(probe, x, testRows, task, "test").score();
    List<AblationResult.Entry> entries = new ArrayList<>();
    for (double percent : options.percents()) {
      int k = NeuronRanking.countFor(percent / 100, ids.length);
      Map<String, int[]> selections = new java.util.LinkedHashMap<>();
      selections.put("top", java.util.Arrays.copyOf(ordered, k));
      selections.put("random", java.util.Arrays.copyOf(random, k));
      selections.put("bottom", java.util.Arrays.copyOfRange(ordered, ordered.length - k, ordered.length));
      for (Map.Entry<String, int[]> sel : selections.entrySet()) {
        int[] keep = sel.getValue();
        double keepZeroed = keepOnlyZeroed(probe, x, testRows, task, keep).score();
        double removeZeroed = zeroOut(probe, x, testRows, task, keep).score();
        Double retrained = null;
        if (options.retrain() == Retrain.YES) {
          ActivationMatrix kept = keepOnly(x, keep);
          Probe p = ProbeTrainer.train(kept, trainRows, task, options.probeOptions(), "keep " + sel.getKey() + " " + percent + "%");
          retrained = ProbeEvaluator.evaluate(p, kept, testRows, task, "test").score();
        }
        entries.add(new AblationResult.Entry(sel.getKey(), percent, k, keepZeroed, retrained, removeZeroed));
      }
    }
    return new AblationResult(task.name(), ranking.method(), ids.length, baseline, entries, options.seed());
  }

  /** Scores of {@code probe} with the neurons {@code featureIds} zeroed (no retraining). */
  public static ProbeScores zeroOut(Probe probe, ActivationMatrix x, int[] rows, ProbeTask task, int[] featureIds) {
    return ProbeEvaluator.evaluate(probe.withZeroedColumns(toColumns(probe.featureIds(), featureIds)), x, rows, task);
  }

  /** Scores of {@code probe} with every neuron except {@code featureIds} zeroed (no retraining). */
  public static ProbeScores keepOnlyZeroed(
      Probe probe, ActivationMatrix x, int[] rows, ProbeTask task, int[] featureIds) {
    int[] ids = probe.featureIds();
    boolean[] keep = new boolean[ids.length];
    for (int c : toColumns(ids, featureIds)) {
      keep[c] = true;
    }
    int[] zero = java.util.stream.IntStream.range(0, ids.length).filter(c -> !keep[c]).toArray();
    return ProbeEvaluator.evaluate(probe.withZeroedColumns(zero), x, rows, task);
  }

  /** A view of {@code x} with only the neurons {@code featureIds} (in that order). */
  public static ActivationMatrix keepOnly(ActivationMatrix x, int[] featureIds) {
    return ColumnSubset.of(x, toColumns(ColumnSubset.featureIds(x), featureIds));
  }

  /** A view of {@code x} without the neurons {@code featureIds}. */
  public static ActivationMatrix remove(ActivationMatrix x, int[] featureIds) {
    return ColumnSubset.without(x, toColumns(ColumnSubset.featureIds(x), featureIds));
  }

  /** Feature ids of the given layers (layer filter), for keepOnly / remove. */
  public static int[] layerFeatures(LayerLayout layout, int... layers) {
    List<Integer> ids = new ArrayList<>();
    for (int l : layers) {
      for (int id : layout.layerFeatures(l)) {
        ids.add(id);
      }
    }
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  private static Map<Integer, Integer> columns(int[] ids) {
    Map<Integer, Integer> m = new HashMap<>();
    for (int c = 0; c < ids.length; c++) {
      m.put(ids[c], c);
    }
    return m;
  }

  private static int[] toColumns(int[] ids, int[] featureIds) {
    Map<Integer, Integer> m = columns(ids);
    int[] cols = new int[featureIds.length];
    for (int i = 0; i < featureIds.length; i++) {
      Integer c = m.get(featureIds[i]);
      if (c == null) {
        throw new NeuroLensException("ablation: feature " + featureIds[i] + " is not among the probe's features");
      }
      cols[i] = c;
    }
    return cols;
  }
}
