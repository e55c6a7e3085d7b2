package dev.neurolens.redundancy;

import dev.neurolens.util.Shuffle;
import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.probe.ColumnSubset;
import dev.neurolens.probe.LayerLayout;
import dev.neurolens.probe.Probe;
import dev.neurolens.probe.ProbeEvaluator;
import dev.neurolens.probe.ProbeTask;
import dev.neurolens.probe.ProbeTrainer;
import dev.neurolens.rank.LcaRanker;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * The task-specific redundancy pipeline LayerSelector -> CC -> LCA of Dalvi et al. (2020), as
 * used for code models (ALGORITHMS.md 6).
 *
 * <ol>
 *   <li>Oracle probe on all L * D neurons: dev score s*.
 *   <li>Probes on layers 0..l for every l; LayerSelector picks the smallest l whose dev score
 *       exceeds s* (1 − layer delta / 100), else the last layer.
 *   <li>Correlation clustering of layers 0..l on the training rows (or none): independent neurons.
 *   <li>Base probe on those neurons (dev score s_b) and its LCA ordering (stride S).
 *   <li>For each k of the percentage grid (of all L * D neurons), a probe retrained on the first k
 *       neurons of the ordering; the first k whose dev score exceeds s_b (1 − neuron delta / 100)
 *       is the minimal set (else all neurons after CC).
 * </ol>
 *
 * Probes, clusterings and orderings are cached across threshold pairs that select the same layers.
 *
 * <p>Usage: {@code TaskRedundancy t = RedundancyPipeline.run(x, task, splits.train(), splits.test(), layout,
 * PipelineOptions.defaults(42), System.err::println)}
 */
public final class RedundancyPipeline {
  private final ActivationMatrix x;
  private final ProbeTask task;
  private final LayerLayout layout;
  private final PipelineOptions opts;
  private final Consumer<String> log;
  private final int[] train;
  private final int[] dev;
  private final int[] test;
  private final Map<String, Reduced> reduced = new HashMap<>();

  private RedundancyPipeline(
      ActivationMatrix x, ProbeTask task, int[] trainRows, int[] testRows, int[] groupOfRow, LayerLayout layout,
      PipelineOptions opts, Consumer<String> log) {
    this.x = x;
    this.task = task;
    this.layout = layout;
    this.opts = opts;
    this.log = log;
    int[][] split = devSplit(trainRows, groupOfRow, opts.devFraction(), opts.seed());
    this.train = split[0];
    this.dev = split[1];
    this.test = testRows.clone();
  }

  /**
   * Runs the pipeline for one task.
   *
   * @param x N x (L * D) activations, layer-major
   * @param trainRows training rows (the dev split is taken from them, seeded)
   * @param testRows test rows
   * @param log progress lines (e.g. {@code System.err::println}, or {@code s -> {}})
   */
  public static TaskRedundancy run(
      ActivationMatrix x, ProbeTask task, int[] trainRows, int[] testRows, LayerLayout layout,
      PipelineOptions opts, Consumer<String> log) {
    return run(x, task, trainRows, testRows, null, layout, opts, log);
  }

  /**
   * Runs the pipeline for one task whose rows come in groups (the tokens of one snippet): the dev
   * split takes whole groups, as the task's own train/test split does, so that no snippet has
   * tokens on both sides and inflates the dev scores that choose the layer and the neuron count.
   *
   * @param groupOfRow group id of every row of {@code x} (e.g. {@code store.rowSnippets()}); null = rows independent
   */
  public static TaskRedundancy run(
      ActivationMatrix x, ProbeTask task, int[] trainRows, int[] testRows, int[] groupOfRow, LayerLayout layout,
      PipelineOptions opts, Consumer<String> log) {
    if (groupOfRow != null && groupOfRow.length != x.rows()) {
      throw new IllegalArgumentException("groupOfRow: " + groupOfRow.length + " entries for " + x.rows() + " rows");
    }
    if (x.cols() != layout.features()) {
      throw new NeuroLensException(
          "activations: " + x.cols() + " columns, expected " + layout.numLayers() + " layers x " + layout.neuronsPerLayer());
    }
    if (trainRows.length < 2 || testRows.length < 1) {
      throw new NeuroLensException(
          "task " + task.name() + ": needs at least 2 training and 1 test rows, found " + trainRows.length + " and " + testRows.length);
    }
    return new RedundancyPipeline(x, task, trainRows, testRows, groupOfRow, layout, opts, log).run();
  }

  /** Seeded split of {@code rows} into {train, dev} with round(fraction * n) (>= 1) dev rows. */
  static int[][] devSplit(int[] rows, double fraction, long seed) {
    return devSplit(rows, null, fraction, seed);
  }

