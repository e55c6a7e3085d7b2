package dev.neurolens.concept;

import dev.neurolens.util.SnippetSplit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Train/dev/test splits by snippet (never by token: no snippet is in two splits), seeded: the
 * labelled snippets split by {@link SnippetSplit} (the split every stage uses), each part returned
 * in id order. The same ids and seed give the same split whatever the input order.
 *
 * <p>Usage: {@code SnippetSplits.Split s = SnippetSplits.split(lc.snippets(), SnippetSplits.DEFAULT_DEV,
 * SnippetSplits.DEFAULT_TEST, 42); s.train()}
 */
public final class SnippetSplits {
  public static final double DEFAULT_DEV = SnippetSplit.DEFAULT_DEV;
  public static final double DEFAULT_TEST = SnippetSplit.DEFAULT_TEST;

  /** The three parts. */
  public record Split(List<LabelledSnippet> train, List<LabelledSnippet> dev, List<LabelledSnippet> test) {
    public Split {
      train = List.copyOf(train);
      dev = List.copyOf(dev);
      test = List.copyOf(test);
    }

    /** The part called {@code name} ("train", "dev", "test"). */
    public List<LabelledSnippet> part(String name) {
      return switch (name) {
        case "train" -> train;
        case "dev" -> dev;
        case "test" -> test;
        default -> throw new IllegalArgumentException("split name must be train, dev or test, found " + name);
      };
    }
  }

  private SnippetSplits() {}

  /** The split of {@link SnippetSplit#assign} (by snippet id and seed), each part in id order. */
  public static Split split(List<LabelledSnippet> snippets, double dev, double test, long seed) {
    List<LabelledSnippet> sorted = new ArrayList<>(snippets);
    sorted.sort(Comparator.comparing(s -> s.snippet().id()));
    SnippetSplit.Part[] parts = SnippetSplit.assign(sorted.stream().map(s -> s.snippet().id()).toList(), dev, test, seed);
    List<LabelledSnippet> tr = new ArrayList<>();
    List<LabelledSnippet> de = new ArrayList<>();
    List<LabelledSnippet> te = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      (parts[i] == SnippetSplit.Part.TEST ? te : parts[i] == SnippetSplit.Part.DEV ? de : tr).add(sorted.get(i));
    }
    return new Split(tr, de, te);
  }
}
