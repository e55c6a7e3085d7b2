package dev.neurolens.probe;

import dev.neurolens.util.Shuffle;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Training-row filtering for classification: drops (or rejects) classes with fewer than 2
 * training rows, and optionally undersamples every kept class to the smallest kept class.
 *
 * @param rows the training rows that remain, ascending
 * @param droppedNames names of dropped classes
 */
record ClassFilter(int[] rows, List<String> droppedNames) {

  static ClassFilter apply(
      ProbeTask task, int[] trainRows, ProbeOptions options, List<String> warnings, Random random) {
    int c = task.numClasses();
    List<List<Integer>> byClass = new ArrayList<>();
    for (int i = 0; i < c; i++) {
      byClass.add(new ArrayList<>());
    }
    for (int r : trainRows) {
      byClass.get(task.label(r)).add(r);
    }
    List<String> dropped = new ArrayList<>();
    int kept = 0;
    int smallest = Integer.MAX_VALUE;
    for (int i = 0; i < c; i++) {
      int n = byClass.get(i).size();
      if (n < 2) {
        String name = task.labelNames().get(i);
        if (options.smallClasses() == ProbeOptions.SmallClassPolicy.ERROR) {
          throw new NeuroLensException(
              "task " + task.name() + ": class '" + name + "' has " + n
                  + " training rows, needs >= 2 (or drop small classes)");
        }
        if (n > 0) {
          warnings.add("class '" + name + "' dropped: " + n + " training row(s), needs >= 2");
        }
        dropped.add(name);
        byClass.get(i).clear();
      } else {
        kept++;
        smallest = Math.min(smallest, n);
      }
    }
    if (kept < 2) {
      throw new NeuroLensException(
          "task " + task.name() + ": needs >= 2 classes with >= 2 training rows, found " + kept);
    }
    List<Integer> out = new ArrayList<>();
    for (List<Integer> rows : byClass) {
      if (options.balance() && rows.size() > smallest) {
        Shuffle.inPlace(rows, random);
        out.addAll(rows.subList(0, smallest));
      } else {
        out.addAll(rows);
      }
    }
    if (options.balance()) {
      warnings.add("balanced: every class undersampled to " + smallest + " rows");
    }
    int[] rows = out.stream().mapToInt(Integer::intValue).sorted().toArray();
    return new ClassFilter(rows, dropped);
  }
}
