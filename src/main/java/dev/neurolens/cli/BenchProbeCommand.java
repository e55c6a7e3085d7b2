package dev.neurolens.cli;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.probe.LayerLayout;
import dev.neurolens.probe.Probe;
import dev.neurolens.probe.ProbeEvaluator;
import dev.neurolens.probe.ProbeOptions;
import dev.neurolens.probe.ProbeTask;
import dev.neurolens.probe.ProbeTrainer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Benchmark of probe training (issue target: 100k tokens x 4,992 features (13 x 384) x 12 classes,
 * 10 epochs, <= 60 s on 2 cores) on synthetic activations generated on the fly (no store needed).
 * The measured time includes reading the rows once from the matrix into the training tensor.
 * Meant as {@code neurolens bench probe}; also runnable by itself through {@link #main}.
 */
@Command(
    name = "probe",
    description = "Benchmark probe training (elastic-net logistic regression) on synthetic activations.")
final class BenchProbeCommand implements Callable<Integer> {
  @Option(names = "--rows", defaultValue = "100000", description = "Tokens (default ${DEFAULT-VALUE}).")
  int rows;

  @Option(names = "--layers", defaultValue = "13", description = "Layers incl. embeddings (default ${DEFAULT-VALUE}).")
  int layers;

  @Option(names = "--hidden", defaultValue = "384", description = "Neurons per layer (default ${DEFAULT-VALUE}).")
  int hidden;

  @Option(names = "--classes", defaultValue = "12", description = "Classes (default ${DEFAULT-VALUE}).")
  int classes;

  @Option(names = "--epochs", defaultValue = "10", description = "Epochs (default ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--batch", defaultValue = "128", description = "Batch size (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--streamed", description = "Force chunked streaming instead of one in-memory tensor.")
  boolean streamed;

  @Option(names = "--seed", defaultValue = "42", description = "Seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--threads",
      defaultValue = "1",
      description = "PyTorch intra-op threads, applied when the engine starts in this command "
          + "(default ${DEFAULT-VALUE}: the minibatch products are small, and extra threads spin "
          + "on a shared machine).")
  int threads;

  @Mixin OutputOptions out = new OutputOptions();

  @Override
  public Integer call() {
    OutPaths.atLeast("--rows", rows, 2);
    OutPaths.atLeast("--layers", layers, 1);
    OutPaths.atLeast("--hidden", hidden, 1);
    OutPaths.atLeast("--classes", classes, 2);
    OutPaths.atLeast("--epochs", epochs, 1);
    OutPaths.atLeast("--batch", batch, 1);
    OutPaths.atLeast("--threads", threads, 1);
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    }
    int f = layers * hidden;
    Synthetic data = new Synthetic(rows, f, classes, seed);
    ProbeTask task = ProbeTask.classification("bench", classes, data.labels);
    ProbeOptions.Builder b =
        ProbeOptions.builder().optEpochs(epochs).optBatchSize(batch).optSeed(seed)
            .optLayout(LayerLayout.of(layers, hidden));
    if (streamed) {
      b.optMaxInMemoryBytes(0);
    }
    int[] all = new int[rows];
    for (int i = 0; i < rows; i++) {
      all[i] = i;
    }
    long t0 = System.nanoTime();
    Probe probe = ProbeTrainer.train(data, all, task, b.build());
    long t1 = System.nanoTime();
    int[] sample = new int[Math.min(rows, 5000)];
    for (int i = 0; i < sample.length; i++) {
      sample[i] = i;
    }
    double acc = ProbeEvaluator.evaluate(probe, data, sample, task).accuracy();
    long t2 = System.nanoTime();
    Map<String, Object> res = new LinkedHashMap<>();
    res.put("rows", rows);
    res.put("features", f);
    res.put("classes", classes);
    res.put("epochs", epochs);
    res.put("batch", batch);
    res.put("mode", streamed ? "streamed" : "in-memory");
    res.put("cores", Runtime.getRuntime().availableProcessors());
    res.put("torch_threads", System.getProperty("ai.djl.pytorch.num_threads"));
    res.put("train_seconds", (t1 - t0) / 1e9);
    res.put("seconds_per_epoch", (t1 - t0) / 1e9 / epochs);
    res.put("eval_seconds_5k_rows", (t2 - t1) / 1e9);
    res.put("final_loss", probe.provenance().finalLoss());
    res.put("train_accuracy_5k", acc);
    res.put("target_seconds", 60);
    out.emit(
        res,
        String.format(
            "probe training: %d rows x %d features x %d classes, %d epochs (%s): %.1f s (%.2f s/epoch), "
                + "accuracy on 5k training rows %.3f, %d cores",
            rows, f, classes, epochs, res.get("mode"), (t1 - t0) / 1e9, (t1 - t0) / 1e9 / epochs, acc,
            Runtime.getRuntime().availableProcessors()));
    return 0;
  }

  public static void main(String[] args) {
    System.setProperty("ai.djl.offline", "true");
    System.exit(new CommandLine(new BenchProbeCommand()).execute(args));
  }

  /**
   * Synthetic activations computed on the fly: uniform noise in [-1, 1) from a per-row
   * SplitMix64 stream, plus +1.5 on 8 class-specific features per class.
   */
  static final class Synthetic implements ActivationMatrix {
    private final int rows;
    private final int cols;
    private final long seed;
    final int[] labels;
    private final int[][] planted;

    Synthetic(int rows, int cols, int classes, long seed) {
      this.rows = rows;
      this.cols = cols;
      this.seed = seed;
      labels = new int[rows];
      java.util.Random r = new java.util.Random(seed);
      for (int i = 0; i < rows; i++) {
        labels[i] = r.nextInt(classes);
      }
      planted = new int[classes][8];
      for (int c = 0; c < classes; c++) {
        for (int k = 0; k < 8; k++) {
          planted[c][k] = r.nextInt(cols);
        }
      }
    }

    @Override
    public int rows() {
      return rows;
    }

    @Override
    public int cols() {
      return cols;
    }

    @Override
    public void read(int rowStart, int rowCount, float[] dst) {
      for (int i = 0; i < rowCount; i++) {
        fillRow(rowStart + i, dst, i * cols);
      }
    }

    @Override
    public void readRows(int[] rowIds, float[] dst) {
      for (int i = 0; i < rowIds.length; i++) {
        fillRow(rowIds[i], dst, i * cols);
      }
    }

    private void fillRow(int row, float[] dst, int off) {
      long state = seed * 0x9E3779B97F4A7C15L + row;
      for (int j = 0; j < cols; j++) {
        state += 0x9E3779B97F4A7C15L;
        long z = state;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        dst[off + j] = (z >>> 40) * 0x1.0p-23f - 1f;
      }
      for (int j : planted[labels[row]]) {
        dst[off + j] += 1.5f;
      }
    }
  }
}
