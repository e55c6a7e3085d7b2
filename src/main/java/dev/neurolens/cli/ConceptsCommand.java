package dev.neurolens.cli;

import dev.neurolens.activation.ActivationStore;
import dev.neurolens.analysis.ConceptSection;
import dev.neurolens.analysis.StoreTask;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code neurolens concepts}: per-concept neuron search (ALGORITHMS.md section 7) over every neuron
 * of a store for one token task; prints the best neurons of each value with AP, precision at k,
 * IoU and top tokens, next to a random-neuron baseline, and writes {@code OUT/concepts.json} when
 * {@code --out} is given.
 */
@Command(name = "concepts", description = "Find the neurons that detect each value of a token task "
    + "(number, string, comment, each keyword or syntactic type...) among all neurons.")
final class ConceptsCommand implements Callable<Integer> {
  @Option(names = "--store", required = true, description = "Activation store directory.")
  Path store;

  @Option(names = "--task", required = true, description = "Token classification task in the store (e.g. lexical).")
  String task;

  @Option(names = "--top", defaultValue = "10", description = "Neurons listed per concept (default ${DEFAULT-VALUE}).")
  int top;

  @Option(names = "--examples", defaultValue = "2",
      description = "Neurons per concept given heat-map contexts in the JSON (default ${DEFAULT-VALUE}).")
  int examples;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the random-neuron baseline (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", description = "Directory for concepts.json (created; optional).")
  Path out;

  @Mixin OutputOptions output = new OutputOptions();

  @Override
  public Integer call() {
    OutPaths.atLeast("--top", top, 1);
    OutPaths.atLeast("--examples", examples, 0);
    if (out != null) {
      OutPaths.directory("--out", out);
    }
    ConceptSection section;
    try (ActivationStore s = ActivationStore.open(store)) {
      StoreTask st = StoreTask.load(s, task, seed, StoreTask.Control.NONE);
      if (st.task().isRegression()) {
        throw new NeuroLensException("--task " + task + ": is a numeric task; concept search needs a classification task");
      }
      section = ConceptSection.search(st, top, Math.min(examples, top), seed,
          line -> {
            if (!output.quiet()) {
              output.info(line);
            }
          });
    }
    if (out != null) {
      Json.writeAtomically(out.resolve("concepts.json"), section);
    }
    output.emit(section, human(section));
    return 0;
  }

  private String human(ConceptSection s) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
        "concept neurons of task %s (%d tokens, %d neurons searched; AP / precision at k = count / IoU; random = mean of 16 random neurons)%n",
        s.task(), s.rows(), s.neuronsSearched()));
    for (ConceptSection.Entry e : s.concepts()) {
      b.append(String.format(Locale.ROOT, "%s: %d tokens (%.2f%%), random AP %.3f P@k %.3f IoU %.3f%n",
          e.concept(), e.count(), 100 * e.baseRate(), e.randomBaseline().ap(), e.randomBaseline().precisionAtK(),
          e.randomBaseline().iou()));
      for (ConceptSection.ConceptNeuron n : e.neurons()) {
        b.append(String.format(Locale.ROOT, "  layer %2d neuron %4d %s  AP %.3f  P@k %.3f  P@100 %.2f  IoU %.3f  top: %s%n",
            n.layer(), n.index(), n.sign() > 0 ? "(+)" : "(-)", n.ap(), n.precisionAtK(), n.precisionAt100(), n.iou(),
            String.join(" ", n.topTokens().stream().limit(6).map(t -> t.token()).toList())));
      }
    }
    if (out != null) {
      b.append("written: ").append(out.resolve("concepts.json"));
    }
    return b.toString().stripTrailing();
  }
}
