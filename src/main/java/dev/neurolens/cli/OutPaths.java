package dev.neurolens.cli;

import dev.neurolens.util.NeuroLensException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks of output paths and option values made before a command starts its work (not after minutes of it). */
final class OutPaths {
  private OutPaths() {}

  /**
   * {@code dir} (given by {@code option}; null = not given) must be a directory or not exist yet,
   * and must not be the filesystem root.
   */
  static void directory(String option, Path dir) {
    if (dir == null) {
      return;
    }
    if (dir.toAbsolutePath().normalize().getParent() == null) {
      throw new NeuroLensException(option + " " + dir + ": refusing to write into the filesystem root; choose a directory");
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new NeuroLensException(option + " " + dir + ": must be a directory, found an existing file");
    }
  }

  /**
   * An output directory that a command fills with the files {@code ours}: it may be new, empty, or
   * hold only those names (an earlier run's output, replaced); anything else in it means the
   * directory belongs to someone else, and the command refuses unless {@code overwrite} (which
   * still replaces only such names, never other files).
   */
  static void ownedDirectory(String option, Path dir, java.util.function.Predicate<String> ours, String what,
      boolean overwrite) {
    directory(option, dir);
    if (overwrite || !Files.isDirectory(dir)) {
      return;
    }
    java.util.List<String> foreign;
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      foreign = s.map(p -> p.getFileName().toString()).filter(ours.negate()).sorted().limit(4).toList();
    } catch (java.io.IOException e) {
      throw new NeuroLensException(option + " " + dir + ": cannot list the directory (" + e.getMessage() + ")", e);
    }
    if (!foreign.isEmpty()) {
      throw new NeuroLensException(option + " " + dir + ": directory is not empty and holds files this command did not "
          + "write (" + String.join(", ", foreign) + (foreign.size() == 4 ? ", ..." : "")
          + "); choose an empty directory, or pass --overwrite to write " + what + " beside them");
    }
  }

  /** A numeric option's value must be at least {@code min}. */
  static void atLeast(String option, long value, long min) {
    if (value < min) {
      throw new NeuroLensException(option + ": must be >= " + min + ", found " + value);
    }
  }

  /** {@code file} (given by {@code option}; null = not given) must be a file or not exist yet. */
  static void file(String option, Path file) {
    if (file != null && Files.isDirectory(file)) {
      throw new NeuroLensException(option + " " + file + ": must be a file, found a directory");
    }
  }
}
