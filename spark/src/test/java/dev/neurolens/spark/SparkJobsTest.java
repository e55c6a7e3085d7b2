package dev.neurolens.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.activation.ActivationStore;
import dev.neurolens.activation.ExtractOptions;
import dev.neurolens.activation.Extractor;
import dev.neurolens.activation.StoreDtype;
import dev.neurolens.activation.StoreWriter;
import dev.neurolens.activation.StoredToken;
import dev.neurolens.activation.TaskSpec;
import dev.neurolens.analysis.CorpusInputs;
import dev.neurolens.corpus.CorpusReader;
import dev.neurolens.corpus.Unit;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Models;
import dev.neurolens.model.TinyModels;
import dev.neurolens.probe.Probe;
import dev.neurolens.probe.ProbeOptions;
import dev.neurolens.probe.ProbeTask;
import dev.neurolens.probe.ProbeTrainer;
import dev.neurolens.rank.LcaRanker;
import dev.neurolens.redundancy.ClusterOptions;
import dev.neurolens.redundancy.CorrelationClustering;
import dev.neurolens.redundancy.CorrelationMatrix;
import dev.neurolens.redundancy.LayerSimilarity;
import dev.neurolens.redundancy.LayerSimilarityResult;
import dev.neurolens.redundancy.NeuronCorrelation;
import dev.neurolens.util.SnippetSplit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Spark jobs on local[2] with a tiny random BERT and a small generated Java corpus, against the
 * single-machine library on the same inputs: the store written by {@link Extractor}, {@link
 * LayerSimilarity} / {@link NeuronCorrelation} on it, and {@link ProbeTrainer} + {@link LcaRanker}.
 */
class SparkJobsTest {
  private static final List<String> TASKS = List.of("lexical");
  private static SparkSession spark;
  private static Path tmp;
  private static Path modelDir;
  private static Path corpus;
  private static Path store;
  private static String dataset;

  @BeforeAll
  static void setUp() throws IOException {
    tmp = Files.createTempDirectory("neurolens-spark-test");
    modelDir = tmp.resolve("model");
    try (EncoderModel m = TinyModels.random(11)) {
      Models.export(m, modelDir);
    }
    corpus = tmp.resolve("corpus");
    writeCorpus(corpus, new Random(5), 36);
    spark = SparkSession.builder().master("local[2]").appName("neurolens-test")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate();
    dataset = tmp.resolve("acts").toString();
    ExtractJob.Result r = ExtractJob.run(spark, options(3), dataset);
    assertEquals(3, r.written());
    // the single-machine path on the same corpus
    CorpusInputs in = CorpusInputs.label(new CorpusInputs.Request(corpus.toString(), "java", Unit.METHOD, 0,
        CorpusReader.DEFAULT_MAX_TOKENS, 42, TASKS, CorpusInputs.ProgressBars.HIDE));
    ExtractOptions.Builder eo = ExtractOptions.builder().optDtype(StoreDtype.FLOAT32).optCorpusHash(in.hash());
    in.tasks().forEach(eo::addTask);
    store = tmp.resolve("store");
    try (EncoderModel m = Models.load(modelDir.toString())) {
      new Extractor(eo.build()).extract(m, in.inputs(), store, StoreWriter.Mode.OVERWRITE);
    }
  }

