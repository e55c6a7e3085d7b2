package dev.neurolens;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Enforces the package arrows of docs/ARCHITECTURE.md: a stage imports only the stages before it. */
class ArchitectureTest {
  private static final String ROOT = "dev.neurolens.";
  private static final Map<String, Set<String>> ALLOWED =
      Map.ofEntries(
          Map.entry("util", Set.of()),
          Map.entry("corpus", Set.of("util")),
          Map.entry("concept", Set.of("util", "corpus")),
          Map.entry("model", Set.of("util")),
          Map.entry("activation", Set.of("util", "corpus", "concept", "model")),
          Map.entry("probe", Set.of("util", "activation", "concept")),
          Map.entry("rank", Set.of("util", "probe", "activation")),
          Map.entry("redundancy", Set.of("util", "probe", "rank", "activation")),
          Map.entry("ablation", Set.of("util", "probe", "rank", "redundancy", "model", "activation")),
          Map.entry("finetune", Set.of("util", "model", "activation", "concept", "corpus")),
          Map.entry("analysis",
              Set.of("util", "corpus", "concept", "model", "activation", "probe", "rank", "redundancy", "ablation",
                  "finetune")),
          Map.entry("report", Set.of("util", "analysis")),
          Map.entry("cli", Set.of("*")));
  private static final Pattern PACKAGE = Pattern.compile("^package dev\\.neurolens\\.(\\w+)", Pattern.MULTILINE);
  private static final Pattern REF = Pattern.compile("dev\\.neurolens\\.(\\w+)\\.");

  @Test
  void imports_followDesignArrows_noViolations() throws IOException {
    List<String> violations = new ArrayList<>();
    Path src = Path.of("src/main/java/dev/neurolens");
    try (Stream<Path> files = Files.walk(src)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String text = Files.readString(f);
        Matcher pm = PACKAGE.matcher(text);
        if (!pm.find()) {
          violations.add(f + ": not in a dev.neurolens.<stage> package");
          continue;
        }
        String pkg = pm.group(1);
        Set<String> allowed = ALLOWED.get(pkg);
        if (allowed == null) {
          violations.add(f + ": package '" + pkg + "' is not in the DESIGN.md table");
          continue;
        }
        if (allowed.contains("*")) {
          continue;
        }
        Matcher rm = REF.matcher(text.substring(pm.end()));
        while (rm.find()) {
          String target = rm.group(1);
          if (!target.equals(pkg) && !allowed.contains(target)) {
            violations.add(f + ": " + pkg + " must not import " + target);
          }
        }
      }
    }
    assertTrue(violations.isEmpty(), String.join("\n", violations));
  }

  @Test
  void nothing_importsCli() throws IOException {
    try (Stream<Path> files = Files.walk(Path.of("src/main/java/dev/neurolens"))) {
      List<Path> bad =
          files
              .filter(p -> p.toString().endsWith(".java") && !p.toString().contains("/cli/"))
              .filter(p -> readUnchecked(p).contains(ROOT + "cli."))
              .toList();
      assertTrue(bad.isEmpty(), "cli is imported by " + bad);
    }
  }

  private static String readUnchecked(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
