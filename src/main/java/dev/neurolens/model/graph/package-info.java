/**
 * What every model family shares: {@link dev.neurolens.model.graph.HookedModel} (weights in native
 * memory, the forward loop with one sub-manager per block, capture and intervention through one
 * {@link dev.neurolens.model.graph.HookRun} per call, checksums), padding and attention masks
 * ({@link dev.neurolens.model.graph.PaddedBatch}: key mask for encoders, causal mask for decoders),
 * tensor operations ({@link dev.neurolens.model.graph.Ops}: layer and RMS norm, activations,
 * grouped-query attention) and weight checks ({@link dev.neurolens.model.graph.WeightCheck}).
 * A family sub-package supplies only its embeddings, attention bias, block and final norm.
 */
package dev.neurolens.model.graph;
