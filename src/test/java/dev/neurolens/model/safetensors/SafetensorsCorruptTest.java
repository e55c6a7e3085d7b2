package dev.neurolens.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.util.NeuroLensException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupt safetensors files: each is rejected with one line naming the file, the rule and the
 * value found, before any tensor is allocated.
 */
class SafetensorsCorruptTest {
  @TempDir Path tmp;
  int files;

  /** A file: an 8-byte little-endian {@code headerLength}, the header text, {@code dataBytes} zeros. */
  Path file(long headerLength, String header, int dataBytes) throws Exception {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(headerLength).put(h);
    Path p = tmp.resolve("f" + files++ + ".safetensors");
    Files.write(p, b.array());
    return p;
  }

  Path file(String header, int dataBytes) throws Exception {
    return file(header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
  }

  static String f32(String name, String shape, long begin, long end) {
    return "\"" + name + "\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
  }

  /** Reads {@code p}, expects one NeuroLensException line naming the file and every fragment. */
  static String rejects(Path p, String... fragments) {
    String m = assertThrows(NeuroLensException.class, () -> Safetensors.read(p)).getMessage();
    assertFalse(m.contains("\n"), "more than one line: " + m);
    assertTrue(m.startsWith(p.toString() + ": "), m);
    for (String f : fragments) {
      assertTrue(m.contains(f), "'" + f + "' not in: " + m);
    }
    return m;
  }

  @Test
  void read_headerLength2pow63_rejectedWithTheValue() throws Exception {
    rejects(file(Long.MIN_VALUE, "{}", 0), "header length", "found -9223372036854775808");
    rejects(file(Long.MAX_VALUE, "{}", 0), "header length", "found 9223372036854775807");
    rejects(file(Safetensors.MAX_HEADER_BYTES + 1, "{}", 0), "header length", "found 104857601");
  }

  @Test
  void read_headerNotJson_rejected() throws Exception {
    rejects(file("{\"w\": [1, 2", 0), "not valid JSON");
    rejects(file("[1, 2, 3]", 0), "must be a JSON object");
    rejects(file("\"text\"", 0), "must be a JSON object");
    rejects(file("{\"w\": 3}", 0), "tensor 'w'", "must have dtype, shape and data_offsets");
    rejects(file("{" + f32("w", "[1]", 0, 4).replace("[0,4]", "[\"0\",\"4\"]") + "}", 4),
        "tensor 'w'", "data_offsets must be integers");
    rejects(file("{" + f32("w", "[1]", 0, 4).replace("[0,4]", "[0.5,4]") + "}", 4), "data_offsets must be integers");
  }

  @Test
  void read_duplicateKeys_namesTheKey() throws Exception {
    rejects(file("{" + f32("w", "[1]", 0, 4) + "," + f32("w", "[1]", 4, 8) + "}", 8), "repeats the key 'w'");
    rejects(file("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
        "repeats the key 'dtype'");
  }

  @Test
  void read_offsetsPastTheEnd_orReversed_orNegative_rejected() throws Exception {
    rejects(file("{" + f32("w", "[4]", 0, 16) + "}", 12), "tensor 'w'", "[0, 16]", "inside the data section [0, 12]");
    rejects(file("{" + f32("w", "[1]", 8, 4) + "}", 12), "tensor 'w'", "[8, 4]");
    rejects(file("{" + f32("w", "[1]", -4, 0) + "}", 12), "tensor 'w'", "[-4, 0]");
    rejects(file("{" + f32("w", "[1]", 0, Long.MAX_VALUE) + "}", 4), "tensor 'w'", "9223372036854775807");
    rejects(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,99999999999999999999]}}", 4),
        "tensor 'w'", "data_offsets must be integers");
  }

  @Test
  void read_overlappingOffsets_namesBothTensors() throws Exception {
    String m = rejects(file("{" + f32("a", "[2]", 0, 8) + "," + f32("b", "[2]", 4, 12) + "}", 12),
        "'a' [0, 8]", "'b' [4, 12]", "overlap");
    assertTrue(m.contains("must not share bytes"), m);
    // the same bytes claimed twice, listed in reverse order
    rejects(file("{" + f32("b", "[2]", 0, 8) + "," + f32("a", "[2]", 0, 8) + "}", 8), "overlap", "'a'", "'b'");
  }

  @Test
  void read_gapsOrTrailingBytes_rejected() throws Exception {
    rejects(file("{" + f32("a", "[2]", 0, 8) + "," + f32("b", "[2]", 12, 20) + "}", 20),
        "tensor 'b' [12, 20]", "gap after byte 8");
    rejects(file("{" + f32("a", "[2]", 0, 8) + "}", 12), "cover 8 bytes of the 12-byte data section");
  }

  @Test
  void read_dtypeTimesShapeMismatch_namesBoth() throws Exception {
    rejects(file("{\"w\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
        "tensor 'w'", "span 8 bytes", "BF16 x [3] needs 6");
    rejects(file("{" + f32("w", "[2,3]", 0, 20) + "}", 20), "F32 x [2,3] needs 24");
  }

  @Test
  void read_overflowingDims_rejectedWithoutAllocating() throws Exception {
    rejects(file("{" + f32("w", "[4294967296,4294967296]", 0, 4) + "}", 4), "tensor 'w'", "overflows");
    rejects(file("{" + f32("w", "[4611686018427387904]", 0, 4) + "}", 4), "tensor 'w'", "byte size", "overflows");
    rejects(file("{" + f32("w", "[-1,-4]", 0, 16) + "}", 16), "tensor 'w'", "integers >= 0");
    rejects(file("{" + f32("w", "[1e3]", 0, 16) + "}", 16), "tensor 'w'", "integers >= 0");
    // huge but consistent: shape x dtype matches the offsets, the file does not hold the bytes
    rejects(file("{" + f32("w", "[1073741824]", 0, 4294967296L) + "}", 4), "tensor 'w'", "inside the data section");
  }

  @Test
  void read_wellFormedEmptyFile_givesNoTensors() throws Exception {
    assertEquals(0, Safetensors.read(file("{\"__metadata__\":{\"format\":\"pt\"}}", 0)).size());
  }
}
