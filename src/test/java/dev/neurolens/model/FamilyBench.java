package dev.neurolens.model;

import dev.neurolens.model.onnx.ForwardBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Forward throughput of a random model of each family on the same shapes (a benchmark main, not a
 * test): 12 layers, hidden 384, 12 heads, FFN 1536, batch 16 x 128 tokens, 2 threads. Writes the
 * four directories under {@code args[0]}, then times every model in rotating rounds in one JVM
 * ({@link ForwardBenchmark} without ONNX Runtime) and prints the median tokens/s per family.
 *
 * <p>Usage: {@code java -cp target/classes:target/test-classes:$(deps) dev.neurolens.model.FamilyBench /tmp/bench}
 */
public final class FamilyBench {
  private FamilyBench() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args.length > 0 ? args[0] : "target/family-bench");
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    TinyFamilies.Spec s = new TinyFamilies.Spec(12, 384, 12, 1536, 12, 2048);
    Map<String, Path> dirs = new LinkedHashMap<>();
    Path bert = root.resolve("bert");
    if (!Files.isDirectory(bert)) {
      try (EncoderModel m = TinyModels.random(1, 12, 384, 12, 1536)) {
        Models.export(m, bert);
      }
    }
    dirs.put("bert", bert);
    dirs.put("gpt2", Files.isDirectory(root.resolve("gpt2")) ? root.resolve("gpt2") : TinyFamilies.gpt2(root.resolve("gpt2"), 1, s));
    dirs.put("llama", Files.isDirectory(root.resolve("llama")) ? root.resolve("llama")
        : TinyFamilies.llama(root.resolve("llama"), 1, s, Map.of()));
    dirs.put("t5", Files.isDirectory(root.resolve("t5")) ? root.resolve("t5") : TinyFamilies.t5(root.resolve("t5"), 1, s, false));
    List<EncoderModel> models = new ArrayList<>();
    for (Path d : dirs.values()) {
      models.add(Models.load(d.toString()));
    }
    ForwardBenchmark.Options o = new ForwardBenchmark.Options(16, 128, 2, 5, 1);
    double[][] plain = new double[models.size()][rounds];
    double[][] capture = new double[models.size()][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < models.size(); k++) {
        int i = (k + r) % models.size();
        ForwardBenchmark.Result res = ForwardBenchmark.run(models.get(i), null, o);
        plain[i][r] = res.neurolensTokensPerS();
        capture[i][r] = res.captureTokensPerS();
      }
    }
    int i = 0;
    for (String name : dirs.keySet()) {
      EncoderModel m = models.get(i);
      System.out.printf("%-6s %-16s params %,11d  forward %7.0f tokens/s  capture(13 layers) %7.0f tokens/s  rounds %s%n",
          name, m.config().family().label(), m.parameterCount(), median(plain[i]), median(capture[i]),
          Arrays.toString(Arrays.stream(plain[i]).mapToLong(Math::round).toArray()));
      i++;
    }
    for (EncoderModel m : models) {
      m.close();
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
