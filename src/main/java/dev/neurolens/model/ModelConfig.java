package dev.neurolens.model;

import dev.neurolens.util.NeuroLensException;
import java.util.Objects;

/**
 * The architecture settings of an encoder, with Hugging Face {@code config.json} meanings.
 *
 * <p>Usage: {@code ModelConfig c = model.config(); int width = c.hiddenSize() * (c.numLayers() + 1)}
 *
 * @param modelType {@code bert} or {@code roberta} (RoBERTa: position ids start after the padding
 *     index)
 * @param numLayers number of encoder blocks L
 * @param hiddenSize width of the residual stream D
 * @param numHeads attention heads H; must divide D
 * @param intermediateSize feed-forward width M
 * @param maxPositions rows of the position-embedding table
 * @param vocabSize rows of the word-embedding table
 * @param typeVocabSize rows of the token-type table
 * @param layerNormEps layer-norm epsilon
 * @param padTokenId id used for padding (and RoBERTa's padding index)
 * @param hiddenAct feed-forward activation: {@code gelu} (exact erf form) or {@code relu}
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
    String hiddenAct) {

  public ModelConfig {
    Objects.requireNonNull(modelType, "modelType");
    Objects.requireNonNull(hiddenAct, "hiddenAct");
    if (!modelType.equals("bert") && !modelType.equals("roberta")) {
      throw new NeuroLensException(
          "model_type: unknown model type '" + modelType + "' (supported: bert, roberta)");
    }
    positive("num_hidden_layers", numLayers);
    positive("hidden_size", hiddenSize);
    positive("num_attention_heads", numHeads);
    positive("intermediate_size", intermediateSize);
    positive("max_position_embeddings", maxPositions);
    positive("vocab_size", vocabSize);
    positive("type_vocab_size", typeVocabSize);
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
    if (!hiddenAct.equals("gelu") && !hiddenAct.equals("relu")) {
      throw new NeuroLensException(
          "hidden_act: unsupported activation '" + hiddenAct + "' (supported: gelu, relu)");
    }
    if (modelType.equals("roberta") && maxPositions <= padTokenId + 1) {
      throw new NeuroLensException(
          "max_position_embeddings (" + maxPositions + ") must exceed pad_token_id + 1 ("
              + (padTokenId + 1) + ") for roberta");
    }
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw new NeuroLensException(name + " must be > 0, found " + value);
    }
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
