package dev.neurolens.analysis;

import dev.neurolens.activation.ActivationStore;
import dev.neurolens.activation.ExtractionInput;
import dev.neurolens.activation.ExtractionResult;
import dev.neurolens.corpus.CorpusReader;
import dev.neurolens.corpus.Unit;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Models;
import dev.neurolens.model.Torch;
import dev.neurolens.probe.LayerwiseProber;
import dev.neurolens.probe.LayerwiseResult;
import dev.neurolens.probe.ProbeOptions;
import dev.neurolens.rank.LcaRanker;
import dev.neurolens.rank.NeuronRanking;
import dev.neurolens.util.NeuroLensException;
import dev.neurolens.util.ProcStatus;
import dev.neurolens.util.Shuffle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The scale benchmark behind {@code neurolens bench analyze}: a store of at least N code tokens
 * (built from a seeded sample of the corpus's methods, or reused), then for one task the layer-wise
 * probes with control tasks and the oracle, its LCA ranking, and the correlation clustering and
 * layer CKA of all neurons over all tokens, each stage timed, with the process's peak RSS.
 *
 * <p>Usage: {@code AnalyzeBench.Figures f = AnalyzeBench.run(AnalyzeBench.Options.of(1_000_000,
 * Path.of("bench-store")), System.err::println);}
 */
public final class AnalyzeBench {
  private AnalyzeBench() {}

  /**
   * Settings.
   *
   * @param model model spec ({@code default}, a directory or .onnx)
   * @param corpus corpus spec
   * @param lang corpus language
   * @param task the token task to probe
   * @param tokens minimum code tokens in the store
   * @param storeDir where the store is built or found
   * @param seed seed of the sample, splits and probes
   * @param epochs probe epochs
   * @param probeThreads PyTorch threads while probes train
   * @param bars progress bars while labelling and extracting
   */
  public record Options(
      String model, String corpus, String lang, String task, long tokens, Path storeDir, long seed, int epochs,
      int probeThreads, CorpusInputs.ProgressBars bars) {
    public Options {
      Objects.requireNonNull(storeDir, "storeDir");
      Objects.requireNonNull(bars, "bars");
      if (tokens < 1) {
        throw new NeuroLensException("--tokens: must be >= 1, found " + tokens);
      }
      if (epochs < 1 || probeThreads < 1) {
        throw new NeuroLensException("--epochs and --probe-threads: must be >= 1, found " + epochs + ", " + probeThreads);
      }
    }

    /** The default model and corpus, the lexical task, seed 42, 10 epochs, one probe thread. */
    public static Options of(long tokens, Path storeDir) {
      return new Options(Models.DEFAULT, "default", "java", "lexical", tokens, storeDir, 42, 10, 1,
          CorpusInputs.ProgressBars.SHOW);
    }
  }

  /**
   * What one run measured.
   *
   * @param tokens token rows in the store
   * @param snippets snippets in the store
   * @param reused whether the store existed already
   * @param labelSeconds reading and labelling the corpus (0 when reused)
   * @param extractSeconds extraction (0 when reused)
   * @param probeSeconds layer probes, oracle and their control probes, with evaluation
   * @param rankSeconds LCA ordering of the oracle
   * @param clusterSeconds correlation clustering over thresholds and layer CKA
   * @param totalSeconds all of it
   * @param oracleTest the oracle's test score
   * @param peakRssBytes the process's peak resident set (VmHWM), or -1 where /proc is missing
   * @param anonRssBytes at the end: the resident memory of the heap and native allocations (RssAnon)
   * @param fileRssBytes at the end: resident pages of mapped files, mostly the store (RssFile; the
   *     kernel reclaims them under pressure)
   * @param maxHeapBytes the JVM's heap limit
   */
  public record Figures(
      long tokens, int snippets, boolean reused, double labelSeconds, double extractSeconds, double probeSeconds,
      double rankSeconds, double clusterSeconds, double totalSeconds, double oracleTest, long peakRssBytes,
      long anonRssBytes, long fileRssBytes, long maxHeapBytes) {}

  /** Builds or reuses the store, then probes, ranks and clusters; {@code progress} gets a line per stage. */
  public static Figures run(Options o, Consumer<String> progress) {
    long t0 = System.nanoTime();
    boolean reused = reusable(o);
    double label = 0;
    double extract = 0;
    if (!reused) {
      long t = System.nanoTime();
      progress.accept("reading and labelling " + o.corpus() + " (all methods) for " + o.tokens() + " tokens...");
      CorpusInputs all = CorpusInputs.label(new CorpusInputs.Request(o.corpus(), o.lang(), Unit.METHOD, 0,
          CorpusReader.DEFAULT_MAX_TOKENS, o.seed(), List.of(o.task()), o.bars()));
      CorpusInputs in = sample(all, o.tokens(), o.seed());
      label = seconds(t);
      t = System.nanoTime();
      try (EncoderModel m = Models.load(o.model())) {
        ExtractionResult er = Analysis.extractOrReuse(m, in, o.storeDir(), Analysis.StoreUse.REUSE,
            o.bars(), progress);
        progress.accept("store: " + er.snippets() + " snippets, " + er.tokens() + " tokens -> " + o.storeDir());
      }
      extract = seconds(t);
    } else {
      progress.accept("reusing the store " + o.storeDir());
    }
    try (ActivationStore store = ActivationStore.open(o.storeDir())) {
      long t = System.nanoTime();
      StoreTask st = StoreTask.load(store, o.task(), o.seed(), StoreTask.Control.FIT);
      ProbeOptions po = ProbeOptions.builder().optEpochs(o.epochs()).optSeed(o.seed()).build();
      progress.accept("probing " + o.task() + " on " + st.x().rows() + " tokens (13 layers + oracle, with control)...");
      LayerwiseResult lr = Torch.withThreads(o.probeThreads(), () -> LayerwiseProber.run(st.x(), st.layout(),
          st.splits(), st.task(), st.control(), EnumSet.of(LayerwiseProber.Mode.EACH, LayerwiseProber.Mode.ORACLE),
          po, line -> progress.accept("  " + line)));
      double probe = seconds(t);
      t = System.nanoTime();
      NeuronRanking lca = LcaRanker.ordering(lr.probes().get("oracle"));
      double rank = seconds(t);
      progress.accept("LCA ordering of " + lca.size() + " neurons; clustering and CKA...");
      t = System.nanoTime();
      GeneralRedundancy.run(store, o.seed());
      double cluster = seconds(t);
      return new Figures(store.tokenCount(), store.snippetCount(), reused, label, extract, probe, rank, cluster,
          seconds(t0), lr.oracle().test(), ProcStatus.bytes("VmHWM:"), ProcStatus.bytes("RssAnon:"),
          ProcStatus.bytes("RssFile:"),
          Runtime.getRuntime().maxMemory());
    }
  }

  /** A complete store with at least the wanted tokens and the task: reused as it is. */
  private static boolean reusable(Options o) {
    if (!Files.isRegularFile(o.storeDir().resolve("manifest.json"))) {
      return false;
    }
    try (ActivationStore s = ActivationStore.open(o.storeDir())) {
      return s.tokenCount() >= o.tokens() && s.tasks().stream().anyMatch(t -> t.name().equals(o.task()));
    } catch (NeuroLensException e) {
      return false; // unfinished: extraction resumes it
    }
  }

  /** A seeded sample of whole snippets with at least {@code tokens} code tokens. */
  static CorpusInputs sample(CorpusInputs all, long tokens, long seed) {
    List<ExtractionInput> order = new ArrayList<>(all.inputs());
    Shuffle.inPlace(order, new Random(seed));
    CorpusInputs kept = new CorpusInputs(order, all.tasks(), all.hash() + " tokens>=" + tokens + " seed=" + seed).head(tokens);
    if (kept.tokenCount() < tokens) {
      throw new NeuroLensException("--tokens " + tokens + ": the corpus has only " + kept.tokenCount()
          + " code tokens in " + order.size() + " methods; give a larger --corpus");
    }
    return kept;
  }

  private static double seconds(long startNanos) {
    return Math.round((System.nanoTime() - startNanos) / 1e8) / 10.0;
  }
}
