package dev.neurolens.concept;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A labelled corpus: the snippets kept, what was skipped and why, and label frequencies.
 *
 * <p>Usage: {@code LabelledCorpus lc = CodeLabeller.create().labelCorpus(corpus, Set.of("lexical"));
 * lc.labelIds("lexical")}
 *
 * @param corpusSpec the corpus specification
 * @param corpusHash the corpus content hash
 * @param tasks task names in order
 * @param snippets labelled snippets, corpus order
 * @param skipped snippets skipped per reason ({@code errors}, {@code no-tokens}, {@code no-label})
 * @param frequencies task -> label -> count (tokens for token tasks, snippets for sentence tasks)
 */
public record LabelledCorpus(
    String corpusSpec,
    String corpusHash,
    List<String> tasks,
    List<LabelledSnippet> snippets,
    Map<String, Integer> skipped,
    Map<String, Map<String, Long>> frequencies) {
  public LabelledCorpus {
    tasks = List.copyOf(tasks);
    snippets = List.copyOf(snippets);
    skipped = Map.copyOf(new TreeMap<>(skipped));
    Map<String, Map<String, Long>> f = new LinkedHashMap<>();
    frequencies.forEach((k, v) -> f.put(k, java.util.Collections.unmodifiableMap(new TreeMap<>(v))));
    frequencies = java.util.Collections.unmodifiableMap(f);
  }

  /** Total code tokens. */
  public long tokenCount() {
    return snippets.stream().mapToLong(s -> s.tokens().size()).sum();
  }

  /** Deterministic label ids of a classification task: sorted label names -> 0..C-1. */
  public Map<String, Integer> labelIds(String task) {
    Map<String, Integer> ids = new LinkedHashMap<>();
    for (String l : new TreeMap<>(frequencies.getOrDefault(task, Map.of())).keySet()) {
      ids.put(l, ids.size());
    }
    return ids;
  }
}
