/**
 * The model engine: transformer encoders and decoders on DJL NDArrays (PyTorch engine) with typed
 * hook points.
 *
 * <p>Entry points: {@link dev.neurolens.model.Models#load(String)} ("default" = BGE-small-en-v1.5
 * imported from the ONNX file inside the langchain4j jar; a Hugging Face directory; an .onnx
 * file) returning an {@link dev.neurolens.model.EncoderModel} (tests build tiny seeded random models
 * with {@code TinyModels} in src/test). An encoder runs a
 * plain forward pass, {@code runWithCache} (capture any set of {@link
 * dev.neurolens.model.HookName}s) and {@code runWithHooks} (replace activations with an
 * {@link dev.neurolens.model.Intervention}); hooks live only inside the call. Shapes: B batch,
 * T tokens, D hidden, H heads, M feed-forward width, L layers. Every array a call returns is
 * attached to the caller's manager; the call frees everything else (one sub-manager per call and
 * per block).
 *
 * <p>Families ({@link dev.neurolens.model.Family}, by config.json {@code model_type}): BERT and
 * RoBERTa encoders, GPT-2 and Llama decoders (causal attention), the T5 encoder stack; every one
 * has the same hook names. Family-specific settings live in {@link dev.neurolens.model.FamilySettings}.
 *
 * <p>Sub-packages: {@code graph} (what the families share: forward loop, hooks, masks, operations),
 * {@code bert} (the BERT/RoBERTa family and its weight names), {@code gpt2}, {@code llama},
 * {@code t5} (one per family: model and weight names),
 * {@code onnx} (ONNX import via protobuf-java, ONNX Runtime reference, parity check, benchmark),
 * {@code safetensors} (a reader that distrusts its input, and a writer). This package imports
 * only {@code util}.
 */
package dev.neurolens.model;