  @AfterAll
  static void tearDown() throws IOException {
    if (spark != null) {
      spark.stop();
    }
    try (Stream<Path> s = Files.walk(tmp)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  static ExtractJob.Options options(int partitions) {
    ExtractJob.Options o = ExtractJob.Options.of(modelDir.toString(), corpus.toString(), TASKS, partitions);
    return new ExtractJob.Options(o.model(), o.corpus(), o.lang(), o.maxSnippets(), o.maxTokens(), o.seed(),
        o.tasks(), o.hooks(), o.aggregation(), o.dtype(), partitions, 256, o.splitSeed());
  }

  /** Java files of seeded random small methods: identifiers, numbers, strings, loops. */
  static void writeCorpus(Path dir, Random r, int methods) throws IOException {
    Files.createDirectories(dir);
    String[] names = {"count", "total", "index", "value", "item", "size", "limit", "name"};
    for (int f = 0; f < 4; f++) {
      StringBuilder sb = new StringBuilder("package demo;\n\npublic class C" + f + " {\n");
      for (int m = 0; m < methods / 4; m++) {
        String a = names[r.nextInt(names.length)];
        String b = names[r.nextInt(names.length)];
        sb.append("  int m").append(m).append("(int ").append(a).append(") {\n");
        sb.append("    int ").append(b).append("x = ").append(r.nextInt(100)).append(";\n");
        if (r.nextBoolean()) {
          sb.append("    for (int i = 0; i < ").append(a).append("; i++) { ").append(b).append("x += i * 2; }\n");
        }
        if (r.nextBoolean()) {
          sb.append("    String s = \"v").append(r.nextInt(9)).append("\";\n    ").append(b)
              .append("x += s.length();\n");
        }
        sb.append("    return ").append(b).append("x + ").append(a).append(";\n  }\n\n");
      }
      sb.append("}\n");
      Files.writeString(dir.resolve("C" + f + ".java"), sb.toString());
    }
  }

  /** The tokens table in corpus order: (snippet_index, token_index). */
  static List<Row> tokenRows(String path) {
    return ActivationDataset.open(spark, path).tokens().orderBy("snippet_index", "token_index").collectAsList();
  }

  @Test
  void extract_localTwo_equalsTheLocalStore() {
    ActivationDataset ds = ActivationDataset.open(spark, dataset);
    List<Row> rows = tokenRows(dataset);
    try (ActivationStore s = ActivationStore.open(store)) {
      assertEquals(s.tokenCount(), rows.size());
      assertEquals(s.snippetCount(), ds.snippets().count());
      assertEquals(s.hooks().stream().map(Object::toString).toList(), ds.info().hooks());
      int[] labels = s.labels("lexical");
      List<String> names = s.labelNames("lexical");
      List<StoredToken> tokens = s.tokens(0, s.tokenCount());
      int hooks = s.hooks().size();
      int d = s.width(s.hooks().get(0));
      ActivationMatrix x = s.view(s.hooks());
      float[] all = new float[x.rows() * x.cols()];
      x.read(0, x.rows(), all);
      int first = ParquetTables.TOKEN_COLUMNS.size() + 1;
      double maxDiff = 0;
      for (int i = 0; i < rows.size(); i++) {
        Row r = rows.get(i);
        assertEquals(tokens.get(i).text(), r.getAs("token"));
        assertEquals(tokens.get(i).start(), (int) r.getAs("start"));
        assertEquals(names.get(labels[i]), r.getAs("label_lexical"));
        for (int h = 0; h < hooks; h++) {
          float[] v = ActivationDataset.vector(r, first + h, false);
          for (int j = 0; j < d; j++) {
            maxDiff = Math.max(maxDiff, Math.abs(v[j] - all[i * x.cols() + h * d + j]));
          }
        }
      }
      // batches differ (partitions hold other snippets), so padding rounding may differ slightly
      assertTrue(maxDiff < 1e-4, "max |parquet - store| = " + maxDiff);
    }
  }

  @Test
  void extract_partitionLostAndTempLeft_rerunRewritesItIdentically() throws IOException {
    String copy = tmp.resolve("acts-resume").toString();
    ExtractJob.run(spark, options(3), copy);
    List<Row> before = tokenRows(copy);
    Path part = Path.of(copy, PartitionTask.partName(1));
    try (Stream<Path> s = Files.walk(part)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    Files.createDirectories(Path.of(copy, "_tmp-part-00002-killed"));
    Files.writeString(Path.of(copy, "_tmp-part-00002-killed", "tokens.parquet"), "half a file");
    ExtractJob.Result again = ExtractJob.run(spark, options(3), copy);
    assertEquals(1, again.written());
    assertEquals(2, again.skipped());
    List<Row> after = tokenRows(copy);
    assertEquals(before.size(), after.size());
    for (int i = 0; i < before.size(); i++) {
      assertEquals(before.get(i), after.get(i));
    }
    ExtractJob.Result third = ExtractJob.run(spark, options(3), copy);
    assertEquals(0, third.written());
  }

  @Test
  void statistics_mergedOverPartitions_equalSingleMachineCorrelationAndCka() {
    ActivationDataset ds = ActivationDataset.open(spark, dataset);
    StatisticsJob.Result res = StatisticsJob.run(ds, ds.info().hooks());
    try (ActivationStore s = ActivationStore.open(store)) {
      int layers = s.hooks().size();
      int d = s.width(s.hooks().get(0));
      ActivationMatrix x = s.view(s.hooks());
      LayerSimilarityResult ref = LayerSimilarity.within(x, layers, d);
      assertEquals(s.tokenCount(), res.statistics().rows());
      for (int a = 0; a < layers; a++) {
        for (int b = 0; b < layers; b++) {
          assertEquals(ref.cka()[a][b], res.similarity().cka()[a][b], 1e-4);
        }
      }
      for (int l = 0; l < layers; l++) {
        CorrelationMatrix r = NeuronCorrelation.compute(x, IntStream.range(l * d, (l + 1) * d).toArray());
        CorrelationMatrix got = res.correlation(l);
        for (int i = 0; i < d; i++) {
          assertEquals(r.feature(i), got.feature(i));
          for (int j = 0; j < d; j++) {
            assertEquals(r.get(i, j), got.get(i, j), 1e-3);
          }
        }
      }
      CorrelationMatrix r1 = NeuronCorrelation.compute(x, IntStream.range(d, 2 * d).toArray());
      int[][] localClusters = CorrelationClustering.cluster(r1, List.of(0.3), ClusterOptions.defaults(), layers, d)
          .results().get(0).clusters();
      assertTrue(java.util.Arrays.deepEquals(localClusters, res.cluster(1, List.of(0.3)).results().get(0).clusters()));
    }
  }

  /** The neuron whose largest |r| with another neuron is smallest (no near-twin to share its weight). */
  static int leastCorrelated(CorrelationMatrix r) {
    int best = -1;
    double bestMax = Double.MAX_VALUE;
    for (int i = 0; i < r.size(); i++) {
      double max = 0;
      for (int j = 0; j < r.size(); j++) {
        max = i == j ? max : Math.max(max, Math.abs(r.get(i, j)));
      }
      if (max < bestMax) {
        bestMax = max;
        best = i;
      }
    }
    return best;
  }

  @Test
  void probe_plantedNeuron_mllibAndLocalProbeRankItFirst() {
    ActivationDataset ds = ActivationDataset.open(spark, dataset);
    int layer = 2;
    try (ActivationStore s = ActivationStore.open(store)) {
      int d = s.width(s.hooks().get(layer));
      ActivationMatrix x = s.view(List.of(s.hooks().get(layer)));
      int planted = leastCorrelated(NeuronCorrelation.compute(x));
      float[] all = new float[x.rows() * d];
      x.read(0, x.rows(), all);
      float[] col = new float[x.rows()];
      for (int i = 0; i < col.length; i++) {
        col[i] = all[i * d + planted];
      }
      float[] sorted = col.clone();
      java.util.Arrays.sort(sorted);
      float threshold = sorted[sorted.length / 2];
      // the planted task: is the planted neuron above its median?
      int[] y = new int[col.length];
      for (int i = 0; i < col.length; i++) {
        y[i] = col[i] > threshold ? 1 : 0;
      }
      SnippetSplit.Part[] parts = s.splitParts(42);
      int[] rowSnippet = s.rowSnippets();
      int[] train = IntStream.range(0, y.length).filter(i -> parts[rowSnippet[i]] == SnippetSplit.Part.TRAIN).toArray();
      Probe local = ProbeTrainer.train(x, train, ProbeTask.classification("planted", List.of("lo", "hi"), y),
          ProbeOptions.builder().optEpochs(30).optLambda1(1e-4).optLambda2(1e-4).optSeed(7).build());
      int[] localTop = LcaRanker.ordering(local).top(3);

      UDF1<scala.collection.Seq<Float>, String> plant = v -> v.apply(planted) > threshold ? "hi" : "lo";
      Dataset<Row> tokens = ds.tokens().withColumn("label_planted",
          functions.udf(plant, DataTypes.StringType).apply(functions.col(ds.info().column(layer))));
      MllibProbe.Result m = MllibProbe.train(ds, tokens, ds.info().hooks().get(layer), "label_planted",
          new MllibProbe.Settings(1e-3, 0.9, 200, 42, true));
      int[] sparkTop = m.ranking().top(3);
      // the local probe reads a one-hook view (feature ids 0..D-1); the Spark probe the dataset's ids
      assertEquals(planted, localTop[0], "local top " + java.util.Arrays.toString(localTop));
      assertEquals(layer * d + localTop[0], sparkTop[0], "spark top " + java.util.Arrays.toString(sparkTop));
      assertTrue(m.testAccuracy() > 0.9, "test accuracy " + m.testAccuracy());
      assertTrue(m.controlAccuracy() < m.testAccuracy(), "selectivity " + m.selectivity());
    }
  }

  /** Largest |a - b| over the token rows and both sentence views of two stores with the same tokens and labels. */
  static double storeDiff(Path a, Path b) {
    try (ActivationStore x = ActivationStore.open(a); ActivationStore y = ActivationStore.open(b)) {
      assertEquals(x.tokenCount(), y.tokenCount());
      assertEquals(x.snippets().stream().map(sn -> sn.id()).toList(), y.snippets().stream().map(sn -> sn.id()).toList());
      assertEquals(x.tokens(0, x.tokenCount()), y.tokens(0, y.tokenCount()));
      assertArrayEquals(x.labels("lexical"), y.labels("lexical"));
      double max = 0;
      for (dev.neurolens.activation.SentenceRep rep : new dev.neurolens.activation.SentenceRep[] {null,
          x.sentencePosition(), dev.neurolens.activation.SentenceRep.MEAN}) {
        ActivationMatrix mx = rep == null ? x.view(x.hooks()) : x.sentenceView(rep, x.hooks(), null);
        ActivationMatrix my = rep == null ? y.view(y.hooks()) : y.sentenceView(rep, y.hooks(), null);
        float[] fx = new float[mx.rows() * mx.cols()];
        float[] fy = new float[my.rows() * my.cols()];
        mx.read(0, mx.rows(), fx);
        my.read(0, my.rows(), fy);
        assertEquals(fx.length, fy.length);
        for (int i = 0; i < fx.length; i++) {
          max = Math.max(max, Math.abs(fx[i] - fy[i]));
        }
      }
      return max;
    }
  }

  @Test
  void storeExchange_exportThenImport_givesTheStoreBack() {
    String exported = tmp.resolve("exported").toString();
    StoreExchange.export(store, exported, "float32", spark.sparkContext().hadoopConfiguration());
    Path back = tmp.resolve("imported");
    StoreExchange.importTo(spark, exported, back, StoreDtype.FLOAT32);
    assertEquals(0.0, storeDiff(store, back));
    // the distributed dataset, brought back to one machine, is the locally extracted store
    Path fromSpark = tmp.resolve("imported-spark");
    StoreExchange.importTo(spark, dataset, fromSpark, StoreDtype.FLOAT32);
    assertTrue(storeDiff(store, fromSpark) < 1e-4);
  }
}
