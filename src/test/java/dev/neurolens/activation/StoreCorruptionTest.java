package dev.neurolens.activation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Edited and damaged stores: index columns out of range, files changed after extraction, manifests
 * with impossible fields. Each open fails with one line naming the file, the field or row, and
 * the value found; an old manifest without checksums still opens.
 */
class StoreCorruptionTest {
  @TempDir Path tmp;
  Path dir;

  @BeforeEach
  void writeStore() throws Exception {
    dir = tmp.resolve("store");
    Synthetic.write(dir, Synthetic.spec(StoreDtype.FLOAT16, 10), 3, 30, 0);
  }

  private String openError() {
    String m = assertThrows(NeuroLensException.class, () -> ActivationStore.open(dir).close()).getMessage();
    assertFalse(m.contains("\n"), "more than one line: " + m);
    return m;
  }

  private static void assertMentions(String message, String... parts) {
    for (String p : parts) {
      assertTrue(message.contains(p), "'" + message + "' should mention '" + p + "'");
    }
  }

  /** Overwrites the little-endian int at {@code index} of {@code file}. */
  private static void putInt(Path file, int index, int value) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(4 * index, value);
    Files.write(file, b.array());
  }

  private static int getInt(Path file, int index) throws Exception {
    return ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).getInt(4 * index);
  }

  private void editManifest(Consumer<ObjectNode> edit) throws Exception {
    Path m = dir.resolve(StoreManifest.FILE);
    ObjectNode root = (ObjectNode) Json.MAPPER.readTree(m.toFile());
    edit.accept(root);
    Files.writeString(m, root.toPrettyString());
  }

  @Test
  void open_snippetColumnValue1e9_rangeCheckedNamingRowAndValue() throws Exception {
    Path col = StoreFiles.snippetColumn(dir);
    putInt(col, 5, 1_000_000_000);
    assertMentions(openError(), col.toString(), "row 5 has snippet index 1000000000", "outside [0, ");
  }

  @Test
  void open_snippetColumnOutOfOrder_rejected() throws Exception {
    Path col = StoreFiles.snippetColumn(dir);
    int r = 1; // the first snippet boundary inside chunk 0 (which holds >= 10 rows)
    while (getInt(col, r) == getInt(col, r - 1)) {
      r++;
    }
    assertTrue(r < 10);
    int a = getInt(col, r - 1);
    putInt(col, r - 1, a + 1);
    putInt(col, r, a);
    assertMentions(openError(), col.toString(), "row " + r + " has snippet index " + a + " after " + (a + 1));
  }

  @Test
  void open_labelIdOutOfRange_namesTaskAndValue() throws Exception {
    Path f = dir.resolve("labels/0.kind.i32");
    putInt(f, 3, 99);
    assertMentions(openError(), f.toString(), "row 3 has label id 99", "outside [-1, 4)", "task 'kind'");
    putInt(f, 3, -7);
    assertMentions(openError(), "row 3 has label id -7");
  }

  @Test
  void open_inRangeEditOfAColumn_caughtByTheChecksum() throws Exception {
    Path f = dir.resolve("labels/0.kind.i32");
    putInt(f, 3, (getInt(f, 3) + 1) % 4); // another valid label id
    assertMentions(openError(), f.toString(), "checksum crc32c:", "does not match the manifest's crc32c:");
  }

  @Test
  void open_editedChunkRecord_caughtByTheChecksum() throws Exception {
    Path f = StoreFiles.chunkDir(dir, 1).resolve(StoreFiles.CHUNK_JSON);
    Files.writeString(f, Files.readString(f) + " ");
    assertMentions(openError(), f.toString(), "does not match the manifest's");
  }

  @Test
  void open_chunkRecordAtTheWrongRow_rejected() throws Exception {
    Path f = StoreFiles.chunkDir(dir, 1).resolve(StoreFiles.CHUNK_JSON);
    ObjectNode rec = (ObjectNode) Json.MAPPER.readTree(f.toFile());
    rec.put("firstRow", 3);
    Files.writeString(f, rec.toPrettyString());
    assertMentions(openError(), f.toString(), "chunk starts at row 3");
  }

  @Test
  void verify_flippedByteInAMatrix_openPassesVerifyNamesTheFile() throws Exception {
    Path f = StoreFiles.chunkDir(dir, 0).resolve("embed.out.f16");
    byte[] b = Files.readAllBytes(f);
    b[7] ^= 0x10;
    Files.write(f, b);
    try (ActivationStore s = ActivationStore.open(dir)) { // matrices are verified on demand only
      String m = assertThrows(NeuroLensException.class, s::verifyChecksums).getMessage();
      assertMentions(m, f.toString(), "checksum", "re-extract");
    }
  }

  @Test
  void verify_intactStore_coversEveryFileButTheManifest() throws Exception {
    try (ActivationStore s = ActivationStore.open(dir)) {
      ActivationStore.Verification v = s.verifyChecksums().orElseThrow();
      long files;
      try (var walk = Files.walk(dir)) {
        files = walk.filter(Files::isRegularFile).count();
      }
      assertEquals(files - 1, v.files());
      assertEquals(s.bytes() - Files.size(dir.resolve(StoreManifest.FILE)), v.bytes());
    }
  }

  @Test
  void open_manifestWithoutChecksums_stillOpensAndVerifySaysNoneRecorded() throws Exception {
    editManifest(root -> root.remove("checksums"));
    try (ActivationStore s = ActivationStore.open(dir)) {
      assertTrue(s.manifest().checksums().isEmpty());
      assertTrue(s.verifyChecksums().isEmpty());
    }
    // the range checks still guard such a store
    putInt(StoreFiles.snippetColumn(dir), 0, 1_000_000_000);
    assertMentions(openError(), "row 0 has snippet index 1000000000");
  }

  @Test
  void open_missingRecordedFile_namesIt() throws Exception {
    Path f = dir.resolve("labels/2.has_loop.i32");
    editManifest(root -> ((ObjectNode) root.get("checksums")).put("labels/extra.i32", "crc32c:00000000"));
    assertTrue(Files.exists(f));
    assertMentions(openError(), dir.resolve("labels/extra.i32").toString(), "missing");
  }

  @Test
  void open_impossibleManifestFields_oneLineNamingTheField() throws Exception {
    Object[][] cases = {
      {(Consumer<ObjectNode>) r -> ((ArrayNode) r.get("widths")).set(0, 0), "widths[0] (hook embed.out) must be in [1, 1048576], found 0"},
      {(Consumer<ObjectNode>) r -> ((ArrayNode) r.get("widths")).set(1, -3), "widths[1]", "found -3"},
      {(Consumer<ObjectNode>) r -> ((ArrayNode) r.get("hooks")).set(1, "embed.out"), "hooks: 'embed.out' appears twice"},
      {(Consumer<ObjectNode>) r -> ((ArrayNode) r.get("hooks")).set(0, "blocks.x.mlp"), "hooks[0]: hook name 'blocks.x.mlp'"},
      {(Consumer<ObjectNode>) r -> ((ArrayNode) r.get("layers")).set(0, 5), "layers[0] must be 0 (the layer of hook embed.out), found 5"},
      {(Consumer<ObjectNode>) r -> ((ObjectNode) r.get("tasks").get(0)).put("kind", "ORDINAL"),
          "tasks[0] (kind): kind must be CATEGORICAL or NUMERIC, found 'ORDINAL'"},
      {(Consumer<ObjectNode>) r -> ((ObjectNode) r.get("tasks").get(1)).put("level", "FILE"), "level must be TOKEN or SNIPPET, found 'FILE'"},
      {(Consumer<ObjectNode>) r -> ((ObjectNode) r.get("tasks").get(1)).put("name", "kind"), "tasks[1]: task 'kind' appears twice"},
      {(Consumer<ObjectNode>) r -> r.put("chunkRows", -1), "chunkRows must be >= 1", "found -1"},
      {(Consumer<ObjectNode>) r -> r.put("chunkRows", 2_000_000_000), "chunkRows must be >= 1", "found 2000000000"},
      {(Consumer<ObjectNode>) r -> r.put("dtype", "int4"), "dtype must be float16 or float32, found 'int4'"},
      {(Consumer<ObjectNode>) r -> r.put("aggregation", "max"), "aggregation must be first, last or average"},
      {(Consumer<ObjectNode>) r -> r.put("tokens", -4), "tokens and snippets must be in [0, 2^31 - 1], found -4"},
      {(Consumer<ObjectNode>) r -> r.remove("modelId"), "modelId must be a string, found nothing"},
      {(Consumer<ObjectNode>) r -> r.putArray("hooks"), "hooks"},
      {(Consumer<ObjectNode>) r -> ((ObjectNode) r.get("chunks").get(0)).put("rows", -10), "chunks[0] must have rows >= 0", "found rows -10"},
      {(Consumer<ObjectNode>) r -> {
        ((ObjectNode) r.get("chunks").get(0)).put("rows", 2_000_000_000);
        ((ObjectNode) r.get("chunks").get(1)).put("rows", 2_000_000_000);
      }, "chunks hold 4000000", "at most 2^31 - 1"},
      {(Consumer<ObjectNode>) r -> ((ObjectNode) r.get("checksums")).put("../../etc/passwd", "crc32c:00000000"),
          "checksums: key '../../etc/passwd' must be a path inside the store"},
      {(Consumer<ObjectNode>) r -> ((ObjectNode) r.get("checksums")).put("columns/flags.u8", "md5:abc"),
          "checksums['columns/flags.u8'] must be crc32c: and 8 hex digits, found 'md5:abc'"},
      {(Consumer<ObjectNode>) r -> r.put("formatVersion", "one"), "not a valid store manifest"},
    };
    Path m = dir.resolve(StoreManifest.FILE);
    String original = Files.readString(m);
    for (Object[] c : cases) {
      Files.writeString(m, original);
      @SuppressWarnings("unchecked")
      Consumer<ObjectNode> edit = (Consumer<ObjectNode>) c[0];
      editManifest(edit);
      String msg = openError();
      assertMentions(msg, m.toString());
      for (int i = 1; i < c.length; i++) {
        assertMentions(msg, (String) c[i]);
      }
    }
    Files.writeString(m, original);
    ActivationStore.open(dir).close();
  }

  @Test
  void manifest_checksumsAreRecordedSorted_andDocumentedPrefix() throws Exception {
    JsonNode sums = Json.MAPPER.readTree(dir.resolve(StoreManifest.FILE).toFile()).get("checksums");
    assertTrue(sums.has("columns/snippet.i32") && sums.has("chunks/000000/chunk.json")
        && sums.has("chunks/000002/blocks.0.resid_post.f16"), sums.toString());
    sums.fields().forEachRemaining(e -> assertTrue(e.getValue().asText().matches("crc32c:[0-9a-f]{8}")));
  }
}