  /**
   * Seeded split of {@code rows} into {train, dev} by group: round(fraction * g) (>= 1, < g) of the
   * g groups among {@code rows} go to dev with all their rows; {@code groupOfRow == null} makes
   * every row its own group.
   */
  static int[][] devSplit(int[] rows, int[] groupOfRow, double fraction, long seed) {
    int[] groupOf = groupOfRow == null ? null : groupOfRow;
    int[] groups = Arrays.stream(rows).map(r -> groupOf == null ? r : groupOf[r]).distinct().sorted().toArray();
    if (groups.length < 2) {
      throw new NeuroLensException("redundancy pipeline: the training rows come from " + groups.length
          + " snippet(s); a dev split by snippet needs at least 2");
    }
    Shuffle.inPlace(groups, new Random(seed));
    int nDev = (int) Math.max(1, Math.min(groups.length - 1, Math.round(fraction * groups.length)));
    java.util.Set<Integer> devGroups = new java.util.HashSet<>();
    for (int i = 0; i < nDev; i++) {
      devGroups.add(groups[i]);
    }
    int[] dev = Arrays.stream(rows).filter(r -> devGroups.contains(groupOf == null ? r : groupOf[r])).sorted().toArray();
    int[] train = Arrays.stream(rows).filter(r -> !devGroups.contains(groupOf == null ? r : groupOf[r])).sorted().toArray();
    return new int[][] {train, dev};
  }

  private TaskRedundancy run() {
    int numLayers = layout.numLayers();
    int total = layout.features();
    log.accept(task.name() + ": oracle probe on " + total + " neurons");
    Fitted oracle = fit(IntStream.range(0, total).toArray());
    double oracleTest = score(oracle, test);
    double[] layerDev = new double[numLayers];
    for (int l = 0; l < numLayers; l++) {
      layerDev[l] = l == numLayers - 1 ? oracle.dev : fit(layout.layerRange(0, l)).dev;
      log.accept(task.name() + ": layers 0.." + l + " dev " + String.format("%.4f", layerDev[l]));
    }
    List<PipelineRow> rows = new ArrayList<>();
    for (PipelineOptions.Thresholds th : opts.thresholds()) {
      int selected = numLayers - 1;
      for (int l = 0; l < numLayers; l++) {
        if (layerDev[l] > oracle.dev * (1 - th.layerDelta() / 100)) {
          selected = l;
          break;
        }
      }
      for (double cc : opts.ccThresholds()) {
        String key = selected + "/" + cc;
        Reduced red = reduced.get(key);
        if (red == null) {
          red = reduce(layout.layerRange(0, selected), cc);
          reduced.put(key, red);
        }
        rows.add(minimal(th, cc, selected, red, total, oracleTest));
      }
    }
    return new TaskRedundancy(
        task.name(), task.isRegression() ? "pearson" : "accuracy", numLayers, layout.neuronsPerLayer(),
        train.length, dev.length, test.length, oracle.dev, oracleTest, layerDev, rows, opts);
  }

  /** CC (or none) of the given features on the training rows, base probe, LCA ordering. */
  private Reduced reduce(int[] features, double cc) {
    int[] kept = features;
    if (cc != PipelineOptions.NO_CC) {
      CorrelationMatrix r = NeuronCorrelation.compute(new RowSubset(x, train), features);
      ThresholdClusters tc =
          CorrelationClustering.cluster(r, List.of(cc), opts.cluster(), layout.numLayers(), layout.neuronsPerLayer())
              .results()
              .get(0);
      kept = tc.representatives();
      Arrays.sort(kept);
    }
    log.accept(task.name() + ": " + features.length + " neurons, " + kept.length + " after CC " + (cc == 0 ? "none" : cc));
    Fitted base = fit(kept);
    int[] ordered = LcaRanker.ordering(base.probe, opts.stride()).ordering();
    return new Reduced(kept, base, ordered, new HashMap<>());
  }

  private PipelineRow minimal(
      PipelineOptions.Thresholds th, double cc, int selected, Reduced red, int total, double oracleTest) {
    double bar = red.base.dev * (1 - th.neuronDelta() / 100);
    Fitted found = null;
    int k = 0;
    int last = -1;
    for (double p : opts.percentages()) {
      k = (int) Math.min(red.ordered.length, Math.max(1, Math.round(p * total)));
      if (k == last) {
        continue;
      }
      last = k;
      int kk = k;
      Fitted f = red.byK.computeIfAbsent(kk, key -> fit(Arrays.copyOf(red.ordered, kk)));
      if (f.dev > bar) {
        found = f;
        break;
      }
      if (k == red.ordered.length) {
        break;
      }
    }
    if (found == null) {
      k = red.ordered.length;
      found = red.base;
    }
    int[] set = found.features;
    List<LayerNeuron> ids = new ArrayList<>();
    for (int f : set) {
      ids.add(LayerNeuron.of(f, layout.neuronsPerLayer()));
    }
    return new PipelineRow(
        th.layerDelta(), th.neuronDelta(), cc, selected, (selected + 1) * layout.neuronsPerLayer(),
        red.kept.length, red.base.dev, k, found.dev, 100.0 * (1 - (double) k / total), oracleTest,
        score(found, test), ids);
  }

  private Fitted fit(int[] features) {
    ActivationMatrix view = ColumnSubset.of(x, features);
    Probe p = ProbeTrainer.train(view, train, task, opts.probe(), "redundancy pipeline");
    double s = ProbeEvaluator.evaluate(p, view, dev, task, "dev").score();
    return new Fitted(features.clone(), p, Double.isNaN(s) ? Double.NEGATIVE_INFINITY : s);
  }

  private double score(Fitted f, int[] rows) {
    return ProbeEvaluator.evaluate(f.probe, ColumnSubset.of(x, f.features), rows, task, "test").score();
  }

  private record Fitted(int[] features, Probe probe, double dev) {}

  private record Reduced(int[] kept, Fitted base, int[] ordered, Map<Integer, Fitted> byK) {}
}
