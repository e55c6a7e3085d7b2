package dev.neurolens.spark;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.activation.ActivationStore;
import dev.neurolens.activation.SentenceRep;
import dev.neurolens.activation.SnippetActivations;
import dev.neurolens.activation.StoreDtype;
import dev.neurolens.activation.StoreManifest;
import dev.neurolens.activation.StoreWriter;
import dev.neurolens.activation.StoredSnippet;
import dev.neurolens.activation.StoredToken;
import dev.neurolens.activation.TaskSpec;
import dev.neurolens.util.NeuroLensException;
import dev.neurolens.util.SnippetSplit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Moves activations between a local {@link ActivationStore} and the Parquet layout of {@link
 * ExtractJob}: {@code store export --format parquet} writes a store as a one-partition dataset
 * (parquet-hadoop only); {@code store import --format parquet} reads a dataset (or a filtered slice
 * copied out of one) back into a store, so that the single-machine report runs on it.
 *
 * <p>Lives in the Spark module rather than the core CLI: parquet-hadoop needs hadoop-common and its
 * dependencies (tens of MB), which the core jar does not carry.
 */
public final class StoreExchange {
  private StoreExchange() {}

  /** Writes the store at {@code storeDir} as the dataset {@code out} ({@code dtype}: float32 or float16). */
  public static void export(Path storeDir, String out, String dtype, Configuration conf) {
    try (ActivationStore s = ActivationStore.open(storeDir)) {
      DatasetInfo info = DatasetInfo.of(s.spec(), dtype, s.spec().corpusHash(), 1, s.split().seed());
      org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(out);
      FileSystem fs = ExtractJob.fileSystem(root, conf);
      if (fs.exists(new org.apache.hadoop.fs.Path(root, PartitionTask.partName(0)))) {
        throw new NeuroLensException("--out " + out + ": already holds a dataset; choose a new directory");
      }
      org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(root, "_tmp-export-" + UUID.randomUUID());
      List<TaskSpec> tokenTasks = info.tasksAt(TaskSpec.Level.TOKEN);
      List<String[]> tokenLabels = new ArrayList<>();
      for (TaskSpec t : tokenTasks) {
        tokenLabels.add(labelStrings(s, t));
      }
      ActivationMatrix x = s.view(s.hooks());
      ActivationMatrix first = s.sentenceView(s.sentencePosition(), s.hooks(), null);
      ActivationMatrix mean = s.sentenceView(SentenceRep.MEAN, s.hooks(), null);
      int cols = x.cols();
      int[] offset = new int[info.hooks().size()];
      for (int h = 1; h < offset.length; h++) {
        offset[h] = offset[h - 1] + info.widths().get(h - 1);
      }
      List<StoredSnippet> snippets = s.snippets();
      try (ParquetWriter<Object[]> tw = ParquetTables.open(new org.apache.hadoop.fs.Path(tmp, "tokens.parquet"),
              ParquetTables.tokensSchema(info), info, conf);
          ParquetWriter<Object[]> sw = ParquetTables.open(new org.apache.hadoop.fs.Path(tmp, "snippets.parquet"),
              ParquetTables.snippetsSchema(info), info, conf)) {
        float[] one = new float[cols];
        float[] oneMean = new float[cols];
        for (int i = 0; i < snippets.size(); i++) {
          StoredSnippet sn = snippets.get(i);
          float[] rows = new float[sn.rows() * cols];
          x.read(sn.firstRow(), sn.rows(), rows);
          List<StoredToken> tokens = s.tokens(sn.firstRow(), sn.rows());
          for (int k = 0; k < sn.rows(); k++) {
            Object[] row = new Object[ParquetTables.TOKEN_COLUMNS.size() + tokenTasks.size() + offset.length];
            StoredToken t = tokens.get(k);
            int c = 0;
            row[c++] = sn.id();
            row[c++] = i;
            row[c++] = k;
            row[c++] = t.text();
            row[c++] = t.start();
            row[c++] = t.end();
            row[c++] = t.flags();
            for (String[] l : tokenLabels) {
              row[c++] = l[sn.firstRow() + k];
            }
            for (int h = 0; h < offset.length; h++) {
              row[c++] = new ParquetTables.Slice(rows, k * cols + offset[h], info.widths().get(h));
            }
            tw.write(row);
          }
          first.read(i, 1, one);
          mean.read(i, 1, oneMean);
          Object[] row = new Object[ParquetTables.SNIPPET_COLUMNS.size() + sn.labels().size() + 2 * offset.length];
          int c = 0;
          row[c++] = sn.id();
          row[c++] = i;
          row[c++] = sn.source();
          row[c++] = sn.rows();
          for (String l : sn.labels()) {
            row[c++] = l;
          }
          for (int h = 0; h < offset.length; h++) {
            row[c++] = new ParquetTables.Slice(one, offset[h], info.widths().get(h));
            row[c++] = new ParquetTables.Slice(oneMean, offset[h], info.widths().get(h));
          }
          sw.write(row);
        }
      }
      ExtractJob.writeText(fs, new org.apache.hadoop.fs.Path(tmp, "_part.json"), dev.neurolens.util.Json.line(
          new PartitionTask.Report(0, false, snippets.size(), s.tokenCount(), info.toJson())));
      if (!fs.rename(tmp, new org.apache.hadoop.fs.Path(root, PartitionTask.partName(0)))) {
        throw new NeuroLensException("--out " + out + ": could not rename the written partition into place");
      }
      ExtractJob.writeText(fs, new org.apache.hadoop.fs.Path(root, "_neurolens.json"), info.toJson());
    } catch (IOException e) {
      throw new NeuroLensException("--out " + out + ": cannot write (" + NeuroLensException.reason(e) + ")", e);
    }
  }

