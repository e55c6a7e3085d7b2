package dev.neurolens.probe;

import dev.neurolens.activation.ActivationMatrix;
import java.util.List;

/**
 * Trains linear probes (ALGORITHMS.md section 2): elastic-net multinomial logistic regression or
 * linear regression, Adam, seeded minibatch shuffling.
 *
 * <p>Weights are initialised like PyTorch's {@code nn.Linear} (uniform in +-1/sqrt(F)). When the
 * training rows fit in {@link ProbeOptions#maxInMemoryBytes()} they are copied once, in a seeded
 * random order, into one (N, F) tensor and every epoch visits its minibatches in a fresh seeded
 * order; otherwise chunks of rows are read per epoch in a seeded order and shuffled inside the
 * chunk. The minibatch order depends only on the seed and the training rows. The reported loss is
 * the mean minibatch objective (penalties included) of the last epoch. The training itself is
 * {@link BlockTrainer}'s, which also trains several probes in one pass ({@link LayerwiseProber}).
 *
 * <p>Usage: {@code Probe probe = ProbeTrainer.train(x, splits.train(), task, ProbeOptions.defaults())}
 */
public final class ProbeTrainer {

  private ProbeTrainer() {}

  /** Trains on {@code trainRows} of {@code x} with the labels or targets of {@code task}. */
  public static Probe train(ActivationMatrix x, int[] trainRows, ProbeTask task, ProbeOptions options) {
    return train(x, trainRows, task, options, "");
  }

  /**
   * Trains on {@code trainRows} of {@code x}; {@code source} (e.g. the store path and the layer
   * selection) is recorded in the provenance. The probe equals the one {@link LayerwiseProber}
   * trains on the same columns and rows with the same options (an oracle: exactly; one layer:
   * up to float rounding).
   *
   * @param x N x F activations (a {@link ColumnSubset} keeps its original feature ids)
   * @param trainRows row ids of x to train on
   * @param task labels or targets for all N rows
   */
  public static Probe train(
      ActivationMatrix x, int[] trainRows, ProbeTask task, ProbeOptions options, String source) {
    return BlockTrainer.train(x, 1, x.cols(), trainRows,
        List.of(new BlockTrainer.Spec(task.name(), task, 0, 0, source)), options, null).get(0);
  }
}
