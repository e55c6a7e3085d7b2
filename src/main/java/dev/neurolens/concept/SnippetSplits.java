package dev.neurolens.concept;

import dev.neurolens.util.Shuffle;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Train/dev/test splits by snippet (never by token: no snippet is in two splits), seeded.
 *
 * <p>Snippets are sorted by id, shuffled with {@code new Random(seed)}, and cut: the first
 * {@code round(n*test)} are test, the next {@code round(n*dev)} dev, the rest train; each part is
 * returned in id order. The same ids and seed give the same split whatever the input order.
 *
 * <p>Usage: {@code SnippetSplits.Split s = SnippetSplits.split(lc.snippets(), SnippetSplits.DEFAULT_DEV,
 * SnippetSplits.DEFAULT_TEST, 42); s.train()}
 */
public final class SnippetSplits {
  public static final double DEFAULT_DEV = 0.1;
  public static final double DEFAULT_TEST = 0.1;

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

  public static Split split(List<LabelledSnippet> snippets, double dev, double test, long seed) {
    if (!(dev >= 0) || !(test >= 0) || !(dev + test < 1)) { // written so that NaN fails
      throw new NeuroLensException("--dev/--test: fractions must be >= 0 with dev + test < 1, found " + dev + " + " + test);
    }
    List<LabelledSnippet> sorted = new ArrayList<>(snippets);
    sorted.sort(Comparator.comparing(s -> s.snippet().id()));
    List<LabelledSnippet> shuffled = new ArrayList<>(sorted);
    Shuffle.inPlace(shuffled, new Random(seed));
    int n = shuffled.size();
    int nTest = (int) Math.round(n * test);
    int nDev = (int) Math.round(n * dev);
    Comparator<LabelledSnippet> byId = Comparator.comparing(s -> s.snippet().id());
    List<LabelledSnippet> te = new ArrayList<>(shuffled.subList(0, nTest));
    List<LabelledSnippet> de = new ArrayList<>(shuffled.subList(nTest, Math.min(n, nTest + nDev)));
    List<LabelledSnippet> tr = new ArrayList<>(shuffled.subList(Math.min(n, nTest + nDev), n));
    te.sort(byId);
    de.sort(byId);
    tr.sort(byId);
    return new Split(tr, de, te);
  }
}
