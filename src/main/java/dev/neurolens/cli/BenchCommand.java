package dev.neurolens.cli;

import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.GemmPath;
import dev.neurolens.model.graph.FusedAttention;
import dev.neurolens.model.Models;
import dev.neurolens.model.onnx.ForwardBenchmark;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code neurolens bench forward}: throughput figures (a benchmark, never a test). */
@Command(name = "bench", description = "Benchmarks that print figures.", subcommands = {BenchCommand.Forward.class, BenchExtractCommand.class, BenchProbeCommand.class, BenchRedundancyCommand.class, BenchAnalyzeCommand.class, BenchTrainCommand.class})
final class BenchCommand {

  @Command(name = "forward", description = "NeuroLens forward tokens/s vs ONNX Runtime on the same shapes and threads.")
  static final class Forward implements Callable<Integer> {
    @Mixin OutputOptions out;
    @Mixin WeightsDtypeOption weights = new WeightsDtypeOption();

    @Option(names = "--model", defaultValue = "default", description = "'default', an .onnx file, or a Hugging Face "
        + "directory of any family (then NeuroLens alone is timed).")
    String model;

    @Option(names = "--batch", defaultValue = "16", description = "Batch size B.")
    int batch;

    @Option(names = "--seq", defaultValue = "128", description = "Sequence length T.")
    int seq;

    @Option(names = "--threads", defaultValue = "2", description = "Threads for both engines.")
    int threads;

    @Option(names = "--iterations", defaultValue = "15", description = "Timed rounds (median reported).")
    int iterations;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random token ids.")
    long seed;

    @Override
    public Integer call() throws Exception {
      byte[] onnx;
      if (model.equals(Models.DEFAULT)) {
        onnx = Models.bundledOnnx();
      } else if (model.endsWith(".onnx") && Files.isRegularFile(Path.of(model))) {
        onnx = Files.readAllBytes(Path.of(model));
      } else if (Files.isDirectory(Path.of(model))) {
        onnx = null; // no ONNX graph: NeuroLens alone
      } else {
        throw new NeuroLensException("--model " + model + ": must be 'default', an .onnx file or a model directory");
      }
      ForwardBenchmark.Options o = new ForwardBenchmark.Options(batch, seq, threads, iterations, seed);
      try (EncoderModel m = weights.load(model)) {
        GemmPath gemm = GemmPath.detect();
        out.info("benchmarking " + m.id() + ": batch " + batch + " x seq " + seq + ", " + threads + " threads...");
        out.info(gemm.summary());
        out.info(FusedAttention.summary());
        ForwardBenchmark.Result r = ForwardBenchmark.run(m, onnx, o);
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", m.id());
        j.put("batch", batch);
        j.put("seq", seq);
        j.put("threads", threads);
        j.put("iterations", iterations);
        j.put("neurolens_tokens_per_s", r.neurolensTokensPerS());
        j.put("capture_layers", r.capturedHooks());
        j.put("neurolens_capture_tokens_per_s", r.captureTokensPerS());
        if (onnx != null) {
          j.put("onnxruntime_tokens_per_s", r.onnxRuntimeTokensPerS());
          j.put("ratio", r.ratio());
          j.put("capture_ratio", r.captureRatio());
        }
        j.put("gemm", gemm.toJson());
        j.put("attention_fused", FusedAttention.active());
        j.put("family", m.config().family().label());
        j.put("weights_dtype", weights.dtype().toString());
        j.put("stored_dtype", m.weightMemory().storedDtypes());
        j.put("resident_weight_bytes", m.weightMemory().residentBytes());
        if (onnx == null) {
          out.emit(j, String.format("%s: NeuroLens %.0f tokens/s; capturing %d layer outputs: %.0f tokens/s",
              m.config().family().label(), r.neurolensTokensPerS(), r.capturedHooks(), r.captureTokensPerS()));
          return 0;
        }
        out.emit(j, String.format(
            "NeuroLens %.0f tokens/s, ONNX Runtime %.0f tokens/s, ratio %.2f; capturing %d layer outputs: %.0f tokens/s (ratio %.2f)",
            r.neurolensTokensPerS(), r.onnxRuntimeTokensPerS(), r.ratio(), r.capturedHooks(), r.captureTokensPerS(),
            r.captureRatio()));
      }
      return 0;
    }
  }
}
