package dev.neurolens.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.activation.ActivationStore;
import dev.neurolens.probe.LayerwiseProber;
import dev.neurolens.probe.LayerwiseResult;
import dev.neurolens.probe.ProbeOptions;
import dev.neurolens.rank.LcaRanker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "Use it from Java" example of the README, compiled and run as it stands: its printed best
 * layer and top neurons must be those of the results.json it writes, and the same probes trained
 * through the stage API (StoreTask, LayerwiseProber, LcaRanker) on its store give the same scores
 * and neurons.
 */
class ReadmeExampleTest {
  private static final Pattern BLOCK =
      Pattern.compile("<!-- java-example -->\\s*```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void readmeJavaExample_compilesRunsAndPrintsTheBestLayerAndTopNeurons(@TempDir Path dir) throws Exception {
    Matcher m = BLOCK.matcher(Files.readString(Path.of("README.md")));
    assertTrue(m.find(), "README.md has no <!-- java-example --> block");
    Path src = dir.resolve("ProbeOneTask.java");
    Files.writeString(src, m.group(1));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int status = javac.run(null, null, diagnostics, "-classpath", System.getProperty("java.class.path"),
        "-d", dir.toString(), src.toString());
    assertEquals(0, status, diagnostics.toString(StandardCharsets.UTF_8));

    Path out = dir.resolve("out");
    PrintStream stdout = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      loader.loadClass("ProbeOneTask").getMethod("main", String[].class)
          .invoke(null, (Object) new String[] {out.toString()});
    } finally {
      System.setOut(stdout);
    }
    List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();

    AnalysisResult r = AnalysisResult.read(out.resolve("results.json"));
    AnalysisResult.TaskResult lexical = r.task("lexical");
    assertEquals(13, lexical.layers().size(), "embeddings + 12 blocks of BGE-small");
    double bestTest = lexical.layers().stream().mapToDouble(AnalysisResult.LayerScore::test).max().orElseThrow();
    assertTrue(bestTest > 0.5, "lexical classes are easy to probe: best test " + bestTest);
    AnalysisResult.LayerScore best = lexical.layers().stream().filter(l -> l.test() == bestTest).findFirst().orElseThrow();
    assertEquals(String.format("best layer: %d (%s), test accuracy %.4f", best.layer(), best.hook(), bestTest),
        lines.get(0));
    // the same analysis through the stage API on the store the example wrote: the same scores and neurons
    try (ActivationStore store = ActivationStore.open(out.resolve("store"))) {
      StoreTask st = StoreTask.load(store, "lexical", 42, StoreTask.Control.FIT);
      LayerwiseResult again = LayerwiseProber.run(st.x(), st.layout(), st.splits(), st.task(), st.control(),
          EnumSet.of(LayerwiseProber.Mode.EACH, LayerwiseProber.Mode.ORACLE),
          ProbeOptions.builder().optEpochs(3).optSeed(42).build(), null);
      for (int l = 0; l < 13; l++) {
        assertEquals(again.layers().get(l).test(), lexical.layers().get(l).test(), 1e-12, "layer " + l);
        assertEquals(again.layers().get(l).controlTest(), lexical.layers().get(l).controlTest(), 1e-12);
      }
      int[] lca = LcaRanker.ordering(again.probes().get("oracle")).top(lexical.topNeurons().overall().size());
      for (int i = 0; i < lca.length; i++) {
        AnalysisResult.NeuronWeight n = lexical.topNeurons().overall().get(i);
        assertEquals(st.layout().layerOf(lca[i]), n.layer(), "neuron " + i);
        assertEquals(st.layout().indexOf(lca[i]), n.index(), "neuron " + i);
      }
    }
    List<AnalysisResult.NeuronWeight> top = lexical.topNeurons().overall();
    assertEquals(1 + top.size(), lines.size(), String.join("\n", lines));
    for (int i = 0; i < top.size(); i++) {
      AnalysisResult.NeuronWeight n = top.get(i);
      assertEquals(String.format("layer %d neuron %d |w| %.4f", n.layer(), n.index(), n.weight()), lines.get(i + 1));
    }
  }
}
