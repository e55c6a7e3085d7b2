package dev.neurolens.cli;

import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.FamilySettings;
import dev.neurolens.model.GemmPath;
import dev.neurolens.model.graph.FusedAttention;
import dev.neurolens.model.HookName;
import dev.neurolens.model.ModelConfig;
import dev.neurolens.model.WeightMemory;
import dev.neurolens.model.Models;
import dev.neurolens.model.onnx.OrtReference;
import dev.neurolens.model.onnx.ParityCheck;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code neurolens model info|check|export}: inspect, verify and export encoders. */
@Command(
    name = "model",
    description = "Inspect, verify against ONNX Runtime, and export models.",
    subcommands = {ModelCommand.Info.class, ModelCommand.Check.class, ModelCommand.Export.class})
final class ModelCommand {

  @Command(name = "info", description = "Architecture, size and hook names of a model.")
  static final class Info implements Callable<Integer> {
    @Mixin OutputOptions out;
    @Mixin WeightsDtypeOption weights = new WeightsDtypeOption();

    @Option(names = "--model", defaultValue = "default", description = "'default', an HF model directory or an .onnx file.")
    String model;

    @Override
    public Integer call() {
      try (EncoderModel m = weights.load(model)) {
        ModelConfig c = m.config();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", m.id());
        r.put("model_type", c.modelType());
        r.put("family", c.family().label());
        r.put("causal", c.family().causal());
        if (!(c.settings() instanceof FamilySettings.None)) {
          r.put("family_settings", c.settings().toString());
        }
        r.put("layers", c.numLayers());
        r.put("hidden_size", c.hiddenSize());
        r.put("heads", c.numHeads());
        r.put("intermediate_size", c.intermediateSize());
        r.put("max_positions", c.maxPositions());
        r.put("max_tokens", m.tokenizer().maxTokens());
        r.put("vocab_size", c.vocabSize());
        r.put("hidden_act", c.hiddenAct());
        r.put("layer_norm_eps", c.layerNormEps());
        r.put("parameters", m.parameterCount());
        r.put("masked_lm_head", m.hasMaskedLmHead());
        WeightMemory wm = m.weightMemory();
        long forwardBytes = forwardBytes(c, 16, 128);
        long neededBytes = wm.residentBytes() + wm.blockBytes() + forwardBytes;
        String held = wm.residentBytes() == wm.float32Bytes() ? "float32" : "16-bit matrices, float32 vectors";
        r.put("stored_dtype", wm.storedDtypes());
        r.put("weights_dtype", weights.dtype().toString());
        r.put("weight_bytes", wm.residentBytes());
        r.put("float32_weight_bytes", wm.float32Bytes());
        r.put("block_work_bytes", wm.blockBytes());
        r.put("forward_bytes_16x128", forwardBytes);
        r.put("native_bytes_needed_16x128", neededBytes);
        r.put("weight_checksum", m.weightChecksum());
        List<String> hooks = m.hookNames().stream().map(HookName::toString).toList();
        r.put("hook_names", hooks);
        GemmPath gemm = GemmPath.detect();
        r.put("gemm", gemm.toJson());
        r.put("attention_fused", FusedAttention.active());
        String human = String.format(
            "%s%n  %s (%s), %d layers, hidden %d, %d heads, FFN %d, %s, max %d positions, vocab %d%s%n"
                + "  %,d parameters%s%n  memory: weights %s resident (stored %s, held as %s) + up to %s for the running block"
                + " + about %s per forward of 16 x 128 tokens = about %s of native memory%n"
                + "  %s%n  weights sha256 %s%n  %d hook points: embed.out, blocks.{0..%d}.{resid_pre, attn.out, resid_mid, mlp.pre, mlp.out, resid_post}%n  %s%n  %s",
            m.id(), c.family().label(), c.modelType(), c.numLayers(), c.hiddenSize(), c.numHeads(), c.intermediateSize(),
            c.hiddenAct(), c.maxPositions(), c.vocabSize(),
            c.settings() instanceof FamilySettings.None ? "" : ", " + c.settings(),
            m.parameterCount(), m.hasMaskedLmHead() ? " (with masked-LM head)" : "", mib(wm.residentBytes()),
            wm.storedDtypes(), held, mib(wm.blockBytes()), mib(forwardBytes), mib(neededBytes),
            c.family().causal()
                ? "causal: a code token is its last piece, a snippet its last position (or the mean)"
                : "bidirectional: a snippet is its first position (or the mean)",
            m.weightChecksum(), hooks.size(), c.numLayers() - 1, gemm.summary(), FusedAttention.summary());
        out.emit(r, human);
      }
      return 0;
    }
  }

