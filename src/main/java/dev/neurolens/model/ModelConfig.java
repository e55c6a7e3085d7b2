package dev.neurolens.model;

import dev.neurolens.util.NeuroLensException;
import java.util.Objects;
import java.util.Set;

/**
 * The architecture settings of a model, with Hugging Face {@code config.json} meanings.
 *
 * <p>The common settings are named as for BERT; each family's config.json calls them otherwise
 * (GPT-2: {@code n_layer}, {@code n_embd}, {@code n_inner}; T5: {@code num_layers},
 * {@code d_model}, {@code d_ff}). What only one family has lives in {@link #settings()}.
 *
 * <p>Usage: {@code ModelConfig c = model.config(); int width = c.hiddenSize() * (c.numLayers() + 1)}
 *
 * @param modelType {@code bert}, {@code roberta} (position ids start after the padding index),
 *     {@code gpt2}, {@code llama} or {@code t5} (the encoder stack); see {@link Family}
 * @param numLayers number of blocks L
 * @param hiddenSize width of the residual stream D
 * @param numHeads attention heads H; must divide D
 * @param intermediateSize feed-forward width M
 * @param maxPositions rows of the position-embedding table (BERT, GPT-2), or the longest input
 *     the model was trained on (Llama, T5)
 * @param vocabSize rows of the word-embedding table
 * @param typeVocabSize rows of the token-type table (BERT family; 0 for the others)
 * @param layerNormEps layer-norm (or RMS-norm) epsilon
 * @param padTokenId id used for padding (and RoBERTa's padding index); padded positions are
 *     masked out, so for decoders without a pad token any id serves
 * @param hiddenAct feed-forward activation: {@code gelu} (exact erf form), {@code gelu_new} (tanh
 *     form, GPT-2 and gated T5), {@code relu} or {@code silu} (Llama)
 * @param settings family-specific settings ({@link FamilySettings.None} unless Llama or T5)
 */
public record ModelConfig(
    String modelType,
    int numLayers,
    int hiddenSize,
    int numHeads,
    int intermediateSize,
    int maxPositions,
    int vocabSize,
    int typeVocabSize,
    double layerNormEps,
    int padTokenId,
    String hiddenAct,
    FamilySettings settings) {

  public ModelConfig {
    Objects.requireNonNull(modelType, "modelType");
    Objects.requireNonNull(hiddenAct, "hiddenAct");
    Objects.requireNonNull(settings, "settings");
    Family family = Family.of(modelType);
    if (family == null) {
      throw new NeuroLensException(
          "model_type: unknown model type '" + modelType + "' (supported: " + Family.supported() + ")");
    }
    boolean bertLike = family == Family.BERT || family == Family.ROBERTA;
    positive("num_hidden_layers", numLayers);
    positive("hidden_size", hiddenSize);
    positive("num_attention_heads", numHeads);
    positive("intermediate_size", intermediateSize);
    positive("max_position_embeddings", maxPositions);
    positive("vocab_size", vocabSize);
    if (bertLike) {
      positive("type_vocab_size", typeVocabSize);
    } else if (typeVocabSize != 0) {
      throw new NeuroLensException("type_vocab_size must be 0 for " + modelType + " (no token-type table), found "
          + typeVocabSize);
    }
    if (hiddenSize % numHeads != 0) {
      throw new NeuroLensException(
          "num_attention_heads (" + numHeads + ") must divide hidden_size (" + hiddenSize + ")");
    }
    if (!(layerNormEps > 0 && layerNormEps < 1)) {
      throw new NeuroLensException("layer_norm_eps must be in (0, 1), found " + layerNormEps);
    }
    if (padTokenId < 0 || padTokenId >= vocabSize) {
      throw new NeuroLensException(
          "pad_token_id must be in [0, vocab_size " + vocabSize + "), found " + padTokenId);
    }
    Set<String> acts = switch (family) {
      case BERT, ROBERTA -> Set.of("gelu", "relu");
      case GPT2 -> Set.of("gelu_new", "gelu", "relu");
      case LLAMA -> Set.of("silu");
      case T5 -> Set.of("relu", "gelu_new", "gelu", "silu");
    };
    if (!acts.contains(hiddenAct)) {
      throw new NeuroLensException("hidden_act: unsupported activation '" + hiddenAct + "' for " + modelType
          + " (supported: " + String.join(", ", new java.util.TreeSet<>(acts)) + ")");
    }
    if (family == Family.ROBERTA && maxPositions <= padTokenId + 1) {
      throw new NeuroLensException(
          "max_position_embeddings (" + maxPositions + ") must exceed pad_token_id + 1 ("
              + (padTokenId + 1) + ") for roberta");
    }
    checkSettings(family, settings, numHeads, hiddenSize / numHeads);
  }

  /** A config with the family's default settings (BERT and RoBERTa have none). */
  public ModelConfig(String modelType, int numLayers, int hiddenSize, int numHeads, int intermediateSize,
      int maxPositions, int vocabSize, int typeVocabSize, double layerNormEps, int padTokenId, String hiddenAct) {
    this(modelType, numLayers, hiddenSize, numHeads, intermediateSize, maxPositions, vocabSize, typeVocabSize,
        layerNormEps, padTokenId, hiddenAct, FamilySettings.defaults(Family.of(modelType), numHeads));
  }

  private static void checkSettings(Family family, FamilySettings settings, int heads, int headDim) {
    boolean fits = switch (family) {
      case LLAMA -> settings instanceof FamilySettings.Llama;
      case T5 -> settings instanceof FamilySettings.T5;
      default -> settings instanceof FamilySettings.None;
    };
    if (!fits) {
      throw new IllegalArgumentException(family.modelType() + " config cannot carry " + settings);
    }
    if (settings instanceof FamilySettings.Llama l) {
      if (heads % l.numKvHeads() != 0) {
        throw new NeuroLensException("num_key_value_heads (" + l.numKvHeads() + ") must divide num_attention_heads ("
            + heads + ")");
      }
      if (headDim % 2 != 0) {
        throw new NeuroLensException("hidden_size / num_attention_heads (" + headDim
            + ") must be even for rotary position embeddings");
      }
    }
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw new NeuroLensException(name + " must be > 0, found " + value);
    }
  }

  /** The architecture family of {@link #modelType()}. */
  public Family family() {
    return Family.of(modelType);
  }

  /** Width of one attention head, D / H. */
  public int headDim() {
    return hiddenSize / numHeads;
  }

  /**
   * Offset of the first real position id: 0 for BERT, padding index + 1 for RoBERTa (whose
   * position table starts with padding_idx + 1 unused rows).
   */
  public int positionOffset() {
    return modelType.equals("roberta") ? padTokenId + 1 : 0;
  }

  /** Longest sequence (specials included) the position table allows. */
  public int maxTokens() {
    return maxPositions - positionOffset();
  }
}
