package dev.neurolens.spark;

import dev.neurolens.activation.StoredToken;
import dev.neurolens.concept.ControlTasks;
import dev.neurolens.probe.Probe;
import dev.neurolens.probe.ProbeOptions;
import dev.neurolens.probe.ProbeProvenance;
import dev.neurolens.rank.LcaRanker;
import dev.neurolens.rank.NeuronRanking;
import dev.neurolens.util.NeuroLensException;
import dev.neurolens.util.SnippetSplit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * A layer's probe at scale: Spark MLlib's multinomial {@link LogisticRegression} with elastic net
 * ({@code regParam}, {@code elasticNetParam}) on one hook column of a Parquet activation dataset,
 * turned into a NeuroLens {@link Probe} (its coefficient matrix and intercepts) so that the LCA
 * ranking is {@link LcaRanker}'s, the same code as on one machine; the control task is {@link
 * ControlTasks}' (each token type drawn a label with the training distribution, seeded) trained the
 * same way, giving selectivity = accuracy − control accuracy.
 *
 * <p>Rows: the stored tokens with a label (special tokens excluded); train and test are the
 * snippet split of {@link SnippetSplit} over the snippets in corpus order, as a store's split.
 *
 * <p>Usage: {@code MllibProbe.train(ds, "blocks.6.resid_post", "lexical", MllibProbe.Settings.defaults())}
 */
public final class MllibProbe {
  private MllibProbe() {}

  /**
   * Solver settings.
   *
   * @param regParam overall penalty strength (MLlib's λ)
   * @param elasticNetParam L1 share α of the penalty: λ(α‖w‖₁ + (1−α)/2 ‖w‖²)
   * @param maxIter L-BFGS / OWL-QN iterations
   * @param seed split and control-task seed
   * @param control also train the control task
   */
  public record Settings(double regParam, double elasticNetParam, int maxIter, long seed, boolean control) {
    public Settings {
      if (!(regParam >= 0) || !(elasticNetParam >= 0 && elasticNetParam <= 1) || maxIter < 1) {
        throw new NeuroLensException("probe settings: regParam must be >= 0, elasticNetParam in [0, 1] and"
            + " maxIter >= 1, found " + regParam + ", " + elasticNetParam + ", " + maxIter);
      }
    }

    /** λ = 1e-4, α = 0.5, 100 iterations, seed 42, with the control task. */
    public static Settings defaults() {
      return new Settings(1e-4, 0.5, 100, 42, true);
    }
  }

  /**
   * A trained probe and its scores.
   *
   * @param probe the probe (C x D weights of the hook, feature ids hookIndex * D + j)
   * @param ranking the LCA ordering of the hook's neurons
   * @param trainAccuracy accuracy on the training snippets
   * @param testAccuracy accuracy on the test snippets
   * @param controlAccuracy test accuracy of the control probe (NaN without one)
   * @param trainRows rows trained on
   */
  public record Result(Probe probe, NeuronRanking ranking, double trainAccuracy, double testAccuracy,
      double controlAccuracy, long trainRows) {
    /** Test accuracy minus control accuracy. */
    public double selectivity() {
      return testAccuracy - controlAccuracy;
    }
  }

  /** Trains the probe of task {@code task} (column {@code label_<task>}) on hook {@code hook}. */
  public static Result train(ActivationDataset ds, String hook, String task, Settings s) {
    String column = "label_" + task;
    if (!List.of(ds.tokens().columns()).contains(column)) {
      throw new NeuroLensException("--task " + task + ": not a token task of the dataset, which has "
          + ds.info().tasks().stream().map(t -> t.name()).toList());
    }
    return train(ds, ds.tokens(), hook, column, s);
  }

