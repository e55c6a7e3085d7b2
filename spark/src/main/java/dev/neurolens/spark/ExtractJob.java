package dev.neurolens.spark;

import dev.neurolens.activation.Aggregation;
import dev.neurolens.activation.ConceptInputs;
import dev.neurolens.activation.ExtractOptions;
import dev.neurolens.activation.StoreDtype;
import dev.neurolens.activation.TaskSpec;
import dev.neurolens.concept.Tasks;
import dev.neurolens.corpus.Corpus;
import dev.neurolens.corpus.CorpusReader;
import dev.neurolens.corpus.Snippet;
import dev.neurolens.model.HookName;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Distributed extraction: reads a corpus on the driver, deals its snippets into partitions in
 * corpus order, and on the executors labels and extracts each partition with the NeuroLens library
 * ({@link PartitionTask}: one model load per partition), writing {@code OUT/part-NNNNN/} with the
 * tokens and snippets tables of {@link ParquetTables}.
 *
 * <p>Resumable per partition: a partition is written under a temporary name and renamed into
 * place when complete, and a rerun skips the partitions already there. The job's settings and
 * corpus hash are kept in {@code OUT/_job.json}; a rerun with other settings is refused.
 *
 * <p>Usage: {@code ExtractJob.run(spark, ExtractJob.Options.of("default", "default", List.of("lexical"), 16), "hdfs:///acts")}
 */
public final class ExtractJob {
  private ExtractJob() {}

  /**
   * Settings of a distributed extraction.
   *
   * @param model {@code default}, or a model directory every executor can read (a shared mount,
   *     or shipped with {@code spark-submit --archives model.tgz#model} and named {@code model})
   * @param corpus {@code default}, a local directory/file/jar/JSONL, or a Hadoop path (copied to
   *     the driver first)
   * @param lang language of the corpus
   * @param maxSnippets snippets sampled (0 = all)
   * @param maxTokens snippets longer than this many code tokens are skipped
   * @param seed seed of the sample
   * @param tasks label tasks
   * @param hooks hook names; empty = {@code embed.out} and every {@code blocks.i.resid_post}
   * @param aggregation how a token's pieces are combined
   * @param dtype {@code float32} or {@code float16}
   * @param partitions number of partitions
   * @param batchTokens token budget of a model batch
   * @param splitSeed seed of the snippet split recorded with the data
   */
  public record Options(
      String model, String corpus, String lang, int maxSnippets, int maxTokens, long seed, List<String> tasks,
      List<String> hooks, String aggregation, String dtype, int partitions, int batchTokens, long splitSeed)
      implements Serializable {
    private static final long serialVersionUID = 1L;

    public Options {
      tasks = List.copyOf(tasks);
      hooks = List.copyOf(hooks);
      if (partitions < 1) {
        throw new NeuroLensException("--partitions must be >= 1, found " + partitions);
      }
      if (batchTokens < 1) {
        throw new NeuroLensException("--batch-tokens must be >= 1, found " + batchTokens);
      }
      if (!dtype.equals("float32") && !dtype.equals("float16")) {
        throw new NeuroLensException("--dtype must be float32 or float16, found " + dtype);
      }
      Aggregation.parse(aggregation);
      hooks.forEach(HookName::parse);
    }

    /** All snippets of {@code corpus} (Java methods), the default hooks, float32, seed 42. */
    public static Options of(String model, String corpus, List<String> tasks, int partitions) {
      return new Options(model, corpus, "java", 0, CorpusReader.DEFAULT_MAX_TOKENS, 42, tasks, List.of(),
          Aggregation.LAST.label(), "float32", partitions, ExtractOptions.DEFAULT_BATCH_TOKENS, 42);
    }

    /** The same settings with at most {@code n} snippets sampled. */
    public Options withMaxSnippets(int n) {
      return new Options(model, corpus, lang, n, maxTokens, seed, tasks, hooks, aggregation, dtype, partitions,
          batchTokens, splitSeed);
    }

    /** The same settings with {@code dtype}. */
    public Options withDtype(String d) {
      return new Options(model, corpus, lang, maxSnippets, maxTokens, seed, tasks, hooks, aggregation, d, partitions,
          batchTokens, splitSeed);
    }

    /** The extraction options of the core library for these settings. */
    ExtractOptions extractOptions(String corpusHash) {
      ExtractOptions.Builder b = ExtractOptions.builder()
          .optHooks(hooks.stream().map(HookName::parse).toList())
          .optAggregation(Aggregation.parse(aggregation)).optBatchTokens(batchTokens)
          .optDtype(dtype.equals("float16") ? StoreDtype.FLOAT16 : StoreDtype.FLOAT32)
          .optCorpusHash(corpusHash).optSplitSeed(splitSeed)
          // Spark runs partitions side by side already; streams inside a task would change
          // PyTorch's thread count under the other tasks
          .optStreams(1)
          // the stream API keeps float32 rows beside the float16 ones: groups of two budgets
          .optGroupTokens(Math.max(2048, 2 * batchTokens));
      storeTasks().forEach(b::addTask);
      return b.build();
    }

    List<TaskSpec> storeTasks() {
      return ConceptInputs.tasks(Tasks.parseAll(tasks));
    }
  }

