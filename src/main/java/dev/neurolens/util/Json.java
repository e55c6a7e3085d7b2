package dev.neurolens.util;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The one shared Jackson mapper, and atomic JSON file writes (temp file + rename).
 *
 * <p>Usage: {@code Json.writeAtomically(Path.of("probe.json"), probe); JsonNode n = Json.readObject(file, hint)}
 */
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

  /**
   * Reads a file holding one JSON object; accepts bare {@code NaN}/{@code Infinity} tokens as well
   * as Jackson's quoted form.
   *
   * @param hint what to do when the file is missing (e.g. "run `neurolens analyze` first")
   * @throws NeuroLensException naming the file when it is missing, unreadable, not JSON or not an
   *     object (with the line and column of a syntax error)
   */
  public static JsonNode readObject(Path file, String hint) {
    JsonNode root;
    try {
      byte[] bytes = Files.readAllBytes(file);
      root = MAPPER.reader().with(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).readTree(bytes);
    } catch (NoSuchFileException e) {
      throw new NeuroLensException(file + ": file not found (" + hint + ")", e);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr();
      throw new NeuroLensException(file + ": not valid JSON" + where + " ("
          + e.getOriginalMessage().lines().findFirst().orElse("") + ")", e);
    } catch (IOException e) {
      throw new NeuroLensException(file + ": cannot read (" + e + ")", e);
    }
    if (root == null || root.isMissingNode() || !root.isObject()) {
      throw new NeuroLensException(file + ": expected a JSON object at the top level, found "
          + (root == null || root.isMissingNode() ? "an empty file" : root.getNodeType().toString().toLowerCase()));
    }
    return root;
  }
}
