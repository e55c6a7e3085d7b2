package dev.neurolens.corpus;

/**
 * Child JVM for the small-heap test of {@link CorpusLimitsTest}: reads the corpus {@code args[0]}
 * with the default options and prints one line, {@code skipped=<reason counts> snippets=<n>}.
 */
public final class CorpusReadChild {
  private CorpusReadChild() {}

  public static void main(String[] args) {
    Corpus c = CorpusReader.builder().build().read(args[0]);
    System.out.println("skipped=" + new java.util.TreeMap<>(c.stats().skippedFiles()) + " snippets=" + c.snippets().size());
  }
}
