package dev.neurolens.model;

/**
 * Turns text into the token ids of one model, with character offsets for alignment.
 *
 * <p>Usage: {@code Encoding e = model.tokenizer().encode("return x;")}
 */
public interface ModelTokenizer {

  /**
   * Tokenizes one text with the model's special tokens; offsets are UTF-16 (Java String) char
   * indices into text; special tokens have an empty span and {@code special[i] = true}. Never
   * truncates: callers window long inputs themselves (see {@link #maxTokens()}).
   */
  Encoding encode(String text);

  /** Max positions usable for one sequence, special tokens included. */
  int maxTokens();

  /** The tokenizer.json this tokenizer was built from (used by export), if it has one. */
  default java.util.Optional<String> tokenizerJson() {
    return java.util.Optional.empty();
  }
}
