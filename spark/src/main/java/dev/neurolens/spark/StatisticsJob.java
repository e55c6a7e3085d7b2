package dev.neurolens.spark;

import dev.neurolens.activation.DenseActivations;
import dev.neurolens.redundancy.ClusterOptions;
import dev.neurolens.redundancy.ClusterSweep;
import dev.neurolens.redundancy.CorrelationClustering;
import dev.neurolens.redundancy.CorrelationMatrix;
import dev.neurolens.redundancy.LayerSimilarityResult;
import dev.neurolens.redundancy.LayerStatistics;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;

/**
 * Neuron statistics at scale: per-layer neuron correlation and layer CKA from the centred
 * cross-products of {@link LayerStatistics}, accumulated per partition in chunks of rows and merged
 * over partitions with Spark's {@code treeAggregate}; the correlation clustering of one layer then
 * runs on the driver on its D x D matrix ({@link CorrelationClustering}).
 *
 * <p>Memory per task and on the driver: L(L+1)/2 D x D doubles for L hooks of width D (107 MB for
 * BGE-small's 13 x 384), plus one chunk of rows.
 *
 * <p>Usage: {@code StatisticsJob.run(ActivationDataset.open(spark, dir), List.of("blocks.0.resid_post", "blocks.1.resid_post"))}
 */
public final class StatisticsJob {
  /** Rows per chunk handed to {@link LayerStatistics#of}. */
  static final int CHUNK_ROWS = 4096;

  private StatisticsJob() {}

  /**
   * The merged statistics and what they give.
   *
   * @param hooks the hooks, in layer order
   * @param statistics the merged sufficient statistics
   * @param similarity CKA and best-match correlation of every pair of hooks
   */
  public record Result(List<String> hooks, LayerStatistics statistics, LayerSimilarityResult similarity) {
    /** The neuron correlation of hook position {@code layer}; feature ids layer * D + index. */
    public CorrelationMatrix correlation(int layer) {
      return statistics.correlation(layer, layer * statistics.hidden());
    }

    /** The correlation clustering of hook position {@code layer} at {@code thresholds}, on the driver. */
    public ClusterSweep cluster(int layer, List<Double> thresholds) {
      return CorrelationClustering.cluster(correlation(layer), thresholds, ClusterOptions.defaults(),
          hooks.size(), statistics.hidden());
    }
  }

  /** Sums the statistics of {@code hooks} (all of one width) over every stored token of {@code ds}. */
  public static Result run(ActivationDataset ds, List<String> hooks) {
    DatasetInfo info = ds.info();
    if (hooks.isEmpty()) {
      throw new NeuroLensException("--hooks: name at least one hook of " + info.hooks());
    }
    int[] at = hooks.stream().mapToInt(info::hookIndex).toArray();
    int d = info.widths().get(at[0]);
    for (int h : at) {
      if (info.widths().get(h) != d) {
        throw new NeuroLensException("--hooks: every hook must have the same width, found "
            + info.hooks().get(h) + " with " + info.widths().get(h) + " and " + info.hooks().get(at[0]) + " with " + d);
      }
    }
    int layers = at.length;
    List<Column> cols = new ArrayList<>();
    for (int h : at) {
      cols.add(ds.floats("", h));
    }
    JavaRDD<Row> rows = ds.tokens().select(cols.toArray(new Column[0])).javaRDD();
    LayerStatistics zero = LayerStatistics.empty(layers, d);
    LayerStatistics total = rows
        .mapPartitions((Iterator<Row> it) -> List.of(partition(it, layers, d)).iterator())
        .treeAggregate(zero, LayerStatistics::merge, LayerStatistics::merge, 2);
    return new Result(List.copyOf(hooks), total, total.similarity());
  }

  /** The statistics of one partition's rows, chunk by chunk. */
  private static LayerStatistics partition(Iterator<Row> it, int layers, int d) {
    int width = layers * d;
    LayerStatistics acc = LayerStatistics.empty(layers, d);
    float[] chunk = new float[CHUNK_ROWS * width];
    int n = 0;
    while (it.hasNext()) {
      Row r = it.next();
      for (int l = 0; l < layers; l++) {
        List<Object> v = r.getList(l);
        for (int j = 0; j < d; j++) {
          chunk[n * width + l * d + j] = (Float) v.get(j);
        }
      }
      if (++n == CHUNK_ROWS || !it.hasNext()) {
        float[] rows = n == CHUNK_ROWS ? chunk : java.util.Arrays.copyOf(chunk, n * width);
        acc = acc.merge(LayerStatistics.of(new DenseActivations(rows, n, width), layers, d));
        n = 0;
      }
    }
    return acc;
  }
}
