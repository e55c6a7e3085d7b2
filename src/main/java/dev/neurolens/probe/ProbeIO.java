package dev.neurolens.probe;

import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Saves and loads probes as one JSON file (weights, bias, label names, feature ids,
 * standardisation, provenance). Floats are written in their shortest exact form, so a loaded probe
 * predicts exactly like the saved one.
 *
 * <p>Usage: {@code ProbeIO.save(probe, Path.of("probe.json")); Probe again = ProbeIO.load(Path.of("probe.json"))}
 */
public final class ProbeIO {

  private ProbeIO() {}

  /** Writes {@code probe} to {@code file} atomically (a reader never sees half a file). */
  public static void save(Probe probe, Path file) {
    Json.writeAtomically(file, probe);
  }

  /** Reads a probe written by {@link #save}. */
  public static Probe load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new NeuroLensException(file + ": probe file not found");
    }
    try {
      return Json.MAPPER.readValue(file.toFile(), Probe.class);
    } catch (IOException | IllegalArgumentException e) {
      throw new NeuroLensException(file + ": not a NeuroLens probe (" + e.getMessage() + ")", e);
    }
  }
}
