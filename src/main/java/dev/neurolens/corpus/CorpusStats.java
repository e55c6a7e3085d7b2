package dev.neurolens.corpus;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What reading a corpus found and left out.
 *
 * <p>Usage: {@code CorpusStats st = CorpusReader.builder().build().read("default").stats(); st.duplicates()}
 *
 * @param files files read as code
 * @param skippedFiles count per reason: by name {@code unknown-language}, {@code other-language},
 *     {@code nested-archive}, {@code duplicate-entry}; while reading {@code too-large}, {@code
 *     zip-bomb}, {@code unreadable}, {@code binary}, {@code not-utf8}, {@code empty}, {@code
 *     long-line} (JSONL lines count one by one, as {@code file#line})
 * @param skippedExamples up to 50 skipped files as {@code "path: reason"}
 * @param snippetsFound snippets cut before any filter
 * @param duplicates identical snippets dropped (first in path order kept)
 * @param tooLong snippets dropped because they had more than maxTokens code tokens (among those
 *     examined: with sampling, snippets are examined in seeded order until maxSnippets fit)
 * @param sampledOut unique snippets never examined because {@code maxSnippets} were already chosen
 * @param snippets snippets kept
 * @param tokens code tokens (syntax-tree leaves) in the kept snippets
 */
public record CorpusStats(
    int files,
    Map<String, Integer> skippedFiles,
    List<String> skippedExamples,
    int snippetsFound,
    int duplicates,
    int tooLong,
    int sampledOut,
    int snippets,
    long tokens) {
  public CorpusStats {
    skippedFiles = Map.copyOf(new TreeMap<>(skippedFiles));
    skippedExamples = List.copyOf(skippedExamples);
  }
}