  /** Each row's label of token task {@code t} as text (null = none). */
  private static String[] labelStrings(ActivationStore s, TaskSpec t) {
    String[] out = new String[s.tokenCount()];
    if (t.kind() == TaskSpec.Kind.NUMERIC) {
      float[] v = s.targets(t.name());
      for (int i = 0; i < v.length; i++) {
        out[i] = Float.isNaN(v[i]) ? null : Float.toString(v[i]);
      }
    } else {
      int[] ids = s.labels(t.name());
      List<String> names = s.labelNames(t.name());
      for (int i = 0; i < ids.length; i++) {
        out[i] = ids[i] < 0 ? null : names.get(ids[i]);
      }
    }
    return out;
  }

  /**
   * Writes the dataset {@code dataset} (all its partitions, corpus order) into a new store at
   * {@code storeDir} with element type {@code dtype}; returns the snippets written.
   */
  public static int importTo(SparkSession spark, String dataset, Path storeDir, StoreDtype dtype) {
    ActivationDataset ds = ActivationDataset.open(spark, dataset);
    DatasetInfo info = ds.info();
    int hooks = info.hooks().size();
    int tokenTasks = info.tasksAt(TaskSpec.Level.TOKEN).size();
    int snippetTasks = info.tasksAt(TaskSpec.Level.SNIPPET).size();
    int firstHook = ParquetTables.TOKEN_COLUMNS.size() + tokenTasks;
    Iterator<Row> tokens = ds.tokens().orderBy("snippet_index", "token_index").toLocalIterator();
    Iterator<Row> snippets = ds.snippets().orderBy("snippet_index").toLocalIterator();
    int written = 0;
    Row pending = tokens.hasNext() ? tokens.next() : null;
    try (StoreWriter w = StoreWriter.open(storeDir, info.storeSpec(dtype), StoreWriter.Mode.OVERWRITE)) {
      while (snippets.hasNext()) {
        Row sn = snippets.next();
        int index = sn.getInt(1);
        int count = sn.getInt(3);
        List<StoredToken> toks = new ArrayList<>(count);
        float[][] rows = new float[hooks][];
        for (int h = 0; h < hooks; h++) {
          rows[h] = new float[count * info.widths().get(h)];
        }
        for (int k = 0; k < count; k++) {
          if (pending == null || pending.getInt(1) != index) {
            throw new NeuroLensException(dataset + ": snippet " + sn.getString(0) + " has fewer token rows than its "
                + count + " tokens");
          }
          List<String> labels = new ArrayList<>(tokenTasks);
          for (int t = 0; t < tokenTasks; t++) {
            labels.add(pending.getString(ParquetTables.TOKEN_COLUMNS.size() + t));
          }
          toks.add(new StoredToken(pending.getString(3), pending.getInt(4), pending.getInt(5), pending.getInt(6),
              labels));
          for (int h = 0; h < hooks; h++) {
            int wd = info.widths().get(h);
            System.arraycopy(ActivationDataset.vector(pending, firstHook + h, info.half()), 0, rows[h], k * wd, wd);
          }
          pending = tokens.hasNext() ? tokens.next() : null;
        }
        List<String> labels = new ArrayList<>(snippetTasks);
        for (int t = 0; t < snippetTasks; t++) {
          labels.add(sn.getString(ParquetTables.SNIPPET_COLUMNS.size() + t));
        }
        float[][] first = new float[hooks][];
        float[][] mean = new float[hooks][];
        int at = ParquetTables.SNIPPET_COLUMNS.size() + snippetTasks;
        for (int h = 0; h < hooks; h++) {
          first[h] = ActivationDataset.vector(sn, at + 2 * h, info.half());
          mean[h] = ActivationDataset.vector(sn, at + 2 * h + 1, info.half());
        }
        w.append(new SnippetActivations(sn.getString(0), sn.getString(2), toks, labels, rows, first, mean));
        written++;
      }
      w.recordSplit(new StoreManifest.SplitRecord(info.splitSeed(), SnippetSplit.DEFAULT_DEV, SnippetSplit.DEFAULT_TEST));
      w.finish();
    }
    return written;
  }
}
