package dev.neurolens.concept;

import dev.neurolens.corpus.Corpus;
import dev.neurolens.corpus.Snippet;
import dev.neurolens.util.Progress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Labels every snippet of a corpus, filters bad ones and folds rare labels. */
final class CorpusLabelling {
  /** Tasks whose rare labels are folded into {@link Tasks#OTHER}. */
  static final Set<String> FOLDED = Set.of("lexical-fine", "syntactic");

  private CorpusLabelling() {}

  static LabelledCorpus run(CodeLabeller labeller, Corpus corpus, List<LabelTask> specs, double maxErrorRatio,
      int minCount, boolean progress) {
    Map<String, Integer> skipped = new TreeMap<>();
    List<LabelledSnippet> kept = new ArrayList<>();
    boolean wantsUserLabel = specs.stream().anyMatch(t -> t.base().equals("label"));
    try (Progress bar = progress ? Progress.start("labelling", corpus.snippets().size(), "snippets") : Progress.silent()) {
      for (Snippet s : corpus.snippets()) {
        bar.step(1);
        if (wantsUserLabel && s.label() == null) {
          skipped.merge("no-label", 1, Integer::sum);
          continue;
        }
        LabelledSnippet ls = labeller.label(s, specs);
        if (ls.tokens().isEmpty()) {
          skipped.merge("no-tokens", 1, Integer::sum);
        } else if (ls.errorRatio() > maxErrorRatio) {
          skipped.merge("errors", 1, Integer::sum);
        } else {
          kept.add(ls);
        }
      }
    }
    if (minCount > 0) {
      kept = fold(kept, specs, minCount);
    }
    Map<String, Map<String, Long>> freq = new LinkedHashMap<>();
    for (LabelTask t : specs) {
      Map<String, Long> f = new TreeMap<>();
      for (LabelledSnippet ls : kept) {
        if (t.isTokenLevel()) {
          for (String l : ls.tokenLabels().get(t.name())) {
            if (l != null) {
              f.merge(l, 1L, Long::sum);
            }
          }
        } else if (ls.snippetLabels().containsKey(t.name())) {
          f.merge(ls.snippetLabels().get(t.name()), 1L, Long::sum);
        }
      }
      freq.put(t.name(), f);
    }
    return new LabelledCorpus(corpus.spec(), corpus.hash(), specs.stream().map(LabelTask::name).toList(), kept, skipped, freq);
  }

  private static List<LabelledSnippet> fold(List<LabelledSnippet> snippets, List<LabelTask> specs, int minCount) {
    List<String> folded = specs.stream().filter(t -> FOLDED.contains(t.base()) && !t.isBinary()).map(LabelTask::name).toList();
    if (folded.isEmpty()) {
      return snippets;
    }
    Map<String, Map<String, Integer>> counts = new HashMap<>();
    for (LabelledSnippet ls : snippets) {
      for (String task : folded) {
        Map<String, Integer> c = counts.computeIfAbsent(task, k -> new HashMap<>());
        ls.tokenLabels().get(task).forEach(l -> c.merge(l, 1, Integer::sum));
      }
    }
    List<LabelledSnippet> out = new ArrayList<>(snippets.size());
    for (LabelledSnippet ls : snippets) {
      Map<String, List<String>> labels = new LinkedHashMap<>(ls.tokenLabels());
      for (String task : folded) {
        Map<String, Integer> c = counts.get(task);
        labels.put(task, ls.tokenLabels().get(task).stream().map(l -> c.get(l) < minCount ? Tasks.OTHER : l).toList());
      }
      out.add(new LabelledSnippet(ls.snippet(), ls.tokens(), labels, ls.snippetLabels(), ls.errorNodes()));
    }
    return out;
  }
}