  /**
   * What a run did.
   *
   * @param partitions partitions of the dataset
   * @param written partitions extracted by this run
   * @param skipped partitions found complete and skipped
   * @param snippets snippets in the dataset
   * @param tokens stored tokens in the dataset
   * @param seconds wall time of the run
   */
  public record Result(int partitions, int written, int skipped, long snippets, long tokens, double seconds) {}

  /** Extracts {@code o}'s corpus into the dataset at {@code out} (any Hadoop filesystem path). */
  public static Result run(SparkSession spark, Options o, String out) {
    long t0 = System.nanoTime();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Corpus corpus = read(o, conf);
    if (corpus.snippets().isEmpty()) {
      throw new NeuroLensException("--corpus " + o.corpus() + ": no snippets found");
    }
    String corpusHash = corpus.hash() + " " + corpus.spec();
    o.storeTasks();
    List<PartitionTask.Item> items = new ArrayList<>(corpus.snippets().size());
    for (int i = 0; i < corpus.snippets().size(); i++) {
      items.add(PartitionTask.Item.of(i, corpus.snippets().get(i)));
    }
    Path root = new Path(out);
    claim(root, conf, o, corpusHash);
    List<PartitionTask.Report> reports = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(items, o.partitions())
        .mapPartitionsWithIndex(new PartitionTask(o, out, corpusHash), false)
        .collect();
    int written = 0;
    long snippets = 0;
    long tokens = 0;
    String info = null;
    for (PartitionTask.Report r : reports) {
      written += r.skipped() ? 0 : 1;
      snippets += r.snippets();
      tokens += r.tokens();
      if (r.info() != null && info == null) {
        info = r.info();
      }
    }
    if (info != null) {
      writeText(fileSystem(root, conf), new Path(root, "_neurolens.json"), info);
    }
    return new Result(o.partitions(), written, reports.size() - written, snippets, tokens,
        (System.nanoTime() - t0) / 1e9);
  }

  /** Reads the corpus on the driver; a Hadoop path (not {@code file:}) is copied to a local temp dir first. */
  static Corpus read(Options o, Configuration conf) {
    String spec = o.corpus();
    if (spec.contains("://") && !spec.startsWith("file:")) {
      try {
        java.nio.file.Path local = Files.createTempDirectory("neurolens-corpus");
        Path src = new Path(spec);
        src.getFileSystem(conf).copyToLocalFile(false, src, new Path(local.toUri()), true);
        spec = local.resolve(src.getName()).toString();
      } catch (IOException e) {
        throw new NeuroLensException("--corpus " + o.corpus() + ": cannot copy to the driver ("
            + NeuroLensException.reason(e) + ")", e);
      }
    } else if (spec.startsWith("file:")) {
      spec = new Path(spec).toUri().getPath();
    }
    return CorpusReader.builder().optLang(o.lang()).optMaxSnippets(o.maxSnippets()).optMaxTokens(o.maxTokens())
        .optSeed(o.seed()).build().read(spec);
  }

  /** What {@code _job.json} holds. */
  record JobRecord(Options options, String corpusHash) {}

  /** Records the job in {@code out/_job.json}, or checks that a rerun has the same settings. */
  private static void claim(Path root, Configuration conf, Options o, String corpusHash) {
    String job = dev.neurolens.util.Json.line(new JobRecord(o, corpusHash));
    try {
      FileSystem fs = root.getFileSystem(conf);
      Path file = new Path(root, "_job.json");
      if (fs.exists(file)) {
        String before;
        try (var in = fs.open(file)) {
          before = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!before.equals(job)) {
          throw new NeuroLensException("--out " + root + ": holds a dataset of another job (settings or corpus"
              + " differ: see _job.json); choose another --out or delete it");
        }
        return;
      }
      if (fs.exists(root) && fs.listStatus(root).length > 0) {
        throw new NeuroLensException("--out " + root + ": exists and is not a NeuroLens dataset; choose an empty"
            + " or new directory");
      }
      writeText(fs, file, job);
    } catch (IOException e) {
      throw new NeuroLensException("--out " + root + ": unwritable (" + NeuroLensException.reason(e) + ")", e);
    }
  }

  static FileSystem fileSystem(Path p, Configuration conf) {
    try {
      return p.getFileSystem(conf);
    } catch (IOException e) {
      throw new NeuroLensException(p + ": no filesystem (" + NeuroLensException.reason(e) + ")", e);
    }
  }

  static void writeText(FileSystem fs, Path file, String text) {
    try (FSDataOutputStream os = fs.create(file, true)) {
      os.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new NeuroLensException(file + ": unwritable (" + NeuroLensException.reason(e) + ")", e);
    }
  }

  /** Rebuilds a snippet shipped to an executor. */
  static Snippet snippet(PartitionTask.Item it) {
    return new Snippet(it.id(), it.source(), it.lang(), it.code(), it.startLine(), it.startChar(), it.label());
  }
}
