package dev.neurolens.spark;

import dev.neurolens.activation.StoreDtype;
import dev.neurolens.redundancy.ClusterSweep;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The command line of the Spark jobs ({@code spark-submit --class dev.neurolens.spark.SparkMain}):
 * {@code extract}, {@code probe}, {@code stats}, and {@code store export|import --format parquet}.
 * Each prints one JSON object on stdout; bad input gives one line {@code neurolens-spark: error: ...}
 * and exit status 2. Without {@code spark-submit}, {@code --master local[N]} runs on one machine.
 */
@Command(name = "neurolens-spark", mixinStandardHelpOptions = true,
    subcommands = {SparkMain.Extract.class, SparkMain.Probe.class, SparkMain.Stats.class, SparkMain.Store.class})
public final class SparkMain {
  private SparkMain() {}

  public static void main(String[] args) {
    System.setProperty("ai.djl.offline", "true");
    CommandLine cli = new CommandLine(new SparkMain());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof NeuroLensException) {
        System.err.println("neurolens-spark: error: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    System.exit(cli.execute(args));
  }

  /** Options every job shares. */
  static class Common {
    @Option(names = "--master", description = "Spark master when not run by spark-submit, e.g. local[2]")
    String master;

    SparkSession session(String app) {
      SparkSession.Builder b = SparkSession.builder().appName("neurolens " + app);
      if (master != null) {
        b.master(master);
      } else if (System.getProperty("spark.master") == null) {
        b.master("local[*]");
      }
      return b.getOrCreate();
    }

    static void print(Map<String, Object> out) {
      System.out.println(Json.line(out));
    }
  }

  @Command(name = "extract", description = "Label and extract a corpus into a Parquet activation dataset (resumable)")
  static final class Extract extends Common implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "default") String model;
    @Option(names = "--corpus", defaultValue = "default") String corpus;
    @Option(names = "--lang", defaultValue = "java") String lang;
    @Option(names = "--tasks", split = ",", defaultValue = "lexical") List<String> tasks;
    @Option(names = "--hooks", split = ",") List<String> hooks = new ArrayList<>();
    @Option(names = "--max-snippets", defaultValue = "0") int maxSnippets;
    @Option(names = "--max-tokens", defaultValue = "512") int maxTokens;
    @Option(names = "--seed", defaultValue = "42") long seed;
    @Option(names = "--aggregation", defaultValue = "last") String aggregation;
    @Option(names = "--dtype", defaultValue = "float32", description = "float32 or float16") String dtype;
    @Option(names = "--partitions", defaultValue = "8") int partitions;
    @Option(names = "--batch-tokens", defaultValue = "4096") int batchTokens;
    @Option(names = "--out", required = true, description = "dataset directory (any Hadoop filesystem path)") String out;

