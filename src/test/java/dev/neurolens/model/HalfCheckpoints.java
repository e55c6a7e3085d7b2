package dev.neurolens.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.neurolens.model.safetensors.Safetensors;
import dev.neurolens.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Test helpers for 16-bit checkpoints: a copy of a model directory whose {@code model.safetensors}
 * holds every tensor as F16 or BF16 (written here, independently of the reader: BF16 rounds to
 * nearest even, F16 truncates and flushes values below 2^-14 to zero), and the byte count of a
 * checkpoint's tensors read straight from its header.
 */
public final class HalfCheckpoints {
  private HalfCheckpoints() {}

  /** Copies {@code dir} to {@code out} with its weights stored as {@code dtype} ("F16" or "BF16"). */
  public static Path copyAs(Path dir, Path out, String dtype) {
    try {
      Files.createDirectories(out);
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.toList()) {
          if (!f.getFileName().toString().equals("model.safetensors")) {
            Files.copy(f, out.resolve(f.getFileName()));
          }
        }
      }
      Map<String, FloatTensor> w = Safetensors.read(dir.resolve("model.safetensors"));
      ObjectNode header = Json.MAPPER.createObjectNode();
      long offset = 0;
      for (Map.Entry<String, FloatTensor> e : w.entrySet()) {
        ObjectNode n = header.putObject(e.getKey());
        n.put("dtype", dtype);
        var shape = n.putArray("shape");
        for (long d : e.getValue().shape()) {
          shape.add(d);
        }
        long bytes = 2L * e.getValue().data().length;
        n.putArray("data_offsets").add(offset).add(offset + bytes);
        offset += bytes;
      }
      byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
      int padded = (json.length + 7) / 8 * 8;
      ByteBuffer b = ByteBuffer.allocate((int) (8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
      b.putLong(padded).put(json);
      while (b.position() < 8 + padded) {
        b.put((byte) ' ');
      }
      for (FloatTensor t : w.values()) {
        for (float v : t.data()) {
          b.putShort(dtype.equals("BF16") ? toBf16(v) : toHalf(v));
        }
      }
      Files.write(out.resolve("model.safetensors"), b.array());
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static short toBf16(float v) {
    int bits = Float.floatToRawIntBits(v);
    return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
  }

  static short toHalf(float v) {
    int bits = Float.floatToRawIntBits(v);
    int sign = (bits >>> 16) & 0x8000;
    int exp = ((bits >>> 23) & 0xff) - 127;
    if (exp < -14) {
      return (short) sign;
    }
    if (exp > 15) {
      throw new IllegalArgumentException("out of float16 range: " + v);
    }
    return (short) (sign | ((exp + 15) << 10) | ((bits & 0x7fffff) >>> 13));
  }

  /**
   * Bytes the tensors of {@code file} that {@code canonicalName} keeps take when matrices are held
   * in 2 bytes a value and vectors in 4 ({@code matrixBytes} = 2), or all in 4 ({@code matrixBytes}
   * = 4): computed from the JSON header alone.
   */
  static long residentBytes(Path file, UnaryOperator<String> canonicalName, int matrixBytes) throws IOException {
    byte[] all = Files.readAllBytes(file);
    long len = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    JsonNode h = Json.MAPPER.readTree(new String(all, 8, (int) len, StandardCharsets.UTF_8));
    long total = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__") || canonicalName.apply(e.getKey()) == null) {
        continue;
      }
      long n = 1;
      for (JsonNode d : e.getValue().get("shape")) {
        n *= d.asLong();
      }
      total += n * (e.getValue().get("shape").size() >= 2 ? matrixBytes : 4);
    }
    return total;
  }
}
