package dev.neurolens.probe;

import java.util.List;

/**
 * How a probe was made: the task, the settings (including the seed), the data size, the library
 * versions, the final training loss and any warnings (e.g. dropped classes).
 *
 * <p>Usage: {@code ProbeProvenance p = probe.provenance(); double loss = p.finalLoss()}
 *
 * @param task task name
 * @param options all hyper-parameters, including the seed
 * @param trainRows number of rows actually trained on (after dropping/balancing)
 * @param finalLoss mean minibatch objective of the last epoch (penalties included)
 * @param neurolensVersion NeuroLens version
 * @param engine tensor engine and version, e.g. {@code PyTorch 2.5.1}
 * @param source free text naming the data (store path, layer selection), may be empty
 * @param warnings human-readable warnings raised during training
 */
public record ProbeProvenance(
    String task,
    ProbeOptions options,
    int trainRows,
    double finalLoss,
    String neurolensVersion,
    String engine,
    String source,
    List<String> warnings) {

  /** The NeuroLens version recorded in provenance. */
  public static final String NEUROLENS_VERSION = "0.1.0";

  public ProbeProvenance {
    warnings = List.copyOf(warnings);
    source = source == null ? "" : source;
  }
}
