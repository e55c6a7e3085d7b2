package dev.neurolens.util;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The one shared Jackson mapper, and atomic JSON file writes (temp file + rename). */
public final class Json {
  public static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Json() {}

  /** Serialises {@code value} to one compact line. */
  public static String line(Object value) {
    try {
      return MAPPER.copy().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code value} as pretty JSON to {@code file} atomically: a reader never sees half a file. */
  public static void writeAtomically(Path file, Object value) {
    try {
      AtomicFiles.write(file, tmp -> MAPPER.writeValue(tmp.toFile(), value));
    } catch (IOException e) {
      throw new NeuroLensException(file + ": cannot write JSON (" + e.getMessage() + ")", e);
    }
  }
}
