package dev.neurolens.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory figures of this process from Linux's {@code /proc/self/status}, for the benchmarks.
 *
 * <p>Usage: {@code long peak = ProcStatus.bytes("VmHWM:");}
 */
public final class ProcStatus {
  private ProcStatus() {}

  /** A kB field such as {@code VmHWM:} (peak RSS), {@code RssAnon:} or {@code RssFile:}, in bytes; -1 where /proc is missing. */
  public static long bytes(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
