package dev.neurolens.cli;

import dev.neurolens.concept.CodeLabeller;
import dev.neurolens.concept.ControlTasks;
import dev.neurolens.concept.LabelWriter;
import dev.neurolens.concept.LabelledCorpus;
import dev.neurolens.concept.SnippetSplits;
import dev.neurolens.concept.LabelTask;
import dev.neurolens.concept.Tasks;
import dev.neurolens.corpus.Corpus;
import dev.neurolens.corpus.CorpusReader;
import dev.neurolens.corpus.Unit;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code neurolens label}: code in, tokens with concept labels out (JSONL, NeuroX files, summary). */
@Command(
    name = "label",
    mixinStandardHelpOptions = true,
    description = "Cut a corpus into snippets and label every code token (tree-sitter).")
final class LabelCommand implements Callable<Integer> {
  @Mixin OutputOptions out;

  @Option(names = "--corpus", defaultValue = "default",
      description = "'default' (bundled library sources), a directory, file, .zip/.jar or .jsonl (default: ${DEFAULT-VALUE}).")
  String corpus;

  @Option(names = "--lang", description = "Language (java, python, javascript, go); default: from file extensions.")
  String lang;

  @Option(names = "--task", required = true, split = ",",
      description = "Task(s): lexical, lexical-fine, syntactic, structural, nesting-depth, ast-depth, identifier-role, "
          + "loops, returns-void, complexity, length, name-verb, language, label; TASK:VALUE for binary.")
  List<String> tasks;

  @Option(names = "--unit", defaultValue = "method", description = "method or file (default: ${DEFAULT-VALUE}).")
  String unit;

  @Option(names = "--out", required = true, description = "Output directory (new, empty, or an earlier label run's).")
  Path outDir;

  @Option(names = "--overwrite", description = "Write into a directory that holds other files too (only the label files "
      + "- labels.jsonl, summary.json, {train,dev,test}.in and .label - are replaced).")
  boolean overwrite;

  @Option(names = "--max-snippets", defaultValue = "0", description = "Sample at most N snippets (0 = all).")
  int maxSnippets;

  @Option(names = "--max-tokens", defaultValue = "" + CorpusReader.DEFAULT_MAX_TOKENS,
      description = "Drop snippets with more code tokens (0 = no limit; default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--max-file-bytes", defaultValue = "" + CorpusReader.DEFAULT_MAX_FILE_BYTES,
      description = "Skip files, archive entries and JSONL lines over N bytes, never reading past N "
          + "(counted as too-large; default: ${DEFAULT-VALUE}).")
  long maxFileBytes;

  @Option(names = "--seed", defaultValue = "42", description = "Seed for sampling, splits and control tasks.")
  long seed;

  @Option(names = "--skip-comments", description = "Leave comments out of the tokens.")
  boolean skipComments;

  @Option(names = "--max-error-ratio", defaultValue = "" + CodeLabeller.DEFAULT_MAX_ERROR_RATIO,
      description = "Skip snippets with more ERROR/MISSING nodes per token (default: ${DEFAULT-VALUE}).")
  double maxErrorRatio;

  @Option(names = "--min-count", defaultValue = "" + CodeLabeller.DEFAULT_MIN_COUNT,
      description = "Fold lexical-fine/syntactic labels seen fewer times into OTHER (default: ${DEFAULT-VALUE}).")
  int minCount;

  @Option(names = "--control", description = "Also write control-task labels for every token task.")
  boolean control;

  @Option(names = "--control-dist", defaultValue = "same", description = "same (empirical) or uniform.")
  String controlDist;

  @Option(names = "--dev", defaultValue = "" + SnippetSplits.DEFAULT_DEV, description = "Dev fraction of snippets.")
  double dev;

  @Option(names = "--test", defaultValue = "" + SnippetSplits.DEFAULT_TEST, description = "Test fraction of snippets.")
  double test;

  @Override
  public Integer call() {
    OutPaths.ownedDirectory("--out", outDir,
        n -> n.equals("labels.jsonl") || n.equals("summary.json") || n.matches("(train|dev|test)\\.(in|.+\\.label)"),
        "the label files", overwrite);
    List<LabelTask> specs = Tasks.parseAll(tasks);
    Unit u = switch (unit.toLowerCase(Locale.ROOT)) {
      case "method", "function" -> Unit.METHOD;
      case "file" -> Unit.FILE;
      default -> throw new NeuroLensException("--unit: must be method or file, found " + unit);
    };
    ControlTasks.Distribution dist = switch (controlDist.toLowerCase(Locale.ROOT)) {
      case "same" -> ControlTasks.Distribution.SAME;
      case "uniform" -> ControlTasks.Distribution.UNIFORM;
      default -> throw new NeuroLensException("--control-dist: must be same or uniform, found " + controlDist);
    };
    Corpus c = CorpusReader.builder().optLang(lang).optUnit(u).optMaxSnippets(maxSnippets).optMaxTokens(maxTokens)
        .optMaxFileBytes(maxFileBytes).optSeed(seed).optProgress(!out.quiet()).build().read(corpus);
    CodeLabeller labeller = CodeLabeller.builder().optSkipComments(skipComments).optMaxErrorRatio(maxErrorRatio)
        .optMinCount(minCount).optProgress(!out.quiet()).build();
    LabelledCorpus lc = labeller.labelCorpus(c, new LinkedHashSet<>(specs.stream().map(LabelTask::name).toList()));
    if (lc.snippets().isEmpty()) {
      throw new NeuroLensException("--corpus " + corpus + ": no snippet left after labelling (skipped " + lc.skipped()
          + "; raise --max-error-ratio?)");
    }
    SnippetSplits.Split split = SnippetSplits.split(lc.snippets(), dev, test, seed);
    Map<String, ControlTasks.ControlTask> controls = new LinkedHashMap<>();
    if (control) {
      for (LabelTask t : specs) {
        if (t.isTokenLevel()) {
          controls.put(t.name(), ControlTasks.fit(split.train(), t.name(), dist, seed));
        }
      }
    }
    LabelWriter.LabelSummary s = LabelWriter.write(outDir, c, lc, split, controls, seed);
    out.emit(s, String.format(Locale.ROOT, "labelled %d snippets, %d tokens (train/dev/test %s), skipped %s -> %s",
        s.snippets(), s.tokens(), s.splitSnippets().values(), s.skippedSnippets(), outDir));
    return 0;
  }
}
