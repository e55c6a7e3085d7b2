/**
 * Neuron rankings (ALGORITHMS.md section 4): Linguistic Correlation Analysis on probe weights
 * ({@link dev.neurolens.rank.LcaRanker}: top neurons by weight mass, full and granular orderings,
 * bottom / random / hard-threshold baselines), probeless class-mean ranking
 * ({@link dev.neurolens.rank.ProbelessRanker}), Gaussian-probe greedy selection
 * ({@link dev.neurolens.rank.GaussianRanker}) and average-precision ranking for binary concepts
 * ({@link dev.neurolens.rank.ApRanker}). Every ranker returns an immutable
 * {@link dev.neurolens.rank.NeuronRanking} whose ordering holds original feature ids
 * (layer * D + index); {@link dev.neurolens.rank.NeuronRanking#neurons} turns them into (hook,
 * layer, index). Inputs are never mutated.
 */
package dev.neurolens.rank;
