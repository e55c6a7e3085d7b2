/**
 * The safetensors checkpoint format: a reader that validates the header and every tensor's
 * byte range before allocating (F32/F16/BF16 to float32), sharded checkpoints via
 * {@code model.safetensors.index.json}, and an F32 writer used by {@code model export}.
 */
package dev.neurolens.model.safetensors;
