package dev.neurolens.cli;

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

  public static void main(String[] args) {
    System.setProperty("ai.djl.offline", "true");
    System.exit(commandLine().execute(args));
  }
}
