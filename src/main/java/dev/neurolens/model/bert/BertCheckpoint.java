package dev.neurolens.model.bert;

import dev.neurolens.model.FloatTensor;
import dev.neurolens.model.ModelConfig;
import dev.neurolens.model.Weight;
import dev.neurolens.model.graph.WeightCheck;
import dev.neurolens.util.NeuroLensException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The BERT/RoBERTa family's weight names: maps checkpoint names (with or without the
 * {@code bert.}/{@code roberta.} prefix, legacy {@code gamma}/{@code beta}, RoBERTa's
 * {@code lm_head}) to one canonical set, checks names and shapes against the config, and maps
 * back for export. Checkpoint tensor names appear only here and in the importers.
 *
 * <p>Canonical names are Hugging Face's {@code BertForMaskedLM} names without the {@code bert.}
 * prefix: {@code embeddings.word_embeddings.weight}, {@code encoder.layer.{i}.attention.self.query.weight},
 * ..., {@code cls.predictions.transform.dense.weight}, {@code cls.predictions.bias}.
 *
 * <p>Usage: {@code Map<String, FloatTensor> w = BertCheckpoint.canonicalize(Safetensors.read(file), file.toString())}
 */
public final class BertCheckpoint {
  public static final String WORD = "embeddings.word_embeddings.weight";
  public static final String POSITION = "embeddings.position_embeddings.weight";
  public static final String TOKEN_TYPE = "embeddings.token_type_embeddings.weight";
  public static final String EMB_LN = "embeddings.LayerNorm.";
  public static final String HEAD_DENSE = "cls.predictions.transform.dense.";
  public static final String HEAD_LN = "cls.predictions.transform.LayerNorm.";
  public static final String HEAD_BIAS = "cls.predictions.bias";
  public static final String HEAD_DECODER = "cls.predictions.decoder.weight";

  /** The per-block linear layers, canonical suffix after {@code encoder.layer.{i}.}. */
  static final String[] BLOCK_LINEARS = {
    "attention.self.query", "attention.self.key", "attention.self.value",
    "attention.output.dense", "intermediate.dense", "output.dense"
  };

  static final String[] BLOCK_NORMS = {"attention.output.LayerNorm", "output.LayerNorm"};

  /** Largest number of encoder blocks accepted (real encoders have at most a few dozen). */
  public static final int MAX_LAYERS = WeightCheck.MAX_LAYERS;

  static final String LAYER_PREFIX = "encoder.layer.";

  private BertCheckpoint() {}

  /** {@code encoder.layer.{i}.{rest}}. */
  public static String block(int i, String rest) {
    return "encoder.layer." + i + "." + rest;
  }

  /** The canonical name of a checkpoint tensor, or null when NeuroLens does not use it. */
  public static String canonicalName(String name) {
    String n = name;
    if (n.startsWith("bert.")) {
      n = n.substring(5);
    } else if (n.startsWith("roberta.")) {
      n = n.substring(8);
    }
    if (n.endsWith("LayerNorm.gamma")) {
      n = n.substring(0, n.length() - 5) + "weight";
    } else if (n.endsWith("LayerNorm.beta")) {
      n = n.substring(0, n.length() - 4) + "bias";
    }
    if (n.startsWith("lm_head.")) {
      String rest = n.substring(8);
      return switch (rest) {
        case "dense.weight", "dense.bias" -> HEAD_DENSE + rest.substring(6);
        case "layer_norm.weight", "layer_norm.bias" -> HEAD_LN + rest.substring(11);
        case "bias" -> HEAD_BIAS;
        case "decoder.weight" -> HEAD_DECODER;
        default -> null;
      };
    }
    if (n.equals("embeddings.position_ids") || n.equals("cls.predictions.decoder.bias")) {
      return null;
    }
    if (n.startsWith("embeddings.") || n.startsWith("encoder.layer.") || n.startsWith("cls.predictions.")) {
      return n;
    }
    return null;
  }

  /** Renames checkpoint tensors to canonical names, dropping the unused ones. */
  public static <W extends Weight> Map<String, W> canonicalize(Map<String, W> raw, String source) {
    return WeightCheck.canonicalize(raw, BertCheckpoint::canonicalName, source);
  }

