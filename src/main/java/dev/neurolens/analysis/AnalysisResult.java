package dev.neurolens.analysis;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.neurolens.redundancy.LayerNeuron;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything one {@link Analysis} run found, as immutable records; results.json is its Jackson
 * serialisation (snake_case names, documented in docs/results-schema.md) and the HTML report is
 * rendered from it.
 *
 * <p>Usage: {@code AnalysisResult r = Analysis.builder().build().run(System.err::println);
 * r.tasks().get(0).bestLayer()}
 *
 * @param schemaVersion version of this layout ({@link #SCHEMA_VERSION}); readers reject others
 * @param neurolensVersion the version that wrote it
 * @param created ISO-8601 instant of the run
 * @param seed seed of sampling, splits, control tasks and probes
 * @param model the analysed model
 * @param corpus the corpus sample
 * @param extraction how the activations were extracted (or reused)
 * @param tasks one section per probed task
 * @param neurons concept profiles of the top neurons of every class
 * @param concepts per-concept neuron search of the token tasks it ran on (empty when none)
 * @param clustering correlation clustering over thresholds, or null when skipped
 * @param cka linear CKA between layers, or null when skipped
 * @param comparison the model against a base model ({@code Analysis.Builder.compareWith}), or null
 * @param timings seconds per stage ({@code label}, {@code extract}, {@code task_<name>},
 *     {@code redundancy}, {@code total})
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AnalysisResult(
    int schemaVersion,
    String neurolensVersion,
    String created,
    long seed,
    ModelInfo model,
    CorpusInfo corpus,
    ExtractionInfo extraction,
    List<TaskResult> tasks,
    List<ProfiledNeuron> neurons,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ConceptSection> concepts,
    @JsonInclude(JsonInclude.Include.NON_NULL) Clustering clustering,
    @JsonInclude(JsonInclude.Include.NON_NULL) Cka cka,
    @JsonInclude(JsonInclude.Include.NON_NULL) ComparisonResult comparison,
    Map<String, Double> timings) {

  /** The results.json layout this version writes and reads. */
  public static final int SCHEMA_VERSION = 1;

  public AnalysisResult {
    required("model", model);
    required("corpus", corpus);
    required("extraction", extraction);
    tasks = list("tasks", tasks);
    neurons = list("neurons", neurons);
    concepts = concepts == null ? List.of() : List.copyOf(concepts);
    timings = map("timings", timings);
  }

  /** {@code value}, or an IllegalArgumentException naming the missing field. */
  static <T> T required(String field, T value) {
    if (value == null) {
      throw new IllegalArgumentException("missing " + field);
    }
    return value;
  }

  /** An unmodifiable copy of a required list. */
  static <T> List<T> list(String field, List<T> value) {
    return List.copyOf(required(field, value));
  }

  /** An unmodifiable copy of a required map, in its order. */
  static <K, V> Map<K, V> map(String field, Map<K, V> value) {
    return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(required(field, value)));
  }

  /** Writes this as pretty JSON (results.json) to {@code file} atomically. */
  public void write(Path file) {
    Json.writeAtomically(file, this);
  }

  /**
   * Reads a results.json written by {@link #write} (or {@code neurolens analyze}).
   *
   * @throws NeuroLensException naming the file when it is missing, not JSON, of another
   *     {@code schema_version}, or not of this layout (with the path of the field at fault: a
   *     required object or list missing, a value of the wrong type, an unknown field)
   */
  public static AnalysisResult read(Path file) {
    JsonNode root = Json.readObject(file, "run `neurolens analyze` first");
    JsonNode version = root.get("schema_version");
    if (version == null || !version.isInt() || version.asInt() != SCHEMA_VERSION) {
      throw new NeuroLensException(file + ": schema_version must be " + SCHEMA_VERSION + ", found "
          + (version == null ? "none (written before schema versions, or not by `neurolens analyze`)" : version)
          + "; re-run `neurolens analyze`");
    }
    try {
      return Json.MAPPER.readerFor(AnalysisResult.class)
          .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .readValue(root);
    } catch (IOException e) {
      String where = "";
      if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : m.getPath()) {
          b.append(r.getFieldName() != null ? (b.length() == 0 ? "" : ".") + r.getFieldName() : "[" + r.getIndex() + "]");
        }
        where = " at " + b;
      }
      String why = e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
      throw new NeuroLensException(file + ": not a results.json of schema " + SCHEMA_VERSION + where + " ("
          + (why == null ? e.toString() : why.lines().findFirst().orElse("")) + ")", e);
    }
  }

  /** The section of task {@code name}. */
  public TaskResult task(String name) {
    return tasks.stream()
        .filter(t -> t.task().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "no task '" + name + "' in these results (tasks: " + tasks.stream().map(TaskResult::task).toList() + ")"));
  }

  /**
   * The analysed model.
   *
   * @param id model id (path or bundled name)
   * @param type {@code bert} or {@code roberta}
   * @param layers encoder blocks
   * @param hidden hidden size D
   * @param heads attention heads
   * @param parameters parameter count
   * @param weightChecksum checksum of the weights (the activation store records it)
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record ModelInfo(
      String id, String type, int layers, int hidden, int heads, long parameters, String weightChecksum) {
    public ModelInfo {
      required("model.id", id);
    }
  }


  /**
   * The corpus sample that was labelled and extracted.
   *
   * @param spec what the user gave ({@code default}, a path)
   * @param lang language
   * @param snippets snippets in the store
   * @param tokens token rows in the store
   * @param hash hash of the labelled corpus (the store records it)
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record CorpusInfo(String spec, String lang, int snippets, long tokens, String hash) {
    public CorpusInfo {
      required("corpus.spec", spec);
    }
  }


  /**
   * How the activations were obtained.
   *
   * @param aggregation sub-word aggregation ({@code last})
   * @param dtype storage type ({@code float16})
   * @param tokensPerS code tokens per second of the extraction, or null when the store was reused
   * @param seconds extraction time
   * @param reused whether an existing complete store was reused
   * @param store the store directory
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record ExtractionInfo(
      String aggregation, String dtype, Double tokensPerS, double seconds, boolean reused, String store) {}

  /**
   * One task: layer-wise probes with selectivity, the oracle, its LCA neurons, ablation curves and
   * (optionally) the minimal-neuron pipeline.
   *
   * @param task task name
   * @param kind {@code classification} or {@code regression}
   * @param metric {@code accuracy} or {@code pearson}
   * @param classes class names (classification only, else null)
   * @param classCounts labelled rows per class over all splits (classification only, else null)
   * @param splits rows per split
   * @param layers one probe per layer, in layer order
   * @param oracle the probe on all layers
   * @param topNeurons the oracle's top neurons overall and per class
   * @param layerDistribution count of the top 1% of the LCA ordering per layer
   * @param ablation probe-level ablation rows, one per k%
   * @param redundancy the LayerSelector -> CC -> LCA pipeline, or null when not run
   * @param baselines test scores without activations (majority class, token-type lookup), or null
   *     for regression and sentence tasks
   * @param stability the LCA ranking over several probe seeds, or null for one run
   * @param split the split of this section ({@code snippet} or {@code type-disjoint})
   * @param otherSplit the oracle and control under the other split, or null when not run
   * @param regularization the lambda chosen on dev from a grid ({@code --preset code-redundancy}), or null
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record TaskResult(
      String task,
      String kind,
      String metric,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<String> classes,
      @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Integer> classCounts,
      SplitSizes splits,
      List<LayerScore> layers,
      LayerScore oracle,
      TopNeurons topNeurons,
      int[] layerDistribution,
      List<AblationRow> ablation,
      @JsonInclude(JsonInclude.Include.NON_NULL) PipelineSection redundancy,
      @JsonInclude(JsonInclude.Include.NON_NULL) Baselines baselines,
      @JsonInclude(JsonInclude.Include.NON_NULL) Stability stability,
      @JsonInclude(JsonInclude.Include.NON_NULL) String split,
      @JsonInclude(JsonInclude.Include.NON_NULL) SplitCheck otherSplit,
      @JsonInclude(JsonInclude.Include.NON_NULL) Regularization regularization) {

    public TaskResult {
      required("task", task);
      classes = classes == null ? null : List.copyOf(classes);
      classCounts = classCounts == null ? null : map("class_counts", classCounts);
      required("splits", splits);
      layers = list("layers", layers);
      if (layers.isEmpty()) {
        throw new IllegalArgumentException("task " + task + ": layers is empty");
      }
      required("oracle", oracle);
      required("top_neurons", topNeurons);
      layerDistribution = required("layer_distribution", layerDistribution).clone();
      ablation = list("ablation", ablation);
    }

    /** The layer whose probe has the highest test score (the first of equals). */
    public LayerScore bestLayer() {
      LayerScore best = layers.get(0);
      for (LayerScore l : layers) {
        if (l.test() > best.test()) {
          best = l;
        }
      }
      return best;
    }
  }

  /**
   * Rows per split (split by snippet: no snippet in two splits).
   *
   * @param train training rows
   * @param dev development rows
   * @param test test rows
   */
  public record SplitSizes(int train, int dev, int test) {}


  /**
   * One probe's scores.
   *
   * @param name {@code layer_<l>} or {@code oracle}
   * @param layer layer number (0 = embeddings), -1 for the oracle
   * @param hook the hook point ({@code all} for the oracle)
   * @param train training-split score
   * @param dev dev-split score, or null without a dev split
   * @param test test-split score
   * @param controlTest the control-task probe's test score, or null without a control task
   * @param selectivity test - controlTest, or null
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record LayerScore(
      String name, int layer, String hook, double train, Double dev, double test, Double controlTest,
      Double selectivity) {}

  /**
   * Top neurons of the oracle probe.
   *
   * @param overall the head of the LCA ordering
   * @param perClass per class, the neurons with the largest |weight| for that class
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record TopNeurons(List<NeuronWeight> overall, Map<String, List<NeuronWeight>> perClass) {
    public TopNeurons {
      overall = list("top_neurons.overall", overall);
      perClass = map("top_neurons.per_class", perClass);
    }
  }


  /**
   * A neuron and its probe weight.
   *
   * @param layer layer number (0 = embeddings)
   * @param index neuron index in the layer
   * @param hook hook point
   * @param weight max |weight| over classes (overall) or |weight| for the class
   * @param selected share of the ranking runs whose top 5% holds it, or null for one run
   * @param detected the value of the task it detects best as a detector, or null (regression)
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record NeuronWeight(int layer, int index, String hook, double weight,
      @JsonInclude(JsonInclude.Include.NON_NULL) Double selected,
      @JsonInclude(JsonInclude.Include.NON_NULL) ConceptSection.Detected detected) {}

  /**
   * Probe-level ablation at k% of the neurons: test scores of the oracle with only the selection
   * kept (others zeroed), of a probe retrained on the selection, and of the oracle with the
   * selection removed; for the LCA top, a random and the LCA bottom selection.
   *
   * @param kPercent k
   * @param neurons neurons in each selection
   * @param topZeroed LCA top kept, others zeroed
   * @param topRetrained retrained on the LCA top
   * @param topRemoved LCA top zeroed
   * @param randomZeroed random selection kept
   * @param randomRetrained retrained on the random selection
   * @param randomRemoved random selection zeroed
   * @param bottomZeroed LCA bottom kept
   * @param bottomRetrained retrained on the LCA bottom
   * @param bottomRemoved LCA bottom zeroed
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record AblationRow(
      double kPercent, int neurons,
      Double topZeroed, Double topRetrained, Double topRemoved,
      Double randomZeroed, Double randomRetrained, Double randomRemoved,
      Double bottomZeroed, Double bottomRetrained, Double bottomRemoved) {}

  /**
   * The LayerSelector -> CC -> LCA minimal-neuron pipeline of one task.
   *
   * @param pipeline one row per (thresholds, CC setting)
   * @param oracleDev the oracle probe's dev score
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record PipelineSection(List<PipelineRow> pipeline, double oracleDev) {
    public PipelineSection {
      pipeline = list("redundancy.pipeline", pipeline);
    }
  }


  /**
   * One pipeline setting and the minimal neuron set it found.
   *
   * @param layerDelta allowed dev loss (%) of the selected layers against the oracle
   * @param neuronDelta allowed dev loss (%) of the minimal set against the base probe
   * @param ccThreshold correlation-clustering threshold, or null for no clustering
   * @param selectedLayers the layers kept by the LayerSelector
   * @param neuronsAfterCc neurons left after clustering
   * @param minimalK size of the minimal set
   * @param removablePercent share of all neurons not needed
   * @param oracleTest the oracle's test score
   * @param minimalTest test score of the probe on the minimal set
   * @param minimalSet the minimal set
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record PipelineRow(
      double layerDelta, double neuronDelta, Double ccThreshold, List<Integer> selectedLayers,
      int neuronsAfterCc, int minimalK, double removablePercent, double oracleTest, double minimalTest,
      List<LayerNeuron> minimalSet) {
    public PipelineRow {
      selectedLayers = list("selected_layers", selectedLayers);
      minimalSet = list("minimal_set", minimalSet);
    }
  }


  /**
   * A top neuron of a class with what it fires on.
   *
   * @param layer layer number
   * @param index neuron index in the layer
   * @param hook hook point
   * @param concept the label its top activations are purest in
   * @param purity share of its top activations that carry that label
   * @param topTokens the token types it fires on most, scored in [0, 1]
   * @param examples contexts around its peak activations
   * @param rankedFor the class it was ranked for
   * @param task the task
   * @param detected the value of the task it detects best as a detector (AP lift over chance), or
   *     null when not searched
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record ProfiledNeuron(
      int layer, int index, String hook, String concept, double purity, List<TokenScore> topTokens,
      List<Example> examples, String rankedFor, String task,
      @JsonInclude(JsonInclude.Include.NON_NULL) ConceptSection.Detected detected) {
    public ProfiledNeuron {
      topTokens = list("top_tokens", topTokens);
      examples = list("examples", examples);
    }
  }


  /**
   * A token type's score for a neuron.
   *
   * @param token token text
   * @param score mean |z| over its occurrences, relative to the best type's
   */
  public record TokenScore(String token, double score) {}

  /**
   * A context of a neuron's peak activation.
   *
   * @param snippet snippet id
   * @param first position of the first kept token in the snippet
   * @param tokens the kept code tokens
   * @param values the neuron's activation on each (4 decimals)
   */
  public record Example(String snippet, int first, List<String> tokens, double[] values) {
    public Example {
      tokens = List.copyOf(required("examples.tokens", tokens));
      values = required("examples.values", values).clone();
    }
  }


  /**
   * Correlation clustering of all neurons over all tokens, swept over thresholds.
   *
   * @param thresholds the distance thresholds
   * @param layers layer numbers
   * @param independentPerLayer per threshold, cluster representatives per layer
   * @param totalIndependent per threshold, the number of clusters
   * @param totalNeurons neurons clustered
   * @param constantNeurons neurons without variance (left out)
   * @param rows token rows
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Clustering(
      List<Double> thresholds, List<Integer> layers, List<int[]> independentPerLayer,
      List<Integer> totalIndependent, int totalNeurons, int constantNeurons, int rows) {
    public Clustering {
      thresholds = list("clustering.thresholds", thresholds);
      layers = list("clustering.layers", layers);
      independentPerLayer = list("clustering.independent_per_layer", independentPerLayer);
      totalIndependent = list("clustering.total_independent", totalIndependent);
    }
  }


  /**
   * Linear CKA between every pair of layers.
   *
   * @param layers hook names, in layer order
   * @param matrix CKA, layers x layers
   * @param adjacentBestAbsR per adjacent pair, the mean over neurons of the best |r| in the next layer
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Cka(List<String> layers, double[][] matrix, double[] adjacentBestAbsR) {
    public Cka {
      layers = list("cka.layers", layers);
      required("cka.matrix", matrix);
    }
  }

}
