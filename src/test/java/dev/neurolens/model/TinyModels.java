package dev.neurolens.model;

import dev.neurolens.model.bert.BertCheckpoint;
import dev.neurolens.model.bert.BertEncoder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Tiny BERT encoders with seeded random weights, for fast tests of everything built on
 * {@link EncoderModel}.
 *
 * <p>The tokenizer is a real Hugging Face WordPiece tokenizer.json built in code (lower-casing;
 * specials {@code [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4}; letters, digits, ASCII punctuation,
 * some code keywords, {@code ##}-continuations), so offsets, specials and padding behave as with
 * a real model; vocab_size equals its vocabulary size (about 130). Weights: matrices N(0, 0.2²),
 * embeddings N(0, 0.5²), layer-norm gains 1 + N(0, 0.1²), biases N(0, 0.1²), plus a masked-LM
 * head tied to the word embeddings. The same seed gives the same weights.
 */
public final class TinyModels {
  /** Layers, hidden, heads, FFN width and positions of {@link #random(long)}. */
  public static final int LAYERS = 2;
  public static final int HIDDEN = 32;
  public static final int HEADS = 4;
  public static final int INTERMEDIATE = 64;
  public static final int MAX_POSITIONS = 128;

  private TinyModels() {}

  /** A 2-layer, hidden-32, 4-head, FFN-64 BERT with up to 128 positions. */
  public static EncoderModel random(long seed) {
    return random(seed, LAYERS, HIDDEN, HEADS, INTERMEDIATE);
  }

  /** A tiny BERT of the given shape (128 positions, GELU, eps 1e-12). */
  public static EncoderModel random(long seed, int layers, int hidden, int heads, int intermediate) {
    ModelConfig c = config(layers, hidden, heads, intermediate);
    HfTokenizer tok = HfTokenizer.fromJson(TinyVocab.json(), "tiny tokenizer", c.maxTokens(), c.vocabSize());
    return BertEncoder.create(c, "tiny-random-bert(seed=" + seed + ")", tok, randomWeights(c, seed), "tiny model");
  }

  /** A tiny BERT of config {@code c} (from {@link #config}) with the given canonical weights. */
  public static EncoderModel of(ModelConfig c, Map<String, FloatTensor> weights, String id) {
    HfTokenizer tok = HfTokenizer.fromJson(TinyVocab.json(), "tiny tokenizer", c.maxTokens(), c.vocabSize());
    return BertEncoder.create(c, id, tok, weights, "tiny model");
  }

  /** The config of a tiny BERT over {@link TinyVocab}. */
  public static ModelConfig config(int layers, int hidden, int heads, int intermediate) {
    return new ModelConfig("bert", layers, hidden, heads, intermediate, MAX_POSITIONS,
        TinyVocab.tokens().size(), 2, 1e-12, 0, "gelu");
  }

  /** Seeded random canonical weights (with a tied masked-LM head) for {@code c}. */
  public static Map<String, FloatTensor> randomWeights(ModelConfig c, long seed) {
    Random r = new Random(seed);
    int d = c.hiddenSize();
    int m = c.intermediateSize();
    Map<String, FloatTensor> w = new LinkedHashMap<>();
    w.put(BertCheckpoint.WORD, normal(r, 0f, 0.5f, c.vocabSize(), d));
    w.put(BertCheckpoint.POSITION, normal(r, 0f, 0.5f, c.maxPositions(), d));
    w.put(BertCheckpoint.TOKEN_TYPE, normal(r, 0f, 0.5f, c.typeVocabSize(), d));
    norm(w, r, BertCheckpoint.EMB_LN, d);
    for (int i = 0; i < c.numLayers(); i++) {
      for (String lin : new String[] {"attention.self.query", "attention.self.key", "attention.self.value",
          "attention.output.dense", "intermediate.dense", "output.dense"}) {
        int out = lin.equals("intermediate.dense") ? m : d;
        int in = lin.equals("output.dense") ? m : d;
        w.put(BertCheckpoint.block(i, lin + ".weight"), normal(r, 0f, 0.2f, out, in));
        w.put(BertCheckpoint.block(i, lin + ".bias"), normal(r, 0f, 0.1f, out));
      }
      norm(w, r, BertCheckpoint.block(i, "attention.output.LayerNorm."), d);
      norm(w, r, BertCheckpoint.block(i, "output.LayerNorm."), d);
    }
    w.put(BertCheckpoint.HEAD_DENSE + "weight", normal(r, 0f, 0.2f, d, d));
    w.put(BertCheckpoint.HEAD_DENSE + "bias", normal(r, 0f, 0.1f, d));
    norm(w, r, BertCheckpoint.HEAD_LN, d);
    w.put(BertCheckpoint.HEAD_BIAS, normal(r, 0f, 0.1f, c.vocabSize()));
    return w;
  }

  private static void norm(Map<String, FloatTensor> w, Random r, String prefix, int d) {
    w.put(prefix + "weight", normal(r, 1f, 0.1f, d));
    w.put(prefix + "bias", normal(r, 0f, 0.1f, d));
  }

  private static FloatTensor normal(Random r, float mean, float std, int... shape) {
    int n = 1;
    long[] s = new long[shape.length];
    for (int i = 0; i < shape.length; i++) {
      n *= shape[i];
      s[i] = shape[i];
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = mean + std * (float) r.nextGaussian();
    }
    return new FloatTensor(s, v);
  }
}