  /**
   * Float32 bytes a forward pass of B x T tokens holds at its peak, roughly: the block input and
   * its copies (six (B, T, D) arrays), the feed-forward activations (two (B, T, M)), the
   * attention scores and probabilities (two (B, H, T, T)); the embeddings of the batch come on top.
   */
  static long forwardBytes(ModelConfig c, long b, long t) {
    long d = c.hiddenSize();
    long m = c.intermediateSize();
    return 4 * (b * t * (6 * d + 2 * m) + 2 * b * c.numHeads() * t * t);
  }

  private static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  @Command(name = "check", description = "Compare the last hidden state with ONNX Runtime on real code snippets.")
  static final class Check implements Callable<Integer> {
    @Mixin OutputOptions out;

    @Option(names = "--model", defaultValue = "default", description = "'default' or an .onnx file (the reference needs the ONNX graph).")
    String model;

    @Option(names = "--inputs", defaultValue = "32", description = "Number of code snippets (>= 1).")
    int inputs;

    @Option(names = "--batch", defaultValue = "8", description = "Snippets per padded batch.")
    int batch;

    @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime intra-op threads.")
    int threads;

    @Option(names = "--tolerance", defaultValue = "1e-4", description = "Largest acceptable max_abs_diff.")
    double tolerance;

    @Override
    public Integer call() {
      if (inputs < 1) {
        throw new NeuroLensException("--inputs must be >= 1, found " + inputs);
      }
      OutPaths.atLeast("--batch", batch, 1);
      OutPaths.atLeast("--threads", threads, 1);
      if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
        throw new NeuroLensException("--tolerance: must be a finite number >= 0, found " + tolerance);
      }
      byte[] onnx;
      if (model.equals(Models.DEFAULT)) {
        onnx = Models.bundledOnnx();
      } else if (model.endsWith(".onnx") && Files.isRegularFile(Path.of(model))) {
        try {
          onnx = Files.readAllBytes(Path.of(model));
        } catch (java.io.IOException e) {
          throw new NeuroLensException(model + ": cannot read (" + e.getMessage() + ")", e);
        }
      } else {
        throw new NeuroLensException("--model " + model + ": model check needs an ONNX graph as reference; use "
            + "--model default or --model path/to/model.onnx");
      }
      try (EncoderModel m = Models.load(model);
          OrtReference ort = OrtReference.create(onnx, threads, m.config().padTokenId())) {
        out.info("comparing " + m.id() + " with ONNX Runtime on " + inputs + " code snippets...");
        ParityCheck.Report r = ParityCheck.run(m, ort, ParityCheck.codeSnippets(inputs, 1200), batch);
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("max_abs_diff", r.maxAbsDiff());
        j.put("mean_abs_diff", r.meanAbsDiff());
        j.put("inputs", r.inputs());
        j.put("tokens", r.tokens());
        j.put("batches", r.batches());
        j.put("tolerance", tolerance);
        j.put("pass", r.maxAbsDiff() <= tolerance);
        j.put("model", m.id());
        j.put("reference", "onnxruntime");
        out.emit(j, String.format("%s vs ONNX Runtime: max_abs_diff %.3g, mean_abs_diff %.3g over %d inputs (%d tokens): %s",
            m.id(), r.maxAbsDiff(), r.meanAbsDiff(), r.inputs(), r.tokens(), r.maxAbsDiff() <= tolerance ? "PASS" : "FAIL"));
        return r.maxAbsDiff() <= tolerance ? 0 : 3;
      }
    }
  }

  @Command(name = "export", description = "Write a model as a Hugging Face directory (config.json, model.safetensors, tokenizer.json).")
  static final class Export implements Callable<Integer> {
    @Mixin OutputOptions out;

    @Option(names = "--model", defaultValue = "default", description = "'default', an HF model directory or an .onnx file.")
    String model;

    @Option(names = "--out", required = true, description = "Output directory (new, empty, or an earlier export).")
    Path dir;

    @Option(names = "--overwrite", description = "Write into a directory that holds other files too (only the three "
        + "model files are replaced).")
    boolean overwrite;

    @Override
    public Integer call() {
      OutPaths.ownedDirectory("--out", dir, java.util.Set.of("config.json", "model.safetensors", "tokenizer.json")::contains,
          "the model files", overwrite);
      try (EncoderModel m = Models.load(model)) {
        Models.export(m, dir);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", m.id());
        r.put("out", dir.toAbsolutePath().toString());
        r.put("files", List.of("config.json", "model.safetensors", "tokenizer.json"));
        r.put("parameters", m.parameterCount());
        r.put("weight_checksum", m.weightChecksum());
        out.emit(r, "wrote " + m.id() + " to " + dir.toAbsolutePath() + " (config.json, model.safetensors, tokenizer.json)");
      }
      return 0;
    }
  }
}
