package dev.neurolens.util;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Paths written into shareable results (results.json, report.html, compare.json): made relative
 * to the output directory, so that a report sent to a colleague does not carry the author's home
 * directory, and still resolves when the output folder moves together with its inputs.
 *
 * <p>Usage: {@code PathText.relativeTo(outDir, "/home/ana/src")} gives {@code "../src"} for
 * {@code outDir = /home/ana/out}; {@code "default"} stays {@code "default"}.
 */
public final class PathText {
  private PathText() {}

  /**
   * {@code text} relative to {@code base} when it names an absolute path or an existing file or
   * directory; any other text (a model name, "default", null) unchanged.
   */
  public static String relativeTo(Path base, String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    Path p;
    try {
      p = Path.of(text);
    } catch (InvalidPathException e) {
      return text;
    }
    if (!p.isAbsolute() && !Files.exists(p)) {
      return text;
    }
    Path from = base.toAbsolutePath().normalize();
    Path to = p.toAbsolutePath().normalize();
    if (from.getRoot() == null || !from.getRoot().equals(to.getRoot())) {
      return to.getFileName() == null ? text : to.getFileName().toString();
    }
    String rel = from.relativize(to).toString();
    return rel.isEmpty() ? "." : rel;
  }
}
