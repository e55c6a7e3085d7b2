package dev.neurolens.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The architecture families NeuroLens reads, by Hugging Face {@code model_type}.
 *
 * <p>Every family has the same hook names ({@link HookName}). Causal families (decoders) mask
 * attention to later positions, so a code token is best represented by its last piece (which has
 * seen the whole token) and a snippet by its last position.
 *
 * <p>Usage: {@code if (model.config().family().causal()) { ... }}
 */
public enum Family {
  /** BERT encoders (post-layer-norm). */
  BERT("bert", "BERT encoder", false),
  /** RoBERTa encoders (CodeBERT, GraphCodeBERT, UniXcoder): BERT with shifted position ids. */
  ROBERTA("roberta", "RoBERTa encoder", false),
  /** GPT-2 decoders (CodeGPT): learned positions, pre-layer-norm, Conv1D weights. */
  GPT2("gpt2", "GPT-2 decoder", true),
  /** Llama decoders (CodeLlama, DeepSeek-Coder): RMSNorm, rotary positions, SwiGLU, GQA. */
  LLAMA("llama", "Llama decoder", true),
  /** The encoder stack of T5 (CodeT5): relative position buckets, RMS layer norm. */
  T5("t5", "T5 encoder", false);

  private final String modelType;
  private final String label;
  private final boolean causal;

  Family(String modelType, String label, boolean causal) {
    this.modelType = modelType;
    this.label = label;
    this.causal = causal;
  }

  /** The Hugging Face {@code model_type}. */
  public String modelType() {
    return modelType;
  }

  /** A human name, e.g. {@code "GPT-2 decoder"}. */
  public String label() {
    return label;
  }

  /** Whether a position attends only to itself and earlier positions. */
  public boolean causal() {
    return causal;
  }

  /** The family of {@code modelType}, or null when NeuroLens does not read it. */
  public static Family of(String modelType) {
    for (Family f : values()) {
      if (f.modelType.equals(modelType)) {
        return f;
      }
    }
    return null;
  }

  /** {@code "bert, roberta, gpt2, llama, t5"}. */
  public static String supported() {
    return Arrays.stream(values()).map(Family::modelType).collect(Collectors.joining(", "));
  }
}
