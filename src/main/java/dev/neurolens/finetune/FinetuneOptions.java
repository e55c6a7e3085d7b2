package dev.neurolens.finetune;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.neurolens.util.NeuroLensException;

/**
 * Settings of one fine-tuning run (what {@code neurolens finetune} exposes as options).
 *
 * <p>Usage: {@code FinetuneOptions o = FinetuneOptions.defaults().withFreeze(8).withEpochs(1)}
 *
 * @param freeze {@code -1} = full fine-tuning ("none"), K = embeddings and blocks 0..K-1 frozen
 * @param epochs maximum epochs (early stopping may end sooner)
 * @param lr peak learning rate of the encoder
 * @param headLr peak learning rate of the task head
 * @param weightDecay decoupled weight decay of matrices
 * @param warmup share of the steps with a linear warmup; then linear decay to 0
 * @param maxGradNorm global gradient-norm clip (0 = none)
 * @param batchSize most examples per batch
 * @param batchTokens most padded tokens per batch (rows x longest row, both sides of a pair)
 * @param maxLength code tokens kept per sequence (special tokens included)
 * @param maxQueryLength query tokens kept (code search)
 * @param dropout dropout rate in training
 * @param pooling "cls", "mean", or "auto" (cls for the bundled BGE model, which was trained
 *     with it; mean otherwise)
 * @param temperature InfoNCE temperature (cosine / temperature)
 * @param patience epochs without a better dev score before stopping
 * @param seed seeds the split, shuffles, dropout and head initialisation
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record FinetuneOptions(int freeze, int epochs, float lr, float headLr, float weightDecay, float warmup,
    float maxGradNorm, int batchSize, int batchTokens, int maxLength, int maxQueryLength, float dropout,
    String pooling, float temperature, int patience, long seed) {

  public FinetuneOptions {
    check(freeze >= -1, "--freeze", "'none' or K >= 0", freeze);
    check(epochs >= 1, "--epochs", ">= 1", epochs);
    check(lr > 0 && lr < 1, "--lr", "in (0, 1)", lr);
    check(headLr > 0 && headLr < 1, "--head-lr", "in (0, 1)", headLr);
    check(weightDecay >= 0 && weightDecay < 1, "--weight-decay", "in [0, 1)", weightDecay);
    check(warmup >= 0 && warmup < 1, "--warmup", "in [0, 1)", warmup);
    check(maxGradNorm >= 0, "--max-grad-norm", ">= 0", maxGradNorm);
    check(batchSize >= 2, "--batch-size", ">= 2", batchSize);
    check(maxLength >= 4, "--max-length", ">= 4", maxLength);
    check(maxQueryLength >= 4, "--max-query-length", ">= 4", maxQueryLength);
    check(batchTokens >= 2 * maxLength, "--batch-tokens", ">= 2 x --max-length (" + 2 * maxLength + ")", batchTokens);
    check(dropout >= 0 && dropout < 1, "--dropout", "in [0, 1)", dropout);
    check(pooling.equals("cls") || pooling.equals("mean") || pooling.equals("auto"), "--pooling", "cls, mean or auto", pooling);
    check(temperature > 0, "--temperature", "> 0", temperature);
    check(patience >= 1, "--patience", ">= 1", patience);
  }

  private static void check(boolean ok, String option, String rule, Object found) {
    if (!ok) {
      throw new NeuroLensException(option + ": must be " + rule + ", found " + found);
    }
  }

  /**
   * Full fine-tuning, 3 epochs, lr 2e-5 (head 1e-3), weight decay 0.01, 10% warmup, clip 1.0,
   * 32 examples or 8,192 padded tokens per batch, 256 code / 64 query tokens, dropout 0.1,
   * auto pooling, temperature 0.05, patience 2, seed 42.
   */
  public static FinetuneOptions defaults() {
    return new FinetuneOptions(-1, 3, 2e-5f, 1e-3f, 0.01f, 0.1f, 1f, 32, 8192, 256, 64, 0.1f, "auto", 0.05f, 2, 42);
  }

  public FinetuneOptions withFreeze(int k) {
    return new FinetuneOptions(k, epochs, lr, headLr, weightDecay, warmup, maxGradNorm, batchSize, batchTokens, maxLength,
        maxQueryLength, dropout, pooling, temperature, patience, seed);
  }

  public FinetuneOptions withEpochs(int n) {
    return new FinetuneOptions(freeze, n, lr, headLr, weightDecay, warmup, maxGradNorm, batchSize, batchTokens, maxLength,
        maxQueryLength, dropout, pooling, temperature, patience, seed);
  }

  public FinetuneOptions withSeed(long s) {
    return new FinetuneOptions(freeze, epochs, lr, headLr, weightDecay, warmup, maxGradNorm, batchSize, batchTokens, maxLength,
        maxQueryLength, dropout, pooling, temperature, patience, s);
  }

  public FinetuneOptions withLearningRates(float encoder, float head) {
    return new FinetuneOptions(freeze, epochs, encoder, head, weightDecay, warmup, maxGradNorm, batchSize, batchTokens,
        maxLength, maxQueryLength, dropout, pooling, temperature, patience, seed);
  }

  public FinetuneOptions withBatch(int size, int tokens) {
    return new FinetuneOptions(freeze, epochs, lr, headLr, weightDecay, warmup, maxGradNorm, size, tokens, maxLength,
        maxQueryLength, dropout, pooling, temperature, patience, seed);
  }

  public FinetuneOptions withDropout(float p) {
    return new FinetuneOptions(freeze, epochs, lr, headLr, weightDecay, warmup, maxGradNorm, batchSize, batchTokens,
        maxLength, maxQueryLength, p, pooling, temperature, patience, seed);
  }

  public FinetuneOptions withPatience(int p) {
    return new FinetuneOptions(freeze, epochs, lr, headLr, weightDecay, warmup, maxGradNorm, batchSize, batchTokens,
        maxLength, maxQueryLength, dropout, pooling, temperature, p, seed);
  }

  public FinetuneOptions withLengths(int code, int query) {
    return new FinetuneOptions(freeze, epochs, lr, headLr, weightDecay, warmup, maxGradNorm, batchSize, batchTokens,
        code, query, dropout, pooling, temperature, patience, seed);
  }

  public FinetuneOptions withPooling(String p) {
    return new FinetuneOptions(freeze, epochs, lr, headLr, weightDecay, warmup, maxGradNorm, batchSize, batchTokens,
        maxLength, maxQueryLength, dropout, p, temperature, patience, seed);
  }
}
