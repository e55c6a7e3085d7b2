package dev.neurolens.model.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.HookName;
import dev.neurolens.model.TokenBatch;
import dev.neurolens.model.Torch;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Forward-pass throughput of NeuroLens against ONNX Runtime on the same shapes and threads:
 * full (unpadded) batches of seeded random token ids, two warm-up runs per engine, then
 * interleaved timed rounds in rotating order; tokens/s = B x T / median seconds per run. Without an
 * ONNX graph (a Hugging Face directory of any family) only NeuroLens is timed and the ONNX Runtime
 * figures are NaN.
 *
 * <p>Usage: {@code ForwardBenchmark.Result r = ForwardBenchmark.run(model, Models.bundledOnnx(),
 * new ForwardBenchmark.Options(8, 128, 2, 5, 7)); r.ratio()}
 */
public final class ForwardBenchmark {
  private ForwardBenchmark() {}

  /**
   * Benchmark settings.
   *
   * @param batch B
   * @param seq T (special tokens included)
   * @param threads intra-op threads for both engines
   * @param iterations timed rounds (each runs every engine once)
   * @param seed seed of the random token ids
   */
  public record Options(int batch, int seq, int threads, int iterations, long seed) {
    public Options {
      if (batch < 1 || seq < 2 || threads < 1 || iterations < 1) {
        throw new NeuroLensException("bench forward: --batch >= 1, --seq >= 2, --threads >= 1, --iterations >= 1; found "
            + batch + ", " + seq + ", " + threads + ", " + iterations);
      }
    }
  }

  /**
   * Measured throughput.
   *
   * @param neurolensTokensPerS plain forward
   * @param onnxRuntimeTokensPerS ONNX Runtime on the same inputs
   * @param ratio NeuroLens / ONNX Runtime
   * @param captureTokensPerS NeuroLens forward capturing embed.out and every resid_post
   * @param captureRatio capture / ONNX Runtime
   */
  public record Result(
      Options options,
      double neurolensTokensPerS,
      double onnxRuntimeTokensPerS,
      double ratio,
      double captureTokensPerS,
      double captureRatio,
      int capturedHooks) {}

  /** Times {@code model}, and ONNX Runtime on {@code onnx} when it is not null. */
  public static Result run(EncoderModel model, byte[] onnx, Options o) {
    if (o.seq() > model.tokenizer().maxTokens()) {
      throw new NeuroLensException("--seq must be <= the model's max positions (" + model.tokenizer().maxTokens()
          + "), found " + o.seq());
    }
    Torch.setThreads(o.threads());
    TokenBatch batch = randomBatch(model, o.batch(), o.seq(), o.seed());
    List<int[]> rows = batch.ids();
    Set<HookName> layers = new HashSet<>();
    layers.add(HookName.embedOut());
    for (int i = 0; i < model.config().numLayers(); i++) {
      layers.add(HookName.residPost(i));
    }
    double ours;
    double capture;
    double ort;
    try (OrtReference ref = onnx == null ? null : OrtReference.create(onnx, o.threads(), model.config().padTokenId());
        NDManager root = NDManager.newBaseManager()) {
      Runnable plain = () -> {
        try (NDManager m = root.newSubManager()) {
          NDArray h = model.forward(m, batch);
          h.toFloatArray();
        }
      };
      Runnable cap = () -> {
        try (NDManager m = root.newSubManager()) {
          Map<HookName, NDArray> c = model.runWithCache(m, batch, layers);
          if (c.size() != layers.size()) {
            throw new IllegalStateException("captured " + c.size() + " of " + layers.size());
          }
        }
      };
      Runnable onnxRun = ref == null ? () -> { } : () -> ref.lastHidden(rows);
      List<Runnable> engines = List.of(onnxRun, plain, cap);
      for (Runnable e : engines) {
        e.run();
        e.run();
      }
      // Interleaved rounds, median per engine: robust to other load on a shared machine. The order
      // rotates each round so that no engine always runs right after another one (ONNX Runtime's
      // worker threads spin for a while after a run and slow whatever follows).
      double[][] secs = new double[3][o.iterations()];
      for (int i = 0; i < o.iterations(); i++) {
        for (int j = 0; j < 3; j++) {
          int k = (i + j) % 3;
          long t0 = System.nanoTime();
          engines.get(k).run();
          secs[k][i] = (System.nanoTime() - t0) / 1e9;
        }
      }
      double perRun = (double) o.batch() * o.seq();
      ort = ref == null ? Double.NaN : perRun / median(secs[0]);
      ours = perRun / median(secs[1]);
      capture = perRun / median(secs[2]);
    }
    return new Result(o, ours, ort, ours / ort, capture, capture / ort, layers.size());
  }

  /**
   * A full (unpadded) batch of seeded random token ids above 1000 (no special tokens; a vocabulary
   * of 2,000 or fewer ids: any id).
   */
  public static TokenBatch randomBatch(EncoderModel model, int batch, int seq, long seed) {
    Random r = new Random(seed);
    List<int[]> rows = new ArrayList<>();
    for (int b = 0; b < batch; b++) {
      int[] row = new int[seq];
      for (int j = 0; j < row.length; j++) {
        int lo = model.config().vocabSize() > 2000 ? 1000 : 0;
        row[j] = lo + r.nextInt(model.config().vocabSize() - lo);
      }
      rows.add(row);
    }
    return new TokenBatch(rows);
  }

  /**
   * Model tokens/s of the plain NeuroLens forward pass on a full batch of {@code batch} x
   * {@code seq} random ids: two warm-up runs, then the median of {@code rounds} timed runs (the
   * NeuroLens figure of this benchmark, without ONNX Runtime).
   */
  public static double plainTokensPerS(EncoderModel model, int batch, int seq, int rounds) {
    TokenBatch b = randomBatch(model, batch, seq, 1);
    double[] secs = new double[rounds];
    try (NDManager root = NDManager.newBaseManager()) {
      for (int i = -2; i < rounds; i++) {
        long t0 = System.nanoTime();
        try (NDManager m = root.newSubManager()) {
          model.forward(m, b).toFloatArray();
        }
        if (i >= 0) {
          secs[i] = (System.nanoTime() - t0) / 1e9;
        }
      }
    }
    return (double) batch * seq / median(secs);
  }

  /** The median of {@code v} (the mean of the middle two for an even count); v is not changed. */
  public static double median(double[] v) {
    double[] s = v.clone();
    java.util.Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
