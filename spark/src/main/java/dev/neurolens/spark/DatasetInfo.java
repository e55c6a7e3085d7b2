package dev.neurolens.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.neurolens.activation.Aggregation;
import dev.neurolens.activation.SentenceRep;
import dev.neurolens.activation.StoreDtype;
import dev.neurolens.activation.StoreSpec;
import dev.neurolens.activation.TaskSpec;
import dev.neurolens.model.HookName;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What a Parquet activation dataset holds: the model, the hooks and their widths, the element type,
 * the tasks and the partitioning. Written as JSON into every Parquet file's key-value metadata
 * (key {@value #KEY}) and beside the partitions as {@code _neurolens.json}.
 *
 * @param format layout version ({@value #FORMAT})
 * @param modelId model id, as the store manifest records it
 * @param weightChecksum the model's weight checksum
 * @param dtype {@code float32} (Parquet list of float) or {@code float16} (binary, little-endian
 *     IEEE half, W_h x 2 bytes per row)
 * @param aggregation how a code token's pieces were combined
 * @param sentencePosition which position vector the snippets table's {@code first_*} columns hold
 * @param hooks hook names, in column order
 * @param widths W_h per hook
 * @param tasks label tasks: token tasks are columns {@code label_<task>} of the tokens table,
 *     snippet tasks of the snippets table
 * @param corpusHash hash of the corpus snippets (ids and code) that were partitioned
 * @param partitions number of partitions (directories {@code part-NNNNN})
 * @param splitSeed seed of the train/dev/test snippet split
 */
public record DatasetInfo(
    int format, String modelId, String weightChecksum, String dtype, String aggregation, String sentencePosition,
    List<String> hooks, List<Integer> widths, List<TaskSpec> tasks, String corpusHash, int partitions,
    long splitSeed) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The Parquet key-value metadata key. */
  public static final String KEY = "neurolens.activations";
  /** The layout version. */
  public static final int FORMAT = 1;

  public DatasetInfo {
    hooks = List.copyOf(hooks);
    widths = List.copyOf(widths);
    tasks = List.copyOf(tasks);
    if (hooks.size() != widths.size()) {
      throw new IllegalArgumentException(hooks.size() + " hooks and " + widths.size() + " widths");
    }
    if (!dtype.equals("float32") && !dtype.equals("float16")) {
      throw new NeuroLensException("--dtype must be float32 or float16, found " + dtype);
    }
  }

  /** The dataset of a store spec (the spec's own dtype is replaced by {@code dtype}). */
  static DatasetInfo of(StoreSpec spec, String dtype, String corpusHash, int partitions, long splitSeed) {
    List<String> hooks = spec.hooks().stream().map(HookName::toString).toList();
    return new DatasetInfo(FORMAT, spec.modelId(), spec.weightChecksum(), dtype, spec.aggregation().label(),
        spec.sentencePosition().label(), hooks, spec.widths(), spec.tasks(), corpusHash, partitions, splitSeed);
  }

  /** A store spec with these hooks, tasks and model; {@code storeDtype} for the store files. */
  StoreSpec storeSpec(StoreDtype storeDtype) {
    StoreSpec.Builder b = StoreSpec.builder().setModel(modelId, weightChecksum).optDtype(storeDtype)
        .optAggregation(Aggregation.parse(aggregation)).optCorpusHash(corpusHash)
        .optSentencePosition(SentenceRep.valueOf(sentencePosition.toUpperCase(java.util.Locale.ROOT)));
    for (int h = 0; h < hooks.size(); h++) {
      b.addHook(HookName.parse(hooks.get(h)), widths.get(h));
    }
    tasks.forEach(b::addTask);
    return b.build();
  }

  boolean half() {
    return dtype.equals("float16");
  }

  /** Parquet column of hook position {@code h} (dots are not welcome in Spark column names). */
  String column(int h) {
    return hooks.get(h).replace('.', '_');
  }

  /** Position of hook {@code hook} (e.g. {@code blocks.3.resid_post}); a one-line error if absent. */
  int hookIndex(String hook) {
    int h = hooks.indexOf(hook);
    if (h < 0) {
      throw new NeuroLensException("--hook " + hook + ": not in the dataset, which holds " + hooks);
    }
    return h;
  }

  List<TaskSpec> tasksAt(TaskSpec.Level level) {
    List<TaskSpec> out = new ArrayList<>();
    for (TaskSpec t : tasks) {
      if (t.level() == level) {
        out.add(t);
      }
    }
    return out;
  }

  String toJson() {
    try {
      return Json.MAPPER.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static DatasetInfo fromJson(String json, String where) {
    try {
      return Json.MAPPER.readValue(json, DatasetInfo.class);
    } catch (JsonProcessingException e) {
      throw new NeuroLensException(where + ": not a NeuroLens activation dataset description ("
          + e.getOriginalMessage() + ")", e);
    }
  }
}
