package dev.neurolens.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import dev.neurolens.model.HookName;
import dev.neurolens.model.HookName.Site;
import dev.neurolens.model.ModelConfig;
import dev.neurolens.model.graph.HookRun;
import dev.neurolens.model.graph.Ops;
import dev.neurolens.model.graph.PaddedBatch;
import java.util.function.UnaryOperator;

/**
 * The BERT computation shared by inference ({@link BertEncoder}) and training
 * ({@link TrainableBert}): embeddings and one post-layer-norm block (padding and masks come from
 * {@link PaddedBatch}). The
 * training path passes a score scale (inference folds 1/sqrt(dh) into the query weights) and a
 * dropout rate at Hugging Face's places (embeddings, attention probabilities, attention output,
 * feed-forward output).
 */
final class BertGraph {
  private BertGraph() {}

  /**
   * Word + position + type-0 embeddings, layer-normed (then dropout): (B, T) -> (B, T, D).
   * {@code word} and {@code position} give the float32 rows of their tables for an id array.
   */
  static NDArray embed(ModelConfig config, NDManager manager, PaddedBatch in, UnaryOperator<NDArray> word,
      UnaryOperator<NDArray> position, NDArray typeRow0, NDArray lnWeight, NDArray lnBias, float dropout) {
    NDArray idArr = in.idArray(manager);
    NDArray w = word.apply(idArr);
    NDArray pos;
    int t = in.t();
    if (config.positionOffset() == 0 && !in.packed()) {
      pos = position.apply(manager.arange(0, t, 1, DataType.INT64)); // (T, D), broadcast over B
    } else if (config.positionOffset() == 0) {
      pos = position.apply(manager.create(in.positions(), new Shape(in.b(), t))); // restart per input
    } else {
      // RoBERTa: real tokens count up from padding_idx + 1, padding tokens use padding_idx;
      // the count restarts at each input of a packed row.
      long[] within = in.positions();
      long[] posIds = new long[in.b() * t];
      int pad = config.padTokenId();
      for (int r = 0; r < in.b(); r++) {
        int k = 0;
        for (int j = 0; j < t; j++) {
          if (within[r * t + j] == 0) {
            k = 0;
          }
          long id = in.ids()[r * t + j];
          posIds[r * t + j] = id == pad ? pad : pad + 1 + k++;
        }
      }
      pos = position.apply(manager.create(posIds, new Shape(in.b(), t)));
    }
    NDArray sum = w.addi(pos).addi(typeRow0); // in place: embedding's backward needs only the ids
    return dropout(layerNorm(config, sum, lnWeight, lnBias), dropout);
  }

  static NDArray layerNorm(ModelConfig config, NDArray x, NDArray w, NDArray bias) {
    return LayerNorm.layerNorm(x, new Shape(config.hiddenSize()), w, bias, (float) config.layerNormEps())
        .singletonOrThrow();
  }

  static NDArray activation(ModelConfig config, NDArray x) {
    return config.hiddenAct().equals("gelu") ? Activation.gelu(x) : Activation.relu(x);
  }

  private static NDArray dropout(NDArray x, float rate) {
    return rate > 0 ? Dropout.dropout(x, rate, true).singletonOrThrow() : x;
  }

  /**
   * One encoder block: (B, T, D) -> (B, T, D); {@code mask} is null when no row is padded.
   *
   * @param scoreScale multiplies the queries, hence the scores (1 when the query weights carry 1/sqrt(dh))
   * @param dropout dropout rate (0 = none, as in inference)
   */
  static NDArray block(ModelConfig config, int i, LayerParams l, NDArray x, NDArray mask, HookRun hooks,
      float scoreScale, float dropout) {
    Shape s = x.getShape();
    long b = s.get(0);
    long t = s.get(1);
    int h = config.numHeads();
    int dh = config.headDim();
    NDArray residPre = hooks.at(HookName.of(i, Site.RESID_PRE), x);
    NDArray qkv = Linear.linear(residPre, l.qkvWeight(), l.qkvBias()).singletonOrThrow();
    // (B, T, 3D) -> (B, T, 3, H, dh) -> (3, B, H, T, dh)
    NDArray heads = qkv.reshape(b, t, 3, h, dh).transpose(2, 0, 3, 1, 4);
    NDArray q = heads.get(0);
    NDArray k = heads.get(1);
    NDArray v = heads.get(2);
    if (scoreScale != 1f) {
      q = q.mul(scoreScale); // (B, H, T, dh): a smaller pass than scaling the (B, H, T, T) scores
    }
    NDArray ctx4 = Ops.headContext(q, k, v, mask, dropout); // (B, H, T, dh), long rows a few at a time
    // (B, H, T, dh) -> (B, T, H, dh) -> (B, T, D)
    NDArray ctx = ctx4.transpose(0, 2, 1, 3).reshape(b, t, config.hiddenSize());
    NDArray attnOut = hooks.at(HookName.of(i, Site.ATTN_OUT),
        dropout(Linear.linear(ctx, l.attnOutWeight(), l.attnOutBias()).singletonOrThrow(), dropout));
    NDArray mid = hooks.at(HookName.of(i, Site.RESID_MID),
        layerNorm(config, attnOut.add(residPre), l.ln1Weight(), l.ln1Bias()));
    NDArray pre = Linear.linear(mid, l.ffnInWeight(), l.ffnInBias()).singletonOrThrow();
    pre = hooks.at(HookName.of(i, Site.MLP_PRE), activation(config, pre));
    NDArray mlpOut = hooks.at(HookName.of(i, Site.MLP_OUT),
        dropout(Linear.linear(pre, l.ffnOutWeight(), l.ffnOutBias()).singletonOrThrow(), dropout));
    return hooks.at(HookName.of(i, Site.RESID_POST),
        layerNorm(config, mlpOut.add(mid), l.ln2Weight(), l.ln2Bias()));
  }
}