    @Override
    public Integer call() {
      ExtractJob.Options o = new ExtractJob.Options(model, corpus, lang, maxSnippets, maxTokens, seed, tasks, hooks,
          aggregation, dtype, partitions, batchTokens, seed);
      SparkSession spark = session("extract");
      ExtractJob.Result r = ExtractJob.run(spark, o, out);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("out", out);
      m.put("result", r);
      print(m);
      return 0;
    }
  }

  @Command(name = "probe", description = "Train one hook's elastic-net probe with MLlib and rank its neurons by LCA")
  static final class Probe extends Common implements Callable<Integer> {
    @Parameters(index = "0", description = "dataset directory") String dataset;
    @Option(names = "--hook", required = true, description = "e.g. blocks.6.resid_post") String hook;
    @Option(names = "--task", defaultValue = "lexical") String task;
    @Option(names = "--reg", defaultValue = "1e-4", description = "MLlib regParam") double reg;
    @Option(names = "--elastic-net", defaultValue = "0.5", description = "MLlib elasticNetParam (L1 share)") double alpha;
    @Option(names = "--max-iter", defaultValue = "100") int maxIter;
    @Option(names = "--seed", defaultValue = "42") long seed;
    @Option(names = "--no-control", description = "skip the control task") boolean noControl;
    @Option(names = "--top", defaultValue = "20") int top;

    @Override
    public Integer call() {
      SparkSession spark = session("probe");
      long t0 = System.nanoTime();
      MllibProbe.Result r = MllibProbe.train(ActivationDataset.open(spark, dataset), hook, task,
          new MllibProbe.Settings(reg, alpha, maxIter, seed, !noControl));
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("hook", hook);
      m.put("task", task);
      m.put("classes", r.probe().labelNames());
      m.put("trainRows", r.trainRows());
      m.put("trainAccuracy", r.trainAccuracy());
      m.put("testAccuracy", r.testAccuracy());
      m.put("controlAccuracy", r.controlAccuracy());
      m.put("selectivity", r.selectivity());
      m.put("topNeurons", r.ranking().top(Math.min(top, r.ranking().size())));
      m.put("seconds", (System.nanoTime() - t0) / 1e9);
      print(m);
      return 0;
    }
  }

  @Command(name = "stats", description = "Layer CKA and one layer's correlation clustering from merged cross-products")
  static final class Stats extends Common implements Callable<Integer> {
    @Parameters(index = "0", description = "dataset directory") String dataset;
    @Option(names = "--hooks", split = ",", description = "hooks of one width (default: all)") List<String> hooks;
    @Option(names = "--cluster-hook", description = "cluster this hook's neurons on the driver") String clusterHook;
    @Option(names = "--thresholds", split = ",", defaultValue = "0.3") List<Double> thresholds;

    @Override
    public Integer call() {
      SparkSession spark = session("stats");
      long t0 = System.nanoTime();
      ActivationDataset ds = ActivationDataset.open(spark, dataset);
      List<String> chosen = hooks == null || hooks.isEmpty() ? ds.info().hooks() : hooks;
      StatisticsJob.Result r = StatisticsJob.run(ds, chosen);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("hooks", chosen);
      m.put("rows", r.statistics().rows());
      m.put("cka", r.similarity().cka());
      m.put("meanBestAbsR", r.similarity().meanBestAbsR());
      if (clusterHook != null) {
        int at = chosen.indexOf(clusterHook);
        if (at < 0) {
          throw new NeuroLensException("--cluster-hook " + clusterHook + ": not among --hooks " + chosen);
        }
        ClusterSweep sweep = r.cluster(at, thresholds);
        List<Map<String, Object>> cuts = new ArrayList<>();
        sweep.results().forEach(c -> cuts.add(Map.of("threshold", c.threshold(), "clusters", c.clusters().length)));
        m.put("clusters", cuts);
      }
      m.put("seconds", (System.nanoTime() - t0) / 1e9);
      print(m);
      return 0;
    }
  }

  @Command(name = "store", description = "Move activations between a local store and the Parquet layout",
      subcommands = {Store.Export.class, Store.Import.class})
  static final class Store {
    static void requireParquet(String format) {
      if (!format.equals("parquet")) {
        throw new NeuroLensException("--format must be parquet here (npy and hdf5 are in the core CLI), found " + format);
      }
    }

    @Command(name = "export", description = "Write a local store as a Parquet dataset")
    static final class Export extends Common implements Callable<Integer> {
      @Option(names = "--format", required = true) String format;
      @Option(names = "--dtype", defaultValue = "float32") String dtype;
      @Parameters(index = "0", description = "store directory") Path store;
      @Parameters(index = "1", description = "dataset directory") String out;

      @Override
      public Integer call() {
        requireParquet(format);
        StoreExchange.export(store, out, dtype, new org.apache.hadoop.conf.Configuration());
        print(new LinkedHashMap<>(Map.of("store", store.toString(), "out", out)));
        return 0;
      }
    }

    @Command(name = "import", description = "Read a Parquet dataset into a new local store")
    static final class Import extends Common implements Callable<Integer> {
      @Option(names = "--format", required = true) String format;
      @Option(names = "--dtype", defaultValue = "float16", description = "store dtype") String dtype;
      @Parameters(index = "0", description = "dataset directory") String dataset;
      @Parameters(index = "1", description = "store directory") Path store;

      @Override
      public Integer call() {
        requireParquet(format);
        int n = StoreExchange.importTo(session("import"), dataset, store, StoreDtype.parse(dtype));
        print(new LinkedHashMap<>(Map.of("dataset", dataset, "store", store.toString(), "snippets", n)));
        return 0;
      }
    }
  }
}
