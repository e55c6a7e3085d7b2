package dev.neurolens.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurolens.util.NeuroLensException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link ModelTokenizer} over a Hugging Face {@code tokenizer.json} (the Rust tokenizers via
 * DJL), with special tokens, no truncation and no padding.
 *
 * <p>The Rust library reports spans in Unicode code points; they are converted to UTF-16 char
 * indices here so that callers can use them with {@link String#substring}.
 */
final class HfTokenizer implements ModelTokenizer, AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final String json;
  private final int maxTokens;
  private final int maxId;

  private HfTokenizer(HuggingFaceTokenizer tokenizer, String json, int maxTokens, int maxId) {
    this.tokenizer = tokenizer;
    this.json = json;
    this.maxTokens = maxTokens;
    this.maxId = maxId;
  }

  /**
   * Builds a tokenizer from the text of a tokenizer.json; {@code source} names it in errors.
   *
   * @param vocabSize the model's embedding rows: every id the tokenizer can produce must be below
   */
  static HfTokenizer fromJson(String json, String source, int maxTokens, int vocabSize) {
    int maxId = maxTokenId(json, source);
    try {
      TokenizerPatterns.check(new ObjectMapper().readTree(json), source);
    } catch (IOException e) {
      throw new NeuroLensException(source + ": not valid JSON (" + NeuroLensException.reason(e) + ")", e);
    }
    if (maxId >= vocabSize) {
      throw new NeuroLensException(
          source + ": tokenizer ids must be < the model's vocab_size (" + vocabSize
              + "), found id " + maxId);
    }
    try {
      HuggingFaceTokenizer t =
          HuggingFaceTokenizer.newInstance(
              new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
              Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"));
      return new HfTokenizer(t, json, maxTokens, maxId);
    } catch (IOException | RuntimeException e) {
      throw new NeuroLensException(source + ": cannot build the tokenizer (" + e.getMessage() + ")", e);
    }
  }

  /** The largest id of the vocabulary and added tokens of a tokenizer.json. */
  static int maxTokenId(String json, String source) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new NeuroLensException(source + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
    JsonNode vocab = root == null ? null : root.path("model").get("vocab");
    if (vocab == null) {
      throw new NeuroLensException(source + ": tokenizer.json must have model.vocab");
    }
    int max = -1;
    if (vocab.isArray()) {
      max = vocab.size() - 1;
    } else {
      for (JsonNode id : vocab) {
        max = Math.max(max, id.asInt());
      }
    }
    for (JsonNode added : root.path("added_tokens")) {
      max = Math.max(max, added.path("id").asInt());
    }
    return max;
  }

  @Override
  public Encoding encode(String text) {
    ai.djl.huggingface.tokenizers.Encoding e = tokenizer.encode(text, true, false);
    long[] ids = e.getIds();
    long[] specialMask = e.getSpecialTokenMask();
    CharSpan[] spans = e.getCharTokenSpans();
    int n = ids.length;
    int[] out = new int[n];
    int[] start = new int[n];
    int[] end = new int[n];
    boolean[] special = new boolean[n];
    CodePointIndex cpi = new CodePointIndex(text);
    for (int i = 0; i < n; i++) {
      out[i] = Math.toIntExact(ids[i]);
      special[i] = specialMask[i] != 0;
      CharSpan s = spans[i];
      if (special[i] || s == null) {
        start[i] = -1;
        end[i] = -1;
      } else {
        start[i] = cpi.toUtf16(s.getStart());
        end[i] = cpi.toUtf16(s.getEnd());
      }
    }
    return new Encoding(out, start, end, special);
  }

  @Override
  public int maxTokens() {
    return maxTokens;
  }

  @Override
  public Optional<String> tokenizerJson() {
    return Optional.of(json);
  }

  int maxId() {
    return maxId;
  }

  @Override
  public void close() {
    tokenizer.close();
  }

  /** Maps code-point indices of a string to UTF-16 indices (identity for BMP-only text). */
  private static final class CodePointIndex {
    private final String text;
    private final int[] utf16;

    CodePointIndex(String text) {
      this.text = text;
      int cps = text.codePointCount(0, text.length());
      this.utf16 = cps == text.length() ? null : new int[cps + 1];
      if (utf16 != null) {
        int cp = 0;
        for (int i = 0; i < text.length(); i = text.offsetByCodePoints(i, 1)) {
          utf16[cp++] = i;
        }
        utf16[cp] = text.length();
      }
    }

    int toUtf16(int codePoint) {
      if (utf16 == null) {
        return Math.min(codePoint, text.length());
      }
      return utf16[Math.min(codePoint, utf16.length - 1)];
    }
  }
}
