package dev.neurolens.analysis;

import dev.neurolens.probe.Splits;
import dev.neurolens.util.NeuroLensException;
import dev.neurolens.util.Shuffle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The memorisation-proof split ({@code --split type-disjoint}): on top of the split by snippet, the
 * token texts of closed classes — keywords and modifiers, operators, punctuation, boolean/null
 * literals and type names, as the store's {@code lexical} task labels them — are dealt to one side
 * each, so that no such word seen in training appears in dev or test. A probe then cannot pass by
 * remembering which words carry which label.
 *
 * <p>Per closed class, its types are shuffled (seeded) and, most frequent first, each goes to the
 * side (training, or dev + test) whose share of that class is smaller, so both sides keep about
 * half of every class's tokens. Training rows of held-out types and dev/test rows of training
 * types are dropped; rows of open classes (identifiers, numbers, strings, comments…) are kept as
 * the snippet split has them. A type's class is its most frequent lexical label.
 */
final class TypeDisjointSplit {
  /** Lexical classes whose words form a small closed set. */
  static final Set<String> CLOSED = Set.of("KEYWORD", "OPERATOR", "PUNCTUATION", "BOOLEAN_NULL", "TYPE_IDENTIFIER");

  private TypeDisjointSplit() {}

  /**
   * Restricts {@code bySnippet} as described.
   *
   * @param texts token text of every row
   * @param lexical lexical label id of every row (-1 = none)
   * @param lexicalNames the lexical task's label names
   */
  static Splits restrict(Splits bySnippet, String[] texts, int[] lexical, List<String> lexicalNames, long seed) {
    Map<String, Map<Integer, Integer>> classCounts = new HashMap<>();
    for (int r = 0; r < texts.length; r++) {
      if (lexical[r] >= 0) {
        classCounts.computeIfAbsent(texts[r], t -> new HashMap<>()).merge(lexical[r], 1, Integer::sum);
      }
    }
    Map<String, List<String>> typesByClass = new HashMap<>();
    Map<String, Integer> count = new HashMap<>();
    for (Map.Entry<String, Map<Integer, Integer>> e : classCounts.entrySet()) {
      int best = e.getValue().entrySet().stream()
          .max(Map.Entry.<Integer, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
          .orElseThrow().getKey();
      String cls = lexicalNames.get(best);
      if (CLOSED.contains(cls)) {
        typesByClass.computeIfAbsent(cls, c -> new ArrayList<>()).add(e.getKey());
        count.put(e.getKey(), e.getValue().values().stream().mapToInt(Integer::intValue).sum());
      }
    }
    Set<String> heldOut = new HashSet<>();
    Set<String> trainOnly = new HashSet<>();
    Random random = new Random(seed);
    for (String cls : typesByClass.keySet().stream().sorted().toList()) {
      List<String> types = new ArrayList<>(typesByClass.get(cls));
      types.sort(Comparator.naturalOrder());
      Shuffle.inPlace(types, random);
      types.sort(Comparator.comparing(count::get, Comparator.reverseOrder())); // stable: equal counts stay shuffled
      long train = 0;
      long held = 0;
      for (String t : types) {
        boolean toHeld = held < train || (held == train && random.nextBoolean());
        (toHeld ? heldOut : trainOnly).add(t);
        if (toHeld) {
          held += count.get(t);
        } else {
          train += count.get(t);
        }
      }
    }
    int[] tr = Arrays.stream(bySnippet.train()).filter(r -> !heldOut.contains(texts[r])).toArray();
    int[] de = Arrays.stream(bySnippet.dev()).filter(r -> !trainOnly.contains(texts[r])).toArray();
    int[] te = Arrays.stream(bySnippet.test()).filter(r -> !trainOnly.contains(texts[r])).toArray();
    if (tr.length == 0 || te.length == 0) {
      throw new NeuroLensException("--split type-disjoint: no rows left in the train or test split");
    }
    return new Splits(tr, de, te);
  }
}
