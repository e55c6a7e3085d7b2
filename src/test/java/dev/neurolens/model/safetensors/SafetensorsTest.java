package dev.neurolens.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.model.FloatTensor;
import dev.neurolens.util.NeuroLensException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading and writing safetensors, including hostile files. */
class SafetensorsTest {
  @TempDir Path tmp;

  /** A file with the given header JSON and data bytes. */
  Path file(String name, String header, byte[] data) throws Exception {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    Path p = tmp.resolve(name);
    Files.write(p, b.array());
    return p;
  }

  static byte[] shorts(int... v) {
    ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int x : v) {
      b.putShort((short) x);
    }
    return b.array();
  }

  @Test
  void writeThenRead_f32_roundTrip() {
    Map<String, FloatTensor> t = new LinkedHashMap<>();
    t.put("a.weight", new FloatTensor(new long[] {2, 3}, new float[] {1, -2, 3.5f, 0, Float.MIN_VALUE, 1e30f}));
    t.put("b", new FloatTensor(new long[] {1}, new float[] {7}));
    Path p = tmp.resolve("m.safetensors");
    Safetensors.write(p, t);
    assertEquals(t, Safetensors.read(p));
  }

  @Test
  void read_f16AndBf16_handDecodedValues() throws Exception {
    // f16: 1.0 = 0x3C00, -2.0 = 0xC000, 0.5 = 0x3800, smallest subnormal 0x0001 = 2^-24, +inf 0x7C00
    // bf16: 1.0 = 0x3F80, -0.5 = 0xBF00, 3.0 = 0x4040
    byte[] f16 = shorts(0x3C00, 0xC000, 0x3800, 0x0001, 0x7C00);
    byte[] bf16 = shorts(0x3F80, 0xBF00, 0x4040);
    byte[] data = new byte[f16.length + bf16.length];
    System.arraycopy(f16, 0, data, 0, f16.length);
    System.arraycopy(bf16, 0, data, f16.length, bf16.length);
    Path p = file("h.safetensors", "{\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]},"
        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[10,16]},\"__metadata__\":{\"format\":\"pt\"}}", data);
    Map<String, FloatTensor> t = Safetensors.read(p);
    assertArrayEquals(new float[] {1f, -2f, 0.5f, 0x1p-24f, Float.POSITIVE_INFINITY}, t.get("h").data());
    assertArrayEquals(new float[] {1f, -0.5f, 3f}, t.get("b").data());
  }

  @Test
  void read_hostileFiles_clearErrors() throws Exception {
    byte[] four = new byte[16];
    assertError(tmp.resolve("tiny.safetensors"), "at least 8 bytes", p -> Files.write(p, new byte[3]));
    Path huge = tmp.resolve("huge.safetensors");
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).putLong(0);
    Files.write(huge, b.array());
    expect(huge, "header length");
    expect(file("json.safetensors", "{not json", four), "not valid JSON");
    expect(file("out.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[0,32]}}", four),
        "inside the data section");
    expect(file("shape.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", four),
        "needs 12");
    expect(file("neg.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", four),
        "integers >= 0");
    NeuroLensException e = assertThrows(NeuroLensException.class, () -> Safetensors.read(
        file("i64.safetensors", "{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", four)));
    assertTrue(e.getMessage().contains("i64.safetensors") && e.getMessage().contains("'ids'")
        && e.getMessage().contains("I64"), e.getMessage());
    // a tensor NeuroLens does not want may have any dtype, as long as its bounds are sound
    Path skip = file("skip.safetensors", "{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", four);
    assertTrue(Safetensors.read(skip, n -> false).isEmpty());
  }

  @Test
  void read_truncatedWrittenFile_namesFileAndTensor() throws Exception {
    Path p = tmp.resolve("t.safetensors");
    Safetensors.write(p, Map.of("w", new FloatTensor(new long[] {4, 4}, new float[16])));
    byte[] all = Files.readAllBytes(p);
    Files.write(p, java.util.Arrays.copyOf(all, all.length - 10));
    NeuroLensException e = assertThrows(NeuroLensException.class, () -> Safetensors.read(p));
    assertTrue(e.getMessage().contains("t.safetensors") && e.getMessage().contains("'w'"), e.getMessage());
  }

  interface Writer {
    void write(Path p) throws Exception;
  }

  void assertError(Path p, String fragment, Writer w) throws Exception {
    w.write(p);
    expect(p, fragment);
  }

  static void expect(Path p, String fragment) {
    NeuroLensException e = assertThrows(NeuroLensException.class, () -> Safetensors.read(p));
    assertTrue(e.getMessage().contains(fragment) && e.getMessage().contains(p.getFileName().toString()),
        e.getMessage());
  }
}
