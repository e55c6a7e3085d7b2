/**
 * The T5 encoder family (CodeT5 encoders): {@link dev.neurolens.model.t5.T5Encoder} (RMS layer
 * norm, unscaled attention with a shared relative position bias, plain or gated feed-forward),
 * {@link dev.neurolens.model.t5.RelativeBuckets} and {@link dev.neurolens.model.t5.T5Checkpoint}
 * (weight names).
 */
package dev.neurolens.model.t5;
