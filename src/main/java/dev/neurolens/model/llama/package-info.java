/**
 * The Llama decoder family (CodeLlama, DeepSeek-Coder): {@link dev.neurolens.model.llama.LlamaModel}
 * (RMSNorm, rotary positions in the rotate-half convention with linear scaling, grouped-query
 * causal attention, SwiGLU feed-forward), {@link dev.neurolens.model.llama.Rotary} and
 * {@link dev.neurolens.model.llama.LlamaCheckpoint} (weight names).
 */
package dev.neurolens.model.llama;
