package dev.neurolens.spark;

import dev.neurolens.activation.ConceptInputs;
import dev.neurolens.activation.ExtractionInput;
import dev.neurolens.activation.Extractor;
import dev.neurolens.activation.SnippetActivations;
import dev.neurolens.activation.StoredToken;
import dev.neurolens.activation.TaskSpec;
import dev.neurolens.concept.CodeLabeller;
import dev.neurolens.concept.LabelledCorpus;
import dev.neurolens.corpus.Corpus;
import dev.neurolens.corpus.CorpusStats;
import dev.neurolens.corpus.Snippet;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Models;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.spark.api.java.function.Function2;

/**
 * The executor side of {@link ExtractJob}: labels one partition's snippets with {@link
 * CodeLabeller} and extracts them with {@link Extractor} (one model load per partition), writing
 * {@code part-NNNNN/tokens.parquet}, {@code snippets.parquet} and {@code _part.json} under a
 * temporary name that is renamed into place when complete. A partition already in place is
 * skipped without loading the model.
 *
 * <p>Labels are not folded across the corpus (rare syntactic / lexical-fine labels stay as they
 * are: folding needs corpus-wide counts, which no partition has).
 */
final class PartitionTask implements Function2<Integer, Iterator<PartitionTask.Item>, Iterator<PartitionTask.Report>> {
  private static final long serialVersionUID = 1L;

  private final ExtractJob.Options options;
  private final String out;
  private final String corpusHash;

  PartitionTask(ExtractJob.Options options, String out, String corpusHash) {
    this.options = options;
    this.out = out;
    this.corpusHash = corpusHash;
  }

  /** A snippet shipped to an executor, with its position in the corpus. */
  record Item(int index, String id, String source, String lang, String code, int startLine, int startChar,
      String label) implements Serializable {
    static Item of(int index, Snippet s) {
      return new Item(index, s.id(), s.source(), s.lang(), s.code(), s.startLine(), s.startChar(), s.label());
    }
  }

  /**
   * One partition's outcome.
   *
   * @param info the dataset description JSON (null for an empty partition)
   */
  record Report(int partition, boolean skipped, long snippets, long tokens, String info) implements Serializable {}

  static String partName(int partition) {
    return String.format("part-%05d", partition);
  }

  @Override
  public Iterator<Report> call(Integer partition, Iterator<Item> items) throws IOException {
    Configuration conf = new Configuration();
    Path dir = new Path(out, partName(partition));
    FileSystem fs = dir.getFileSystem(conf);
    if (fs.exists(dir)) {
      try (var in = fs.open(new Path(dir, "_part.json"))) {
        Report r = Json.MAPPER.readValue(in.readAllBytes(), Report.class);
        return List.of(new Report(partition, true, r.snippets(), r.tokens(), r.info())).iterator();
      }
    }
    List<Snippet> snippets = new ArrayList<>();
    Map<String, Integer> index = new HashMap<>();
    items.forEachRemaining(it -> {
      snippets.add(ExtractJob.snippet(it));
      index.put(it.id(), it.index());
    });
    List<TaskSpec> tasks = options.storeTasks();
    LabelledCorpus lc = CodeLabeller.builder().optMinCount(0).build().labelCorpus(
        new Corpus("partition " + partition, snippets, emptyStats()), new LinkedHashSet<>(options.tasks()));
    List<ExtractionInput> inputs = ConceptInputs.inputs(lc, tasks);
    Path tmp = new Path(out, "_tmp-" + partName(partition) + "-" + UUID.randomUUID());
    fs.mkdirs(tmp);
    long tokens = 0;
    String info = null;
    if (!inputs.isEmpty()) {
      Extractor extractor = new Extractor(options.extractOptions(corpusHash));
      try (EncoderModel model = Models.load(options.model())) {
        DatasetInfo di = DatasetInfo.of(extractor.spec(model), options.dtype(), corpusHash, options.partitions(),
            options.splitSeed());
        info = di.toJson();
        tokens = write(extractor, model, inputs, index, di, tmp, conf);
      }
    }
    Report done = new Report(partition, false, inputs.size(), tokens, info);
    ExtractJob.writeText(fs, new Path(tmp, "_part.json"), Json.line(done));
    if (!fs.rename(tmp, dir)) {
      fs.delete(tmp, true);
      if (!fs.exists(dir)) {
        throw new NeuroLensException(dir + ": could not rename the finished partition into place");
      }
    }
    return List.of(done).iterator();
  }

  /** Extracts {@code inputs} into the two tables under {@code tmp}; returns the stored tokens. */
  private static long write(Extractor extractor, EncoderModel model, List<ExtractionInput> inputs,
      Map<String, Integer> index, DatasetInfo info, Path tmp, Configuration conf) throws IOException {
    int hooks = info.hooks().size();
    int tokenLabels = info.tasksAt(TaskSpec.Level.TOKEN).size();
    int snippetLabels = info.tasksAt(TaskSpec.Level.SNIPPET).size();
    long[] tokens = {0};
    try (ParquetWriter<Object[]> tw = ParquetTables.open(new Path(tmp, "tokens.parquet"),
            ParquetTables.tokensSchema(info), info, conf);
        ParquetWriter<Object[]> sw = ParquetTables.open(new Path(tmp, "snippets.parquet"),
            ParquetTables.snippetsSchema(info), info, conf)) {
      extractor.extract(model, inputs, s -> {
        try {
          int at = index.get(s.id());
          for (int k = 0; k < s.size(); k++) {
            tw.write(tokenRow(s, at, k, tokenLabels, info.widths()));
          }
          Object[] row = new Object[ParquetTables.SNIPPET_COLUMNS.size() + snippetLabels + 2 * hooks];
          int c = 0;
          row[c++] = s.id();
          row[c++] = at;
          row[c++] = s.source();
          row[c++] = s.size();
          for (int t = 0; t < snippetLabels; t++) {
            row[c++] = s.labels().get(t);
          }
          for (int h = 0; h < hooks; h++) {
            row[c++] = new ParquetTables.Slice(s.first()[h], 0, info.widths().get(h));
            row[c++] = new ParquetTables.Slice(s.mean()[h], 0, info.widths().get(h));
          }
          sw.write(row);
          tokens[0] += s.size();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    return tokens[0];
  }

  /** The tokens-table row of token {@code k} of snippet {@code s}. */
  static Object[] tokenRow(SnippetActivations s, int snippetIndex, int k, int tokenLabels, List<Integer> widths) {
    StoredToken t = s.tokens().get(k);
    Object[] row = new Object[ParquetTables.TOKEN_COLUMNS.size() + tokenLabels + widths.size()];
    int c = 0;
    row[c++] = s.id();
    row[c++] = snippetIndex;
    row[c++] = k;
    row[c++] = t.text();
    row[c++] = t.start();
    row[c++] = t.end();
    row[c++] = t.flags();
    for (int l = 0; l < tokenLabels; l++) {
      row[c++] = t.labels().get(l);
    }
    for (int h = 0; h < widths.size(); h++) {
      int w = widths.get(h);
      row[c++] = new ParquetTables.Slice(s.tokenRows()[h], k * w, w);
    }
    return row;
  }

  private static CorpusStats emptyStats() {
    return new CorpusStats(0, Map.of(), List.of(), 0, 0, 0, 0, 0, 0);
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
