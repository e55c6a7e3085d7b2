/**
 * The GPT-2 decoder family (CodeGPT): {@link dev.neurolens.model.gpt2.Gpt2Model} (pre-layer-norm
 * blocks, learned positions, causal attention, tanh GELU, final {@code ln_f}) and
 * {@link dev.neurolens.model.gpt2.Gpt2Checkpoint} (weight names; Conv1D (in, out) weights
 * transposed to the Linear layout at load).
 */
package dev.neurolens.model.gpt2;
