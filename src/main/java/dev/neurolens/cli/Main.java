package dev.neurolens.cli;

import dev.neurolens.util.Activity;
import dev.neurolens.util.NeuroLensException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code neurolens} command line: one subcommand per stage, plus {@code analyze}. */
@Command(
    name = "neurolens",
    mixinStandardHelpOptions = true,
    scope = ScopeType.INHERIT, // every subcommand takes --help and --version
    version = "NeuroLens 0.1.0",
    description = "Neuron- and layer-level analysis of transformer models of source code.",
    subcommands = {
      CommandLine.HelpCommand.class,
      ReportCommand.class,
      LabelCommand.class,
      ModelCommand.class,
      BenchCommand.class,
      StoreCommand.class,
      ExtractCommand.class,
      AnalyzeCommand.class,
      FinetuneCommand.class,
      CompareCommand.class,
      ClusterCommand.class,
      SimilarityCommand.class,
      RedundancyCommand.class,
      ProbeCommand.class,
      RankCommand.class,
      ConceptsCommand.class,
      AblateCommand.class,
    })
public final class Main {

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Print stack traces of errors.")
  boolean verbose;

  /** Builds the command line with NeuroLens's error handling (one line, exit 2 for bad input). */
  public static CommandLine commandLine() {
    Main main = new Main();
    CommandLine cl = new CommandLine(main);
    // No option takes NaN or an infinity: '--dev NaN' would pass every range check written as a comparison.
    cl.registerConverter(Double.class, Main::finiteDouble);
    cl.registerConverter(Double.TYPE, Main::finiteDouble);
    cl.registerConverter(Float.class, Main::finiteFloat);
    cl.registerConverter(Float.TYPE, Main::finiteFloat);
    // Bad option values, unknown options, missing required options: one line, not the usage.
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine sub = ex.getCommandLine();
          if (!sub.getSubcommands().isEmpty() && ex.getMessage().startsWith("Missing required subcommand")) {
            sub.usage(System.err); // `neurolens` or `neurolens bench` alone: show what there is to run
            return 2;
          }
          if (main.verbose || java.util.Arrays.asList(args).contains("--verbose")) {
            ex.printStackTrace(System.err);
          }
          System.err.println("neurolens: error: " + ex.getMessage()
              + " (see '" + sub.getCommandSpec().qualifiedName() + " --help')");
          return 2;
        });
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          boolean verbose = main.verbose || parseResult.hasMatchedOption("--verbose");
          if (verbose) {
            ex.printStackTrace(System.err);
          }
          if (ex instanceof NeuroLensException) {
            // One line, whatever the message: a wrapped library message may hold line breaks.
            System.err.println("neurolens: error: " + ex.getMessage().strip().replaceAll("\\s*\\R\\s*", " "));
            return 2;
          }
          System.err.println(
              "neurolens: internal error: " + ex + (verbose ? "" : " (run with --verbose for details)"));
          return 1;
        });
    return cl;
  }

  /**
   * Runs the command line and returns its exit status. Errors that picocli's handlers do not see
   * (they catch exceptions only) are caught here too: running out of heap or stack is one line
   * naming what was being read and the limit to raise, status 2 (outputs are written aside and
   * renamed when complete, so nothing partial is left looking complete).
   */
  public static int run(String... args) {
    try {
      return commandLine().execute(args);
    } catch (OutOfMemoryError e) {
      long max = Runtime.getRuntime().maxMemory();
      String limit = max >= 1L << 30 ? String.format(java.util.Locale.ROOT, "%.1f GB", max / (double) (1L << 30))
          : (max >> 20) + " MB";
      return fatal(e, args, "out of memory while " + Activity.current() + " (Java heap limit " + limit
          + "; raise it, e.g. NEUROLENS_HEAP=-Xmx8g, or give the command less to hold: fewer snippets, layers or "
          + "tokens per batch)");
    } catch (StackOverflowError e) {
      return fatal(e, args, "stack exhausted while " + Activity.current()
          + " (input nested too deeply; raise the limit, e.g. NEUROLENS_JAVA_OPTS=-Xss64m, or leave that input out)");
    }
  }

  private static int fatal(Error e, String[] args, String message) {
    if (java.util.Arrays.asList(args).contains("--verbose")) {
      e.printStackTrace(System.err);
    }
    System.err.println("neurolens: error: " + message);
    return 2;
  }

  private static double finiteDouble(String value) {
    double d;
    try {
      d = Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not a number");
    }
    if (!Double.isFinite(d)) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not a finite number");
    }
    return d;
  }

  private static float finiteFloat(String value) {
    float f = (float) finiteDouble(value);
    if (!Float.isFinite(f)) {
      throw new CommandLine.TypeConversionException("'" + value + "' is out of range");
    }
    return f;
  }

  public static void main(String[] args) {
    System.setProperty("ai.djl.offline", "true");
    System.exit(run(args));
  }
}
