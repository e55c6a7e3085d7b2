package dev.neurolens.cli;

import dev.neurolens.finetune.Datasets;
import dev.neurolens.finetune.DownstreamTask;
import dev.neurolens.finetune.FinetuneOptions;
import dev.neurolens.model.bert.TrainableBert;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by {@code finetune} and {@code finetune sweep}; add with {@code @Mixin}. */
final class FinetuneArgs {
  @Option(names = "--model", defaultValue = "default", description = "Model: 'default', an HF directory or an .onnx file (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--task", description = "code-search, classify:TASK (a sentence task, e.g. returns-void), classify (with --data) or pairs (with --data).")
  String task;

  @Option(names = "--corpus", description = "Corpus for code-search pairs (doc comments) or classify:TASK labels (default: default, unless --data).")
  String corpus;

  @Option(names = "--data", description = "JSONL data: {\"query\",\"code\"} (code-search), {\"code\",\"label\"} (classify), {\"code1\",\"code2\",\"label\"} (pairs).")
  Path data;

  @Option(names = "--lang", description = "Corpus language (default: all languages of the corpus).")
  String lang;

  @Option(names = "--out", description = "Output directory (the tuned model, head and training.json; resumes an interrupted run).")
  Path out;

  @Option(names = "--epochs", defaultValue = "3", description = "Maximum epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--lr", defaultValue = "2e-5", description = "Peak learning rate of the encoder (default: ${DEFAULT-VALUE}).")
  float lr;

  @Option(names = "--head-lr", defaultValue = "1e-3", description = "Peak learning rate of the task head (default: ${DEFAULT-VALUE}).")
  float headLr;

  @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
  float weightDecay;

  @Option(names = "--warmup", defaultValue = "0.1", description = "Share of steps with linear warmup (default: ${DEFAULT-VALUE}).")
  float warmup;

  @Option(names = "--max-grad-norm", defaultValue = "1.0", description = "Gradient-norm clip, 0 = none (default: ${DEFAULT-VALUE}).")
  float maxGradNorm;

  @Option(names = "--batch-size", defaultValue = "32", description = "Most examples per batch (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--batch-tokens", defaultValue = "8192", description = "Most padded tokens per batch (default: ${DEFAULT-VALUE}).")
  int batchTokens;

  @Option(names = "--max-length", defaultValue = "256", description = "Code tokens kept per sequence (default: ${DEFAULT-VALUE}).")
  int maxLength;

  @Option(names = "--max-query-length", defaultValue = "64", description = "Query tokens kept (default: ${DEFAULT-VALUE}).")
  int maxQueryLength;

  @Option(names = "--dropout", defaultValue = "0.1", description = "Dropout in training (default: ${DEFAULT-VALUE}).")
  float dropout;

  @Option(names = "--pooling", defaultValue = "auto", description = "cls, mean or auto: cls for the bundled BGE model, else mean (default: ${DEFAULT-VALUE}).")
  String pooling;

  @Option(names = "--temperature", defaultValue = "0.05", description = "InfoNCE temperature (default: ${DEFAULT-VALUE}).")
  float temperature;

  @Option(names = "--patience", defaultValue = "2", description = "Epochs without a better dev score before stopping (default: ${DEFAULT-VALUE}).")
  int patience;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the split, shuffles, dropout and head (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--dev-size", defaultValue = "200", description = "Dev examples (default: ${DEFAULT-VALUE}).")
  int devSize;

  @Option(names = "--test-size", defaultValue = "1000", description = "Test examples, the code-search pool (default: ${DEFAULT-VALUE}).")
  int testSize;

  @Option(names = "--max-train", defaultValue = "3000", description = "Most training examples, 0 = all (default: ${DEFAULT-VALUE}).")
  int maxTrain;

  /** The task; --task and --out are checked here (not by picocli, which would demand them of 'finetune sweep' too). */
  DownstreamTask parsedTask() {
    if (task == null) {
      throw new NeuroLensException("finetune: --task is required (code-search, classify:TASK, classify or pairs)");
    }
    if (out == null) {
      throw new NeuroLensException("finetune: --out DIR is required (the tuned model, head and training.json go there)");
    }
    return DownstreamTask.parse(task);
  }

  FinetuneOptions options(int freeze) {
    return new FinetuneOptions(freeze, epochs, lr, headLr, weightDecay, warmup, maxGradNorm, batchSize, batchTokens,
        maxLength, maxQueryLength, dropout, pooling, temperature, patience, seed);
  }

  Datasets.Sizes sizes() {
    return new Datasets.Sizes(devSize, testSize, maxTrain);
  }

  void checkInputs() {
    if (data != null && corpus != null) {
      throw new NeuroLensException("finetune: give --corpus or --data, not both");
    }
    OutPaths.directory("--out", out);
  }

  Datasets.Dataset load(DownstreamTask t) {
    return Datasets.load(t, data == null && corpus == null ? "default" : corpus, data, lang, sizes(), seed);
  }

  /** Parses {@code none} or K. */
  static int freeze(String s) {
    String v = s.strip();
    if (v.equals("none")) {
      return TrainableBert.FREEZE_NONE;
    }
    try {
      int k = Integer.parseInt(v);
      if (k < 0) {
        throw new NumberFormatException();
      }
      return k;
    } catch (NumberFormatException e) {
      throw new NeuroLensException("--freeze: must be 'none' or a number of bottom blocks K >= 0, found '" + s + "'");
    }
  }
}
