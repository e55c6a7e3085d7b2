package dev.neurolens.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a JSONL dataset line by line ({@code {"code", "label", "lang"}} per line), holding one
 * line at a time: the file has no size cap, each line has one ({@code maxLineBytes}, the corpus
 * reader's per-file cap, since a line is one snippet).
 *
 * <p>A line over the cap is skipped as {@code too-large} (the rest of it is read and dropped, never
 * kept); a line that is not UTF-8 as {@code not-utf8}; code with a line over {@code maxLineChars}
 * as {@code long-line}. Each skip is reported as {@code file#line}. A line that is not a JSON
 * object with a {@code "code"} string is an error, as is a missing language.
 */
final class JsonlLines {
  /** Receives what the file holds. */
  interface Sink {
    void snippet(CorpusReader.Candidate c);

    void skip(String name, String reason);
  }

  private JsonlLines() {}

  /**
   * Reads {@code in} (the file {@code name}) into {@code sink}.
   *
   * @param lang language of lines without a {@code "lang"} field, or null
   * @return the number of non-blank lines, or -1 when the file is binary (a NUL byte in its first
   *     8 KiB)
   * @throws SourceFiles.Skip when the stream itself gives up (a zip-bomb guard)
   */
  static int read(InputStream raw, String name, Language lang, long maxLineBytes, int maxLineChars, Sink sink)
      throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw, 64 * 1024);
    in.mark(8192);
    byte[] head = in.readNBytes(8192);
    for (byte b : head) {
      if (b == 0) {
        return -1;
      }
    }
    in.reset();
    Lines reader = new Lines(in, maxLineBytes);
    int lines = 0;
    for (int lineNo = 1; reader.next(); lineNo++) {
      int n = reader.length;
      byte[] buf = reader.line;
      String where = name + "#" + lineNo;
      if (reader.tooLong) {
        lines++;
        sink.skip(where, "too-large");
        continue;
      }
      if (n > 0 && buf[n - 1] == '\r') {
        n--;
      }
      String text = decode(buf, n);
      if (text == null) {
        lines++;
        sink.skip(where, "not-utf8");
        continue;
      }
      if (lineNo == 1 && text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
      if (text.isBlank()) {
        continue;
      }
      lines++;
      CorpusReader.Candidate cand = parse(name, lineNo, text, lang);
      if (CorpusReader.longestLine(cand.snippet().code()) > maxLineChars) {
        sink.skip(where, "long-line");
      } else {
        sink.snippet(cand);
      }
    }
    return lines;
  }

  /** Splits a stream at {@code '\n'}, keeping at most {@code max} bytes of a line. */
  private static final class Lines {
    private final InputStream in;
    private final long max;
    private final byte[] chunk = new byte[64 * 1024];
    private int pos;
    private int lim;
    /** The current line is {@code line[0..length)}, unless {@code tooLong} (then it was dropped). */
    byte[] line = new byte[8192];
    int length;
    boolean tooLong;

    Lines(InputStream in, long max) {
      this.in = in;
      this.max = max;
    }

    /** Moves to the next line; false at the end of the stream. */
    boolean next() throws IOException {
      length = 0;
      tooLong = false;
      boolean any = false;
      while (true) {
        if (pos == lim) {
          lim = in.read(chunk, 0, chunk.length);
          pos = 0;
          if (lim <= 0) {
            lim = 0;
            return any;
          }
        }
        any = true;
        int nl = pos;
        while (nl < lim && chunk[nl] != '\n') {
          nl++;
        }
        append(pos, nl);
        pos = nl;
        if (nl < lim) {
          pos++;
          return true;
        }
      }
    }

    private void append(int from, int to) {
      int k = to - from;
      if (tooLong || k == 0) {
        return;
      }
      if (length + (long) k > max) {
        tooLong = true;
        return;
      }
      if (length + k > line.length) {
        line = Arrays.copyOf(line, (int) Math.min(max, Math.max((long) length + k, 2L * line.length)));
      }
      System.arraycopy(chunk, from, line, length, k);
      length += k;
    }
  }

  private static CorpusReader.Candidate parse(String name, int lineNo, String line, Language lang) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(line);
    } catch (IOException e) {
      throw new NeuroLensException(name + ":" + lineNo + ": not valid JSON (" + NeuroLensException.reason(e) + ")");
    }
    if (node == null || !node.isObject() || !node.path("code").isTextual()) {
      throw new NeuroLensException(name + ":" + lineNo + ": each line must be an object with a \"code\" string");
    }
    Language l = node.path("lang").isTextual() ? Languages.byName(node.get("lang").asText()) : lang;
    if (l == null) {
      throw new NeuroLensException(name + ":" + lineNo + ": no \"lang\" field; give the language with --lang");
    }
    String code = node.get("code").asText();
    String label = node.path("label").isMissingNode() || node.path("label").isNull() ? null : node.get("label").asText();
    return new CorpusReader.Candidate(new Snippet(name + "#" + lineNo, name, l.name(), code, 1, 0, label), -1);
  }

  private static String decode(byte[] buf, int n) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(buf, 0, n))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