  /**
   * Trains on {@code tokens} (a tokens table, possibly with derived columns) with labels in column
   * {@code labelColumn}.
   */
  public static Result train(ActivationDataset ds, Dataset<Row> tokens, String hook, String labelColumn, Settings s) {
    int h = ds.info().hookIndex(hook);
    int d = ds.info().widths().get(h);
    List<String> ids = ds.snippetIds();
    SnippetSplit.Part[] parts = SnippetSplit.assign(ids, SnippetSplit.DEFAULT_DEV, SnippetSplit.DEFAULT_TEST, s.seed());
    Map<String, String> part = new HashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      part.put(ids.get(i), parts[i].name());
    }
    UDF1<String, String> partOf = id -> part.getOrDefault(id, "NONE");
    Dataset<Row> rows = tokens
        .filter(functions.col(labelColumn).isNotNull()
            .and(functions.col("flags").bitwiseAND(StoredToken.SPECIAL).equalTo(0)))
        .select(functions.col("token"), functions.col(labelColumn).as("label"),
            functions.udf(partOf, DataTypes.StringType).apply(functions.col("snippet_id")).as("part"),
            org.apache.spark.ml.functions.array_to_vector(ds.floats("", h)).as("features"));
    Dataset<Row> train = rows.filter(functions.col("part").equalTo("TRAIN")).cache();
    Dataset<Row> test = rows.filter(functions.col("part").equalTo("TEST"));
    try {
      StringIndexerModel indexer = new StringIndexer().setInputCol("label").setOutputCol("y")
          .setStringOrderType("alphabetAsc").setHandleInvalid("skip").fit(train);
      List<String> labels = List.of(indexer.labelsArray()[0]);
      Dataset<Row> tr = indexer.transform(train);
      LogisticRegressionModel m = solver(s).fit(tr);
      long n = tr.count();
      double trainAcc = accuracy(m, tr);
      double testAcc = accuracy(m, indexer.transform(test));
      double controlAcc = Double.NaN;
      if (s.control()) {
        controlAcc = control(indexer, labels, train, test, s, labelColumn);
      }
      Probe probe = toProbe(m, labels, h, d, n, s, labelColumn);
      return new Result(probe, LcaRanker.ordering(probe), trainAcc, testAcc, controlAcc, n);
    } finally {
      train.unpersist();
    }
  }

  private static LogisticRegression solver(Settings s) {
    return new LogisticRegression().setFamily("multinomial").setLabelCol("y").setFeaturesCol("features")
        .setRegParam(s.regParam()).setElasticNetParam(s.elasticNetParam()).setMaxIter(s.maxIter())
        .setStandardization(true);
  }

  private static double accuracy(LogisticRegressionModel m, Dataset<Row> rows) {
    if (rows.isEmpty()) {
      return Double.NaN;
    }
    return new MulticlassClassificationEvaluator().setLabelCol("y").setPredictionCol("prediction")
        .setMetricName("accuracy").evaluate(m.transform(rows));
  }

  /** Test accuracy of the control task: each token type's label drawn from the training label distribution. */
  private static double control(StringIndexerModel indexer, List<String> labels, Dataset<Row> train,
      Dataset<Row> test, Settings s, String labelColumn) {
    Map<String, Long> counts = new HashMap<>();
    for (Row r : train.groupBy("label").count().collectAsList()) {
      counts.put(r.getString(0), r.getLong(1));
    }
    double[] c = labels.stream().mapToDouble(l -> counts.getOrDefault(l, 0L)).toArray();
    ControlTasks.ControlTask task =
        ControlTasks.fromCounts(labelColumn, labels, c, ControlTasks.Distribution.SAME, s.seed());
    List<String> names = task.labels();
    double[] cumulative = task.cumulative();
    long seed = task.seed();
    UDF1<String, String> draw = t -> new ControlTasks.ControlTask(labelColumn, names, cumulative, seed).labelOf(t);
    Column controlLabel = functions.udf(draw, DataTypes.StringType).apply(functions.col("token"));
    Dataset<Row> ctrain = indexer.transform(train.withColumn("label", controlLabel));
    Dataset<Row> ctest = indexer.transform(test.withColumn("label", controlLabel));
    return accuracy(solver(s).fit(ctrain), ctest);
  }

  /** The NeuroLens probe of an MLlib model: W = coefficient matrix (C x D), b = intercepts. */
  static Probe toProbe(LogisticRegressionModel m, List<String> labels, int hook, int d, long trainRows, Settings s,
      String labelColumn) {
    Matrix w = m.coefficientMatrix();
    int c = w.numRows();
    float[][] weights = new float[c][d];
    float[] bias = new float[c];
    for (int i = 0; i < c; i++) {
      for (int j = 0; j < d; j++) {
        weights[i][j] = (float) w.apply(i, j);
      }
      bias[i] = (float) m.interceptVector().apply(i);
    }
    int[] features = new int[d];
    for (int j = 0; j < d; j++) {
      features[j] = hook * d + j;
    }
    ProbeOptions recorded = ProbeOptions.builder().optLambda1(s.regParam() * s.elasticNetParam())
        .optLambda2(s.regParam() * (1 - s.elasticNetParam()) / 2).optEpochs(s.maxIter()).optSeed(s.seed()).build();
    ProbeProvenance p = new ProbeProvenance(labelColumn.replaceFirst("^label_", ""), recorded, (int) trainRows,
        Double.NaN, ProbeProvenance.NEUROLENS_VERSION, "spark-mllib LogisticRegression (multinomial, elastic net)",
        "", new ArrayList<>());
    return new Probe(false, labels, weights, bias, features, null, null, List.of(), p);
  }
}
