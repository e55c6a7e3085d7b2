package dev.neurolens.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.neurolens.util.NeuroLensException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
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
  /**
   * Text encoded once when a tokenizer is loaded: letters, digits, accents, CJK, an emoji, a control
   * character and code punctuation, so that a vocabulary that cannot encode unknown characters
   * fails at load time rather than in the middle of an extraction.
   */
  static final String PROBE_TEXT = "int x = a[0] + 1; // h\u00e9llo \u4e2d\u6587 \ud83d\ude00 \u0007 \t\"s\" {}";

  private final HuggingFaceTokenizer tokenizer;
  private final String json;
  private final String source;
  private final int maxTokens;
  private final int vocabSize;
  private final int maxId;

  private HfTokenizer(HuggingFaceTokenizer tokenizer, String json, String source, int maxTokens, int vocabSize,
      int maxId) {
    this.tokenizer = tokenizer;
    this.json = json;
    this.source = source;
    this.maxTokens = maxTokens;
    this.vocabSize = vocabSize;
    this.maxId = maxId;
  }

  /**
   * Builds a tokenizer from the text of a tokenizer.json and checks it against the model's
   * embedding table: every id of the vocabulary and the added tokens must be an integer in
   * {@code [0, vocabSize)}, the unknown token of a WordPiece, WordLevel or BPE model must be in
   * its vocabulary (a Unigram model's {@code unk_id} in range), and {@link #PROBE_TEXT} must encode
   * to ids below {@code vocabSize}.
   *
   * @param source names the file in errors
   * @param vocabSize the model's embedding rows
   * @throws NeuroLensException one line naming {@code source}, the rule and the value found
   */
  static HfTokenizer fromJson(String json, String source, int maxTokens, int vocabSize) {
    int maxId = maxTokenId(json, source, vocabSize);
    try {
      TokenizerPatterns.check(new ObjectMapper().readTree(json), source);
    } catch (IOException e) {
      throw new NeuroLensException(source + ": not valid JSON (" + NeuroLensException.reason(e) + ")", e);
    }
    HuggingFaceTokenizer t;
    try {
      t = HuggingFaceTokenizer.newInstance(
          new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
          Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"));
    } catch (IOException | RuntimeException e) {
      throw new NeuroLensException(source + ": cannot build the tokenizer (" + NeuroLensException.reason(e) + ")", e);
    }
    HfTokenizer tok = new HfTokenizer(t, json, source, maxTokens, vocabSize, maxId);
    try {
      tok.encode(PROBE_TEXT);
    } catch (NeuroLensException e) {
      tok.close();
      throw e;
    }
    return tok;
  }

  /**
   * The largest id of the vocabulary and added tokens of a tokenizer.json, after checking every
   * id and the unknown token against an embedding table of {@code vocabSize} rows.
   */
  static int maxTokenId(String json, String source, int vocabSize) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new NeuroLensException(source + ": not valid JSON (" + NeuroLensException.reason(e) + ")");
    }
    if (root == null || !root.isObject()) {
      throw new NeuroLensException(source + ": must be a JSON object (a Hugging Face tokenizer.json)");
    }
    JsonNode model = root.path("model");
    JsonNode vocab = model.get("vocab");
    if (!model.isObject() || vocab == null || !(vocab.isObject() || vocab.isArray())) {
      throw new NeuroLensException(source + ": tokenizer.json must have a model.vocab object or array");
    }
    String range = "tokenizer ids must be integers in [0, " + vocabSize + ") (the model's vocab_size, "
        + "rows of its embedding table)";
    int max = -1;
    if (vocab.isArray()) {
      max = vocab.size() - 1; // Unigram: [piece, score] pairs, id = index
      if (max >= vocabSize) {
        throw new NeuroLensException(source + ": model.vocab has " + vocab.size() + " entries; " + range
            + ", found id " + max);
      }
    } else {
      for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        max = Math.max(max, checkedId(e.getValue(), "token " + quote(e.getKey()), source, range, vocabSize));
      }
    }
    JsonNode added = root.path("added_tokens");
    if (!added.isMissingNode() && !added.isNull() && !added.isArray()) {
      throw new NeuroLensException(source + ": added_tokens must be an array, found " + added.getNodeType());
    }
    for (JsonNode a : added) {
      max = Math.max(max, checkedId(a.get("id"), "added token " + quote(a.path("content").asText("?")), source,
          range, vocabSize));
    }
    checkUnknownToken(model, vocab, source);
    return max;
  }

  private static int checkedId(JsonNode id, String what, String source, String range, int vocabSize) {
    if (id == null || !id.isIntegralNumber() || !id.canConvertToInt() || id.asInt() < 0 || id.asInt() >= vocabSize) {
      throw new NeuroLensException(source + ": " + what + " has id " + (id == null ? "nothing" : id.toString())
          + "; " + range);
    }
    return id.asInt();
  }

  /** The unknown token must be encodable: WordPiece, WordLevel and BPE look it up in the vocabulary. */
  private static void checkUnknownToken(JsonNode model, JsonNode vocab, String source) {
    String type = model.path("type").asText("");
    switch (type) {
      case "WordPiece", "WordLevel" -> {
        String unk = model.path("unk_token").asText(type.equals("WordPiece") ? "[UNK]" : "<unk>");
        if (!vocab.has(unk)) {
          throw new NeuroLensException(source + ": model.unk_token " + quote(unk) + " is not in the " + type
              + " vocabulary; characters outside the vocabulary (an emoji, say) could not be encoded");
        }
      }
      case "BPE" -> {
        JsonNode unk = model.path("unk_token");
        if (unk.isTextual() && !vocab.has(unk.asText())) {
          throw new NeuroLensException(source + ": model.unk_token " + quote(unk.asText())
              + " is not in the BPE vocabulary");
        }
      }
      case "Unigram" -> {
        JsonNode unk = model.path("unk_id");
        if (!unk.isMissingNode() && !unk.isNull()
            && (!unk.isIntegralNumber() || !unk.canConvertToInt() || unk.asInt() < 0 || unk.asInt() >= vocab.size())) {
          throw new NeuroLensException(source + ": model.unk_id must be an index into model.vocab [0, "
              + vocab.size() + "), found " + unk);
        }
      }
      default -> {
        // other models: the probe encoding at load time checks them
      }
    }
  }

  /** {@code s} as a JSON string literal, cut to 40 characters: one printable line whatever it holds. */
  private static String quote(String s) {
    String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    return TextNode.valueOf(cut).toString();
  }

  /**
   * Encodes {@code text}; a failure of the tokenizer library, or an id outside the embedding table,
   * is a {@link NeuroLensException} naming the tokenizer file.
   */
  @Override
  public Encoding encode(String text) {
    ai.djl.huggingface.tokenizers.Encoding e;
    try {
      e = tokenizer.encode(text, true, false);
    } catch (RuntimeException ex) {
      throw new NeuroLensException(source + ": the tokenizer cannot encode " + quote(text) + " ("
          + NeuroLensException.reason(ex) + ")", ex);
    }
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
      if (ids[i] < 0 || ids[i] >= vocabSize) {
        throw new NeuroLensException(source + ": the tokenizer produced id " + ids[i] + " for " + quote(text)
            + "; ids must be in [0, " + vocabSize + ") (the model's vocab_size)");
      }
      out[i] = (int) ids[i];
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
