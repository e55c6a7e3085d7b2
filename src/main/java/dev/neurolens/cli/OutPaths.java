package dev.neurolens.cli;

import dev.neurolens.util.NeuroLensException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks of output paths and option values made before a command starts its work (not after minutes of it). */
final class OutPaths {
  private OutPaths() {}

  /** {@code dir} (given by {@code option}; null = not given) must be a directory or not exist yet. */
  static void directory(String option, Path dir) {
    if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new NeuroLensException(option + " " + dir + ": must be a directory, found an existing file");
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
