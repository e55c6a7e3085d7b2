package dev.neurolens.cli;

import dev.neurolens.redundancy.ClusterOptions;
import dev.neurolens.redundancy.ClusterSweep;
import dev.neurolens.redundancy.CorrelationClustering;
import dev.neurolens.redundancy.CorrelationMatrix;
import dev.neurolens.redundancy.NeuronCorrelation;
import dev.neurolens.redundancy.SyntheticActivations;
import dev.neurolens.util.ProcStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Benchmark of correlation + clustering (issue target: all 4,992 neurons of the default model over
 * 100k tokens in <= 60 s and <= 4 GB peak RSS on 2 cores) on synthetic activations with
 * correlated groups and a residual stream, generated on the fly. Prints wall times and peak RSS
 * (VmHWM of /proc/self/status).
 */
@Command(
    name = "cluster",
    description = "Benchmark neuron correlation + average-linkage clustering on synthetic activations.")
final class BenchRedundancyCommand implements Callable<Integer> {
  @Option(names = "--rows", defaultValue = "100000", description = "Tokens (default ${DEFAULT-VALUE}).")
  int rows;

  @Option(names = "--layers", defaultValue = "13", description = "Layers incl. embeddings (default ${DEFAULT-VALUE}).")
  int layers;

  @Option(names = "--hidden", defaultValue = "384", description = "Neurons per layer (default ${DEFAULT-VALUE}).")
  int hidden;

  @Option(names = "--factors", defaultValue = "1500", description = "Latent factors of the synthetic data (default ${DEFAULT-VALUE}).")
  int factors;

  @Option(names = "--seed", defaultValue = "42", description = "Seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Mixin OutputOptions out = new OutputOptions();

  @Override
  public Integer call() {
    OutPaths.atLeast("--rows", rows, 2);
    OutPaths.atLeast("--layers", layers, 1);
    OutPaths.atLeast("--hidden", hidden, 1);
    OutPaths.atLeast("--factors", factors, 1);
    SyntheticActivations data = new SyntheticActivations(rows, layers, hidden, factors, seed);
    long t0 = System.nanoTime();
    CorrelationMatrix r = NeuronCorrelation.compute(data);
    long t1 = System.nanoTime();
    ClusterSweep sweep =
        CorrelationClustering.cluster(
            r, CorrelationClustering.sweepThresholds(), ClusterOptions.defaults(), layers, hidden);
    long t2 = System.nanoTime();
    Map<String, Object> res = new LinkedHashMap<>();
    res.put("rows", rows);
    res.put("neurons", layers * hidden);
    res.put("cores", Runtime.getRuntime().availableProcessors());
    res.put("correlationSeconds", (t1 - t0) / 1e9);
    res.put("clusteringSeconds", (t2 - t1) / 1e9);
    res.put("totalSeconds", (t2 - t0) / 1e9);
    res.put("peakRssMiB", peakRssKiB() / 1024.0);
    Map<String, Integer> independent = new LinkedHashMap<>();
    sweep.results().forEach(t -> independent.put(String.valueOf(t.threshold()), t.independent()));
    res.put("independentNeurons", independent);
    out.emit(
        res,
        String.format(
            "correlation + clustering of %d neurons over %d rows on %d cores: %.1f s + %.1f s = %.1f s,"
                + " peak RSS %.0f MiB; independent neurons per threshold %s",
            layers * hidden, rows, Runtime.getRuntime().availableProcessors(), (t1 - t0) / 1e9,
            (t2 - t1) / 1e9, (t2 - t0) / 1e9, peakRssKiB() / 1024.0, independent));
    return 0;
  }

  /** VmHWM (peak resident set) of this process in KiB, or -1 where /proc is missing. */
  static long peakRssKiB() {
    long bytes = ProcStatus.bytes("VmHWM:");
    return bytes < 0 ? -1 : bytes / 1024;
  }

  /** Runs the benchmark without the rest of the CLI. */
  public static void main(String[] args) {
    System.setProperty("ai.djl.offline", "true");
    System.exit(new CommandLine(new BenchRedundancyCommand()).execute(args));
  }
}