  /** The shape every canonical tensor must have under {@code c} (the head's only if present). */
  static Map<String, long[]> expectedShapes(ModelConfig c, boolean withHead) {
    long d = c.hiddenSize();
    long m = c.intermediateSize();
    Map<String, long[]> s = new LinkedHashMap<>();
    s.put(WORD, new long[] {c.vocabSize(), d});
    s.put(POSITION, new long[] {c.maxPositions(), d});
    s.put(TOKEN_TYPE, new long[] {c.typeVocabSize(), d});
    s.put(EMB_LN + "weight", new long[] {d});
    s.put(EMB_LN + "bias", new long[] {d});
    for (int i = 0; i < c.numLayers(); i++) {
      for (String lin : BLOCK_LINEARS) {
        long out = lin.equals("intermediate.dense") ? m : d;
        long in = lin.equals("output.dense") ? m : d;
        s.put(block(i, lin + ".weight"), new long[] {out, in});
        s.put(block(i, lin + ".bias"), new long[] {out});
      }
      for (String ln : BLOCK_NORMS) {
        s.put(block(i, ln + ".weight"), new long[] {d});
        s.put(block(i, ln + ".bias"), new long[] {d});
      }
    }
    if (withHead) {
      s.put(HEAD_DENSE + "weight", new long[] {d, d});
      s.put(HEAD_DENSE + "bias", new long[] {d});
      s.put(HEAD_LN + "weight", new long[] {d});
      s.put(HEAD_LN + "bias", new long[] {d});
      s.put(HEAD_BIAS, new long[] {c.vocabSize()});
    }
    return s;
  }

  /** Whether the canonical weights carry a masked-LM head. */
  static boolean hasHead(Map<String, ?> canonical) {
    return canonical.containsKey(HEAD_DENSE + "weight");
  }

  /**
   * The number of encoder blocks in canonical weights: the distinct {@code i} of
   * {@code encoder.layer.{i}.*}, which must run 0..L-1 without a gap.
   *
   * @throws NeuroLensException naming the tensor when a block index is not a plain integer below
   *     {@link #MAX_LAYERS}, and the first missing block when there is a gap
   */
  public static int layerCount(Map<String, ?> canonical, String source) {
    return WeightCheck.layerCount(canonical, LAYER_PREFIX, source);
  }

  /**
   * Checks that the weights hold as many encoder blocks as the config says (before anything is
   * sized by the config's layer count), then that every tensor the config needs is present with
   * the right shape.
   */
  public static void validate(Map<String, ? extends Weight> canonical, ModelConfig c, String source) {
    int layers = layerCount(canonical, source);
    if (layers != c.numLayers()) {
      throw new NeuroLensException(source + ": the weights hold " + layers + " encoder layers"
          + (layers == 0 ? "" : " (encoder.layer.0 .. encoder.layer." + (layers - 1) + ")")
          + " but the config says num_hidden_layers = " + c.numLayers()
          + "; the config and the weights disagree");
    }
    boolean head = hasHead(canonical);
    WeightCheck.requireShapes(canonical, expectedShapes(c, head),
        "model_type " + c.modelType() + ", " + c.numLayers() + " layers", source);
    Weight dec = canonical.get(HEAD_DECODER);
    if (head && dec != null && !Arrays.equals(dec.shape(), new long[] {c.vocabSize(), c.hiddenSize()})) {
      throw new NeuroLensException(source + ": tensor '" + HEAD_DECODER + "' must have shape ["
          + c.vocabSize() + ", " + c.hiddenSize() + "], found " + Arrays.toString(dec.shape()));
    }
  }

  /**
   * Hugging Face checkpoint names for export: {@code bert.}/{@code roberta.} prefixed encoder
   * tensors plus the head as {@code cls.predictions.*} (BERT) or {@code lm_head.*} (RoBERTa).
   */
  public static Map<String, FloatTensor> toCheckpoint(Map<String, FloatTensor> canonical, ModelConfig c) {
    String prefix = c.modelType() + ".";
    boolean roberta = c.modelType().equals("roberta");
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, FloatTensor> e : canonical.entrySet()) {
      String n = e.getKey();
      String name;
      if (!n.startsWith("cls.")) {
        name = prefix + n;
      } else if (!roberta) {
        name = n;
      } else if (n.startsWith(HEAD_DENSE)) {
        name = "lm_head.dense." + n.substring(HEAD_DENSE.length());
      } else if (n.startsWith(HEAD_LN)) {
        name = "lm_head.layer_norm." + n.substring(HEAD_LN.length());
      } else if (n.equals(HEAD_BIAS)) {
        name = "lm_head.bias";
      } else {
        name = "lm_head.decoder.weight";
      }
      out.put(name, e.getValue());
    }
    return out;
  }
}
