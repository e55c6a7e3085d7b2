/**
 * Redundancy analysis (ALGORITHMS.md 6): how much of a network repeats itself.
 *
 * <ul>
 *   <li>{@link dev.neurolens.redundancy.NeuronCorrelation}: Pearson r of every pair of neurons,
 *       streamed from row chunks with float32 matrix products on DJL.
 *   <li>{@link dev.neurolens.redundancy.CorrelationClustering}: average-linkage clustering on
 *       1 − |r| (NN-chain, O(D'^2)), cut at one or many thresholds, one representative per
 *       cluster — the number of independent neurons per layer.
 *   <li>{@link dev.neurolens.redundancy.LayerSimilarity}: linear CKA between every pair of layers,
 *       within one model or between two models on the same rows, and best-match |r|.
 * </ul>
 *
 * <p>Correlation and CKA share one sufficient statistic, the centred cross-product X^T X, which
 * is associative over row chunks: nothing here holds a tokens x neurons matrix in memory.
 */
package dev.neurolens.redundancy;
