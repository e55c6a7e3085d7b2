package dev.neurolens.cli;

import dev.neurolens.analysis.StoreTask;
import dev.neurolens.probe.LayerLayout;
import dev.neurolens.probe.ProbeOptions;
import dev.neurolens.util.NeuroLensException;
import picocli.CommandLine.Option;

/**
 * Probe hyper-parameters shared by {@code probe}, {@code rank} and {@code ablate} (defaults of
 * ALGORITHMS.md section 2). Add with {@code @Mixin ProbeOptionsMixin probe;}.
 */
final class ProbeOptionsMixin {
  @Option(names = "--seed", defaultValue = "42",
      description = "Seed of probe initialisation, minibatch order and random rankings (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--split-seed",
      description = "Seed of the train/dev/test split of snippets and of the control task (default: the seed recorded "
          + "in the store, 42 unless extracted with another).")
  Long splitSeed;

  @Option(names = "--split", defaultValue = "snippet",
      description = "snippet (no snippet in two parts) or type-disjoint (also no keyword, operator, punctuation or type "
          + "name of training in dev/test; needs the lexical task in the store). Default ${DEFAULT-VALUE}.")
  String split;

  @Option(names = "--epochs", defaultValue = "10", description = "Probe training epochs (default ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--l1", defaultValue = "1e-5", description = "L1 penalty weight (default ${DEFAULT-VALUE}).")
  double lambda1;

  @Option(names = "--l2", defaultValue = "1e-5", description = "L2 penalty weight (default ${DEFAULT-VALUE}).")
  double lambda2;

  @Option(names = "--batch", defaultValue = "128", description = "Minibatch size (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--small-classes",
      defaultValue = "DROP_WITH_WARNING",
      description = "A class with < 2 training rows: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  ProbeOptions.SmallClassPolicy smallClasses;

  @Option(
      names = "--threads",
      defaultValue = "1",
      description = "PyTorch intra-op threads while probes train (default ${DEFAULT-VALUE}: the minibatch "
          + "products are small; more threads gain little and slow down badly on a busy machine).")
  int threads;

  /** Checks the flags' values (before a store is opened): one line naming the flag. */
  void check() {
    StoreTask.SplitRule.parseKind(split);
    OutPaths.atLeast("--threads", threads, 1);
    OutPaths.atLeast("--epochs", epochs, 1);
    OutPaths.atLeast("--batch", batch, 1);
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new NeuroLensException("--lr: must be a finite number > 0, found " + learningRate);
    }
    if (!(lambda1 >= 0) || Double.isInfinite(lambda1)) {
      throw new NeuroLensException("--l1: must be a finite number >= 0, found " + lambda1);
    }
    if (!(lambda2 >= 0) || Double.isInfinite(lambda2)) {
      throw new NeuroLensException("--l2: must be a finite number >= 0, found " + lambda2);
    }
  }

  /** Intra-op threads for probe training. */
  int threads() {
    return threads;
  }

  long seed() {
    return seed;
  }

  /** The split of {@code --split} and {@code --split-seed}. */
  StoreTask.SplitRule splitRule() {
    return new StoreTask.SplitRule(StoreTask.SplitRule.parseKind(split), splitSeed);
  }

  /** The probe options of these flags for activations of {@code layout}. */
  ProbeOptions options(LayerLayout layout) {
    return ProbeOptions.builder()
        .optSeed(seed)
        .optEpochs(epochs)
        .optLearningRate(learningRate)
        .optLambda1(lambda1)
        .optLambda2(lambda2)
        .optBatchSize(batch)
        .optSmallClasses(smallClasses)
        .optLayout(layout)
        .build();
  }
}
