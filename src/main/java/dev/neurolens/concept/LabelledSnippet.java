package dev.neurolens.concept;

import dev.neurolens.corpus.Snippet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A snippet with its code tokens and labels.
 *
 * <p>Usage: {@code LabelledSnippet ls = CodeLabeller.create().label(snippet, Set.of("lexical"));
 * List<String> labels = ls.tokenLabels().get("lexical")}
 *
 * @param snippet the snippet (for {@code name-verb}, with the method name replaced by {@code f})
 * @param tokens code tokens in source order
 * @param tokenLabels task name -> one label per token (numeric tasks as decimal strings; for
 *     {@code identifier-role}, non-identifiers are {@code NONE})
 * @param snippetLabels sentence task name -> label
 * @param errorNodes ERROR and MISSING nodes in the parse
 */
public record LabelledSnippet(
    Snippet snippet,
    List<CodeToken> tokens,
    Map<String, List<String>> tokenLabels,
    Map<String, String> snippetLabels,
    int errorNodes) {
  public LabelledSnippet {
    Objects.requireNonNull(snippet, "snippet");
    tokens = List.copyOf(tokens);
    Map<String, List<String>> copy = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> e : tokenLabels.entrySet()) {
      if (e.getValue().size() != tokens.size()) {
        throw new IllegalArgumentException(snippet.id() + ": task " + e.getKey() + " has "
            + e.getValue().size() + " labels for " + tokens.size() + " tokens");
      }
      // a null entry: the token has no label in that task (the presets' classes cover some tokens only)
      copy.put(e.getKey(), java.util.Collections.unmodifiableList(new java.util.ArrayList<>(e.getValue())));
    }
    tokenLabels = java.util.Collections.unmodifiableMap(copy);
    snippetLabels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(snippetLabels));
    if (errorNodes < 0) {
      throw new IllegalArgumentException("errorNodes must be >= 0, found " + errorNodes);
    }
  }

  /** ERROR/MISSING nodes per token (0 for a clean parse). */
  public double errorRatio() {
    return tokens.isEmpty() ? (errorNodes > 0 ? 1.0 : 0.0) : (double) errorNodes / tokens.size();
  }

  /** Token texts in order. */
  public List<String> words() {
    return tokens.stream().map(CodeToken::text).toList();
  }
}
