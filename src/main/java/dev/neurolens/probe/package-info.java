/**
 * Linear probes over activations: elastic-net multinomial logistic regression and linear
 * regression (ALGORITHMS.md section 2), their metrics, splits, layer-wise probing and control-task
 * selectivity (section 3).
 *
 * <p>Entry points: {@link dev.neurolens.probe.ProbeTrainer#train} returns an immutable
 * {@link dev.neurolens.probe.Probe}; {@link dev.neurolens.probe.ProbeEvaluator#evaluate} returns
 * {@link dev.neurolens.probe.ProbeScores}; {@link dev.neurolens.probe.LayerwiseProber#run} probes
 * every layer, the oracle (all layers) and layers 0..l. Activations are read through
 * {@link dev.neurolens.activation.ActivationMatrix} in row chunks; training runs on DJL NDArrays
 * (PyTorch engine). Shapes: N rows, F features, C classes, B minibatch, L layers, D neurons per layer.
 */
package dev.neurolens.probe;
