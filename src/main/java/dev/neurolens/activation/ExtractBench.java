package dev.neurolens.activation;

import ai.djl.ndarray.NDManager;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.TokenBatch;
import dev.neurolens.model.onnx.ForwardBenchmark;
import dev.neurolens.util.ProcStatus;
import java.nio.file.Path;
import java.util.List;

/**
 * Extraction throughput against the plain forward pass on the same batches (a benchmark that
 * prints figures, never a test).
 *
 * <p>Usage: {@code ExtractBench.Figures f = ExtractBench.run(model, inputs, options, storeDir); f.ratio()}
 */
public final class ExtractBench {
  private ExtractBench() {}

  /**
   * @param codeTokens code tokens extracted
   * @param modelTokens model input tokens (pieces and specials, windows counted once each)
   * @param paddedTokens batch slots the model computed (rows x longest row, summed over batches)
   * @param forwardTokensPerS code tokens per second of plain forward passes (last hidden state
   *     copied to the heap) over the extraction's batches
   * @param extractTokensPerS code tokens per second of the whole extraction into a store
   * @param ratio extract / forward
   * @param extractModelTokensPerS model tokens per second of the whole extraction
   * @param referenceTokensPerS model tokens per second of the plain forward pass on a full
   *     16 x 128 batch of random ids ({@code bench forward}'s NeuroLens figure), measured during
   *     the extraction: timed passes after each group of snippets (after an untimed one; at least
   *     {@link #REFERENCE_PASSES} in all when there are group ends), once
   *     the group's chunk commit has landed (the median pass), so that it samples the machine's
   *     speed at the same times; the extraction's own rates leave the passes' seconds out
   * @param referenceRuns how many timed reference passes ran between groups
   * @param referenceBefore the reference rate measured before the extraction (median of 7 rounds)
   * @param referenceAfter the same, measured after it (the machine's speed drifts over a minute)
   * @param peakRssBytes peak resident set size of this process (VmHWM), or -1 if unknown
   * @param storeBytes size of the store written
   * @param firstSnippetSeconds from the start of the extraction (model loaded) to the first
   *     snippet written
   */
  public record Figures(
      long codeTokens, long modelTokens, long paddedTokens, double forwardTokensPerS,
      double extractTokensPerS, double ratio, double extractModelTokensPerS,
      double referenceTokensPerS, int referenceRuns, double referenceBefore, double referenceAfter, long peakRssBytes, long storeBytes, double firstSnippetSeconds) {

    /** Share of the computed batch slots that are padding. */
    public double paddingShare() {
      return paddedTokens == 0 ? 0 : 1.0 - (double) modelTokens / paddedTokens;
    }

    /** Extraction's model tokens/s over the reference forward rate. */
    public double referenceRatio() {
      return extractModelTokensPerS / referenceTokensPerS;
    }
  }

  /**
   * Measures the reference forward rate, runs the plain forward over the planned batches, then
   * the extraction into {@code store} with reference passes after each group, then the reference
   * again.
   */
  public static Figures run(
      EncoderModel model, List<ExtractionInput> inputs, ExtractOptions options, Path store) {
    double before = ForwardBenchmark.plainTokensPerS(model, 16, 128, 7);
    Extractor ex = new Extractor(options);
    StoreSpec spec = ex.spec(model);
    WindowRunner runner =
        new WindowRunner(model, spec.hooks(), spec.widths(), options, spec.sentencePosition(), true);
    long codeTokens = inputs.stream().mapToLong(i -> i.tokens().size()).sum();
    long modelTokens = 0;
    long paddedTokens = 0;
    int groups = 0;
    long t0 = System.nanoTime();
    try (NDManager root = NDManager.newBaseManager()) {
      for (int start = 0; start < inputs.size(); groups++) {
        int end = Extractor.groupEnd(inputs, start, options);
        WindowRunner.Plan plan = runner.plan(inputs.subList(start, end));
        for (int[][] batch : plan.batches) {
          try (NDManager m = root.newSubManager()) {
            var b = plan.batch(batch);
            modelTokens += b.tokenCount();
            paddedTokens += (long) b.size() * b.maxLength();
            model.forward(m, b).toFloatArray();
          }
        }
        start = end;
      }
    }
    double forwardSeconds = (System.nanoTime() - t0) / 1e9;
    // at least REFERENCE_PASSES timed passes, spread over the group ends
    int perEnd = groups < 2 ? 1 : (REFERENCE_PASSES + groups - 2) / (groups - 1);
    Reference during = new Reference(model, perEnd);
    ExtractionResult r;
    try {
      r = ex.extract(model, inputs, store, StoreWriter.Mode.OVERWRITE, during::pass);
    } finally {
      during.close();
    }
    double after = ForwardBenchmark.plainTokensPerS(model, 16, 128, 7);
    double extractSeconds = r.seconds() - during.seconds();
    double forward = codeTokens / forwardSeconds;
    double extract = codeTokens / extractSeconds;
    double reference = during.runs() == 0 ? (before + after) / 2 : during.medianRate();
    return new Figures(codeTokens, modelTokens, paddedTokens, forward, extract, extract / forward,
        modelTokens / extractSeconds, reference, during.runs(), before, after, ProcStatus.bytes("VmHWM:"),
        r.bytes(), r.firstSnippetSeconds());
  }

  /** Timed reference passes wanted during an extraction (when it has group ends at all). */
  static final int REFERENCE_PASSES = 8;

  /** Plain 16 x 128 forward passes at each call, timed. */
  private static final class Reference implements AutoCloseable {
    private final EncoderModel model;
    private final TokenBatch batch;
    private final NDManager root = NDManager.newBaseManager();
    private final java.util.List<Double> passSeconds = new java.util.ArrayList<>();
    private double spentSeconds; // both passes of every call: left out of the extraction's time

    private final int timed;

    Reference(EncoderModel model, int timed) {
      this.model = model;
      this.timed = timed;
      this.batch = ForwardBenchmark.randomBatch(model, 16, 128, 1);
    }

    /**
     * An untimed pass, then the timed ones: the first pass after a group wakes the thread pool
     * that sat idle while the group's streams ran on one thread each, and ran 2–4% slower than
     * the next (the extraction itself never pays that switch).
     */
    void pass() {
      long t0 = System.nanoTime();
      for (int i = 0; i <= timed; i++) {
        long t1 = System.nanoTime();
        try (NDManager m = root.newSubManager()) {
          model.forward(m, batch).toFloatArray();
        }
        if (i > 0) {
          passSeconds.add((System.nanoTime() - t1) / 1e9);
        }
      }
      spentSeconds += (System.nanoTime() - t0) / 1e9;
    }

    int runs() {
      return passSeconds.size();
    }

    /** Seconds spent in {@link #pass}, untimed passes included. */
    double seconds() {
      return spentSeconds;
    }

    /** Tokens per second of the median pass. */
    double medianRate() {
      return batch.tokenCount() / ForwardBenchmark.median(passSeconds.stream().mapToDouble(Double::doubleValue).toArray());
    }

    @Override
    public void close() {
      root.close();
    }
  }
}
