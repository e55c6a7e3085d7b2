package dev.neurolens.activation;

import dev.neurolens.concept.CodeToken;
import dev.neurolens.concept.LabelledCorpus;
import dev.neurolens.concept.LabelledSnippet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns the concept labeller's output into extraction inputs and store tasks.
 *
 * <p>Usage: {@code List<TaskSpec> tasks = ConceptInputs.tasks(Tasks.parseAll(List.of("lexical")));
 * List<ExtractionInput> inputs = ConceptInputs.inputs(labelled, tasks)}
 */
public final class ConceptInputs {
  private ConceptInputs() {}

  /** The store tasks of concept tasks: token tasks first-class, regression tasks numeric. */
  public static List<TaskSpec> tasks(List<dev.neurolens.concept.LabelTask> concept) {
    List<TaskSpec> out = new ArrayList<>();
    for (dev.neurolens.concept.LabelTask t : concept) {
      out.add(
          new TaskSpec(
              t.name(),
              t.isRegression() ? TaskSpec.Kind.NUMERIC : TaskSpec.Kind.CATEGORICAL,
              t.isTokenLevel() ? TaskSpec.Level.TOKEN : TaskSpec.Level.SNIPPET));
    }
    return out;
  }

  /** One input per labelled snippet (corpus order), labels in the order of {@code tasks}. */
  public static List<ExtractionInput> inputs(LabelledCorpus corpus, List<TaskSpec> tasks) {
    List<TaskSpec> tokenTasks =
        tasks.stream().filter(t -> t.level() == TaskSpec.Level.TOKEN).toList();
    List<TaskSpec> snippetTasks =
        tasks.stream().filter(t -> t.level() == TaskSpec.Level.SNIPPET).toList();
    List<ExtractionInput> out = new ArrayList<>(corpus.snippets().size());
    for (LabelledSnippet ls : corpus.snippets()) {
      List<CodeToken> code = ls.tokens();
      List<StoredToken> tokens = new ArrayList<>(code.size());
      for (int k = 0; k < code.size(); k++) {
        CodeToken c = code.get(k);
        List<String> labels = new ArrayList<>(tokenTasks.size());
        for (TaskSpec t : tokenTasks) {
          List<String> perToken = ls.tokenLabels().get(t.name());
          labels.add(perToken == null ? null : perToken.get(k));
        }
        tokens.add(new StoredToken(c.text(), c.start(), c.end(), 0, labels));
      }
      List<String> snippetLabels = new ArrayList<>(snippetTasks.size());
      Map<String, String> sl = ls.snippetLabels();
      for (TaskSpec t : snippetTasks) {
        snippetLabels.add(sl == null ? null : sl.get(t.name()));
      }
      out.add(
          new ExtractionInput(
              ls.snippet().id(), ls.snippet().source(), ls.snippet().code(), tokens, snippetLabels));
    }
    return out;
  }
}
