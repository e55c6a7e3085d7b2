/**
 * Probe-level ablation (ALGORITHMS.md section 5): keep only, remove, or zero out sets of neurons
 * and measure the same probe (no retraining) and a probe retrained on the kept neurons, for the
 * top / random / bottom k% of a {@link dev.neurolens.rank.NeuronRanking}
 * ({@link dev.neurolens.ablation.ProbeAblation#run} returns an
 * {@link dev.neurolens.ablation.AblationResult}). Model-level ablation (hooks during the forward
 * pass) belongs here too but is not part of this class.
 */
package dev.neurolens.ablation;
