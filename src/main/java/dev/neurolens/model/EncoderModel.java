package dev.neurolens.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A transformer with named hook points: plain forward, capture, and intervention. Despite the
 * name, decoders (GPT-2, Llama: causal attention) implement it too; {@code config().family()}
 * says which kind a model is.
 *
 * <p>Shapes: B batch, T tokens (the longest row of the batch; shorter rows are padded with the
 * pad id and masked out of attention), D hidden, M feed-forward width. Every returned array is
 * attached to the caller's {@code manager}; everything else the call allocates is freed before
 * it returns. Instances are safe to use from one thread at a time.
 *
 * <p>Usage: {@code try (EncoderModel model = Models.load("default")) { NDArray h = model.forward(manager, batch); }}
 */
public interface EncoderModel extends AutoCloseable {

  ModelConfig config();

  /** {@code "bge-small-en-v1.5 (bundled)"} for the default model, else the directory/file path. */
  String id();

  /** Stable hex SHA-256 over all weight names, shapes and float32 values (for store manifests). */
  String weightChecksum();

  ModelTokenizer tokenizer();

  /** Every hook point of this model, in forward order. */
  List<HookName> hookNames();

  /**
   * Last hidden state (B, T, D), padded positions included: Hugging Face's {@code last_hidden_state},
   * i.e. after the final norm of pre-layer-norm families (GPT-2 {@code ln_f}, Llama {@code norm},
   * T5 {@code final_layer_norm}); the last {@code resid_post} hook is the residual stream before it.
   */
  NDArray forward(NDManager manager, TokenBatch batch);

  /** Captures the requested hook points: hook -> (B, T, W) (W = D, or M for mlp.pre). */
  Map<HookName, NDArray> runWithCache(NDManager manager, TokenBatch batch, Set<HookName> hooks);

  /**
   * Forward with interventions that replace activations at hook points; returns the last hidden
   * state (B, T, D). The hooks live only during this call.
   */
  NDArray runWithHooks(
      NDManager manager, TokenBatch batch, Map<HookName, Intervention> interventions);

  /**
   * Whether {@link TokenBatch#packed packed batches} are accepted: true for encoders whose
   * positions can restart within a row (BERT, RoBERTa, T5); decoders refuse them.
   */
  default boolean supportsPacking() {
    return false;
  }

  /** Whether the checkpoint carried a masked-LM head. */
  default boolean hasMaskedLmHead() {
    return false;
  }

  /**
   * The masked-LM head's logits for a last hidden state: (B, T, D) -> (B, T, V).
   *
   * @throws IllegalStateException if {@link #hasMaskedLmHead()} is false
   */
  default NDArray maskedLmLogits(NDManager manager, NDArray lastHidden) {
    throw new IllegalStateException(id() + " has no masked-LM head");
  }

  /** The native memory the weights hold and need (float32 unless the model says otherwise). */
  default WeightMemory weightMemory() {
    return new WeightMemory("F32", 4 * parameterCount(), 4 * parameterCount(), 0);
  }

  /** Number of parameters (weights of the encoder and head). */
  long parameterCount();

  /** Frees the model's weights. */
  @Override
  void close();
}
