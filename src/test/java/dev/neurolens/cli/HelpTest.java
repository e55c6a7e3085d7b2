package dev.neurolens.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Every command and subcommand answers --help, and its help text formats without warnings. */
class HelpTest {

  private static void collect(CommandLine cl, List<CommandLine> out) {
    out.add(cl);
    for (CommandLine sub : cl.getSubcommands().values()) {
      if (!out.contains(sub)) {
        collect(sub, out);
      }
    }
  }

  private static List<CommandLine> all() {
    List<CommandLine> out = new ArrayList<>();
    collect(Main.commandLine(), out);
    return out;
  }

  @Test
  void everyCommand_help_exitsZeroWithItsUsage() {
    List<CommandLine> commands = all();
    assertTrue(commands.size() > 20, "expected every subcommand, found " + commands.size());
    for (CommandLine cl : commands) {
      String path = cl.getCommandSpec().qualifiedName(" ");
      if (path.endsWith(" help")) {
        continue; // picocli's own help command takes a command name, not --help
      }
      List<String> args = new ArrayList<>(List.of(path.split(" ")));
      args.remove(0); // "neurolens"
      args.add("--help");
      String out = CliRun.exec(0, args.toArray(String[]::new))[0];
      assertTrue(out.startsWith("Usage: " + path), path + " --help printed: " + out);
    }
  }

  @Test
  void commandWithoutSubcommand_printsItsUsageAndExitsTwo() {
    String[] top = CliRun.exec(2);
    assertTrue(top[1].startsWith("Usage: neurolens"), top[1]);
    assertTrue(top[1].contains("analyze"), "the usage lists the subcommands: " + top[1]);
    String[] bench = CliRun.exec(2, "bench");
    assertTrue(bench[1].startsWith("Usage: neurolens bench"), bench[1]);
    assertTrue(bench[1].contains("forward"), bench[1]);
  }

  @Test
  void everyDescription_isAValidFormatString() {
    // picocli passes the annotation texts through String.format: a lone % (say "k% values")
    // makes it print a warning and the raw text instead
    int checked = 0;
    for (CommandLine cl : all()) {
      CommandSpec spec = cl.getCommandSpec();
      List<String> lines = new ArrayList<>();
      Command command = spec.userObject().getClass().getAnnotation(Command.class);
      if (command != null) {
        lines.addAll(List.of(command.description()));
      }
      for (OptionSpec o : spec.options()) {
        if (o.userObject() instanceof Field f && f.getAnnotation(Option.class) != null) {
          lines.addAll(List.of(f.getAnnotation(Option.class).description()));
        }
      }
      for (String line : lines) {
        assertDoesNotThrow(() -> String.format(line), spec.qualifiedName() + ": " + line);
        checked++;
      }
    }
    assertTrue(checked > 100, "expected the descriptions of every option, checked " + checked);
  }
}
