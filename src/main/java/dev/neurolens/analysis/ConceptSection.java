package dev.neurolens.analysis;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.neurolens.analysis.AnalysisResult.Example;
import dev.neurolens.analysis.AnalysisResult.TokenScore;
import dev.neurolens.model.HookName;
import dev.neurolens.probe.LayerLayout;
import dev.neurolens.rank.ConceptAnalyzer;
import dev.neurolens.rank.ConceptSearch;
import dev.neurolens.rank.NeuronProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Concept neurons of one token task (results.json {@code concepts[]}, {@code neurolens concepts}):
 * for every value of the task, the neurons that detect it best over all labelled tokens, with
 * their average precision, precision at k (k = the concept's count, and 100), IoU, top tokens and
 * heat-map contexts, next to what a random neuron scores ({@link ConceptSearch}).
 *
 * <p>Usage: {@code ConceptSection s = ConceptSection.search(StoreTask.load(store, "lexical", 42, StoreTask.Control.NONE), 5, 2, 42, System.err::println)}
 *
 * @param task the task
 * @param rows labelled tokens searched
 * @param neuronsSearched every neuron of the store's layers
 * @param concepts one entry per value with at least one token
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ConceptSection(String task, int rows, int neuronsSearched, List<Entry> concepts) {
  public ConceptSection {
    AnalysisResult.required("concepts.task", task);
    concepts = AnalysisResult.list("concepts.concepts", concepts);
  }

  /**
   * One concept.
   *
   * @param concept the value (label)
   * @param count its tokens
   * @param baseRate count / rows
   * @param randomBaseline mean scores of seeded random detectors
   * @param expected the scores of a random detector in expectation (AP = precision = base rate,
   *     IoU = p / (2 - p))
   * @param neurons the best neurons, best AP first
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Entry(String concept, int count, double baseRate, Scores randomBaseline, Scores expected,
      List<ConceptNeuron> neurons) {
    public Entry {
      neurons = AnalysisResult.list("concepts.neurons", neurons);
    }
  }

  /**
   * Detector scores.
   *
   * @param ap average precision
   * @param precisionAtK precision among the top k activations, k = the concept's count
   * @param precisionAt100 precision among the top 100 activations
   * @param iou IoU of the top-quantile tokens with the concept's tokens
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Scores(double ap, double precisionAtK,
      @JsonProperty("precision_at_100") double precisionAt100, double iou) {
    static Scores of(ConceptSearch.Score s) {
      return new Scores(round(s.ap()), round(s.precisionAtCount()), round(s.precisionAt100()), round(s.iou()));
    }
  }

  /**
   * A neuron as a detector of the concept.
   *
   * @param layer layer number
   * @param index neuron index in the layer
   * @param hook hook point
   * @param sign +1 when high activations mark the concept, -1 when low ones do
   * @param ap average precision
   * @param precisionAtK precision among the top k activations, k = the concept's count
   * @param precisionAt100 precision among the top 100 activations
   * @param iou IoU of the top-quantile tokens with the concept's tokens
   * @param topTokens the token types it fires on most (|z|, relative to the best type)
   * @param examples contexts of its peak activations (for the first neurons of each concept)
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record ConceptNeuron(int layer, int index, String hook, int sign, double ap, double precisionAtK,
      @JsonProperty("precision_at_100") double precisionAt100, double iou, List<TokenScore> topTokens, List<Example> examples) {
    public ConceptNeuron {
      topTokens = AnalysisResult.list("concepts.neurons.top_tokens", topTokens);
      examples = AnalysisResult.list("concepts.neurons.examples", examples);
    }
  }

  /**
   * What a neuron detects best among the values of a task, as a detector (the largest AP lift over
   * chance, both signs).
   *
   * @param concept the value
   * @param sign +1 or -1
   * @param ap its average precision
   * @param baseRate the value's share of the tokens (a random neuron's AP)
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Detected(String concept, int sign, double ap, double baseRate) {}

  /**
   * Searches every neuron of {@code st} (a token classification task, all its labelled rows) and
   * profiles the best {@code top} per concept; the first {@code withExamples} of each carry
   * heat-map contexts.
   */
  public static ConceptSection search(StoreTask st, int top, int withExamples, long seed, Consumer<String> progress) {
    int[] rows = labelledRows(st);
    ConceptSearch.Result r =
        ConceptSearch.search(st.x(), rows, st.task(), new ConceptSearch.Options(top, 16, seed), progress);
    Set<Integer> listed = new LinkedHashSet<>();
    r.concepts().forEach(c -> c.best().forEach(s -> listed.add(s.feature())));
    Map<Integer, NeuronProfile> profiles = profiles(st, listed.stream().mapToInt(Integer::intValue).toArray());
    List<Entry> entries = new ArrayList<>();
    for (ConceptSearch.Concept c : r.concepts()) {
      List<ConceptNeuron> neurons = new ArrayList<>();
      for (int i = 0; i < c.best().size(); i++) {
        ConceptSearch.Score s = c.best().get(i);
        neurons.add(neuron(st, s, profiles.get(s.feature()), i < withExamples));
      }
      entries.add(new Entry(c.name(), c.count(), round(c.baseRate()), Scores.of(c.random()), Scores.of(c.expected()),
          neurons));
    }
    return new ConceptSection(st.task().name(), rows.length, st.x().cols(), entries);
  }

  /** What each of {@code features} detects best among the values of {@code st}'s task. */
  static Map<Integer, Detected> detect(StoreTask st, int[] features, long seed) {
    int[] rows = labelledRows(st);
    int[] labels = st.task().labels();
    Map<String, Integer> counts = new HashMap<>();
    for (int row : rows) {
      counts.merge(st.task().labelNames().get(labels[row]), 1, Integer::sum);
    }
    Map<Integer, Detected> out = new HashMap<>();
    for (ConceptSearch.Detection d :
        ConceptSearch.detect(st.x(), features, rows, st.task(), new ConceptSearch.Options(1, 1, seed))) {
      if (d.concept() != null) {
        out.put(d.feature(), new Detected(d.concept(), d.score().sign(), round(d.score().ap()),
            round(counts.get(d.concept()) / (double) rows.length)));
      }
    }
    return out;
  }

  /** This section with its snippet ids passed through {@code id}. */
  ConceptSection withSnippetIds(UnaryOperator<String> id) {
    List<Entry> es = concepts.stream().map(e -> new Entry(e.concept(), e.count(), e.baseRate(), e.randomBaseline(),
        e.expected(), e.neurons().stream().map(n -> new ConceptNeuron(n.layer(), n.index(), n.hook(), n.sign(), n.ap(),
            n.precisionAtK(), n.precisionAt100(), n.iou(), n.topTokens(), n.examples().stream().map(x -> new Example(
                id.apply(x.snippet()), x.first(), x.tokens(), x.values())).toList())).toList())).toList();
    return new ConceptSection(task, rows, neuronsSearched, es);
  }

  private static ConceptNeuron neuron(StoreTask st, ConceptSearch.Score s, NeuronProfile p, boolean examples) {
    LayerLayout layout = st.layout();
    String hook = layout.hookName(layout.layerOf(s.feature()));
    List<TokenScore> tops = p.topTokens().stream().map(t -> new TokenScore(t.token(), round(t.score()))).toList();
    var snippets = st.store().snippets();
    List<Example> ex = !examples ? List.of() : p.contexts().stream()
        .map(c -> TaskAnalysis.trim(snippets.get(c.snippet()).id(), c.tokens(), c.values())).toList();
    return new ConceptNeuron(HookName.parse(hook).layer(), layout.indexOf(s.feature()), hook, s.sign(), round(s.ap()),
        round(s.precisionAtCount()), round(s.precisionAt100()), round(s.iou()), tops, ex);
  }

  private static Map<Integer, NeuronProfile> profiles(StoreTask st, int[] features) {
    ConceptAnalyzer analyzer = new ConceptAnalyzer(ConceptAnalyzer.Options.defaults());
    ConceptAnalyzer.TokenTable tokens =
        new ConceptAnalyzer.TokenTable(st.tokenTexts(), st.task().labels(), st.task().labelNames(), st.rowSnippet());
    Map<Integer, NeuronProfile> out = new HashMap<>();
    for (NeuronProfile p : analyzer.analyze(st.x(), features, tokens)) {
      out.put(p.feature(), p);
    }
    return out;
  }

  /** Every labelled row of the task (train, dev and test: the search trains nothing). */
  static int[] labelledRows(StoreTask st) {
    return st.labelled().clone();
  }

  private static double round(double v) {
    return Math.round(v * 1e6) / 1e6;
  }
}
