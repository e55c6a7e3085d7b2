package dev.neurolens.cli;

import static dev.neurolens.cli.BadInputTest.error;
import static dev.neurolens.cli.BadInputTest.says;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.FloatTensor;
import dev.neurolens.model.Models;
import dev.neurolens.model.TinyModels;
import dev.neurolens.model.safetensors.Safetensors;
import dev.neurolens.util.Json;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input through the command line (issue 17): a config that disagrees with its weights,
 * tokenizers that do not fit the embedding table, NaN weights, edited store columns and manifests.
 * Each gives exit status 2 and one line {@code neurolens: error: ...} naming the file or option.
 */
class HostileInputTest {
  @TempDir static Path tmp;
  static Path model;
  static Path corpus;
  static Path store;
  static int copies;

  @BeforeAll
  static void buildStore() throws Exception {
    model = tmp.resolve("tiny-model");
    try (EncoderModel m = TinyModels.random(5)) {
      Models.export(m, model);
    }
    corpus = tmp.resolve("src");
    Files.createDirectories(corpus);
    for (int i = 0; i < 3; i++) {
      Files.writeString(corpus.resolve("B" + i + ".java"), """
          class B%d {
            int twice(int x) { return 2 * x + %d; }
            boolean odd(int n) { return n %% 2 == 1; }
          }
          """.formatted(i, i));
    }
    store = tmp.resolve("store");
    CliRun.exec(0, "extract", "--model", model.toString(), "--corpus", corpus.toString(), "--task", "lexical",
        "--out", store.toString(), "--quiet");
  }

  /** A copy of {@code dir} (files and sub-directories). */
  static Path copy(Path dir) throws Exception {
    Path to = tmp.resolve(dir.getFileName() + "-copy" + copies++);
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.toList()) {
        Path t = to.resolve(dir.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(t);
        } else {
          Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return to;
  }

  static void editJson(Path file, Consumer<ObjectNode> edit) throws Exception {
    ObjectNode root = (ObjectNode) Json.MAPPER.readTree(file.toFile());
    edit.accept(root);
    Files.writeString(file, root.toPrettyString());
  }

  @Test
  void modelInfo_numHiddenLayersMaxInt_exit2WithoutHanging() throws Exception {
    Path dir = copy(model);
    editJson(dir.resolve("config.json"), c -> c.put("num_hidden_layers", Integer.MAX_VALUE));
    long t0 = System.nanoTime();
    error(says("model.safetensors: the weights hold 2 encoder layers", "num_hidden_layers = 2147483647",
        "the config and the weights disagree"), "model", "info", "--model", dir.toString());
    assertTrue(System.nanoTime() - t0 < 20e9, "took " + (System.nanoTime() - t0) / 1e9 + " s");
  }

  @Test
  void modelInfo_configWithFewerLayersThanTheWeights_exit2() throws Exception {
    Path dir = copy(model);
    editJson(dir.resolve("config.json"), c -> c.put("num_hidden_layers", 1));
    error(says("the weights hold 2 encoder layers", "num_hidden_layers = 1", "disagree"),
        "model", "info", "--model", dir.toString());
  }

  @Test
  void modelInfoAndExtract_tokenizerId3e9_exit2() throws Exception {
    Path dir = copy(model);
    editJson(dir.resolve("tokenizer.json"),
        t -> ((ObjectNode) t.get("model").get("vocab")).put("zzz", 3_000_000_000L));
    String[] expected = says("tokenizer.json", "token \"zzz\" has id 3000000000", "must be integers in [0, ");
    error(expected, "model", "info", "--model", dir.toString());
    error(expected, "extract", "--model", dir.toString(), "--corpus", corpus.toString(), "--task", "lexical",
        "--out", tmp.resolve("never-3e9").toString(), "--quiet");
    assertFalse(Files.exists(tmp.resolve("never-3e9")));
  }

  @Test
  void modelInfo_wordPieceWithoutUnk_exit2() throws Exception {
    Path dir = copy(model);
    editJson(dir.resolve("tokenizer.json"), t -> ((ObjectNode) t.get("model").get("vocab")).remove("[UNK]"));
    error(says("tokenizer.json", "model.unk_token \"[UNK]\" is not in the WordPiece vocabulary"),
        "model", "info", "--model", dir.toString());
  }

  @Test
  void extract_nanWeights_exit2NamingTheHook_orStoredWithAllowNonFinite() throws Exception {
    Path dir = copy(model);
    Path st = dir.resolve("model.safetensors");
    Map<String, FloatTensor> w = new LinkedHashMap<>(Safetensors.read(st));
    String ln = "bert.embeddings.LayerNorm.weight";
    float[] gain = w.get(ln).data().clone();
    gain[3] = Float.NaN;
    w.put(ln, new FloatTensor(w.get(ln).shape(), gain));
    Safetensors.write(st, w);
    Path out = tmp.resolve("nan-store");
    String[] args = {"extract", "--model", dir.toString(), "--corpus", corpus.toString(), "--task", "lexical",
        "--out", out.toString(), "--quiet"};
    error(says("extract: hook embed.out", "produced NaN at neuron 3", "--allow-non-finite"), args);
    String[] allow = Arrays.copyOf(args, args.length + 2);
    allow[args.length] = "--allow-non-finite";
    allow[args.length + 1] = "--overwrite";
    CliRun.exec(0, allow);
    JsonNode info = CliRun.json(0, "store", "info", "--json", "--verify", out.toString());
    assertTrue(info.get("tokens").asInt() > 0);
  }

  @Test
  void storeInfoAndProbe_snippetColumnValue1e9_exit2() throws Exception {
    Path s = copy(store);
    Path col = s.resolve("columns/snippet.i32");
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(col)).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(4 * 2, 1_000_000_000);
    Files.write(col, b.array());
    String[] expected = says(col.toString(), "row 2 has snippet index 1000000000", "outside [0, ");
    error(expected, "store", "info", s.toString());
    error(expected, "probe", "--store", s.toString(), "--task", "lexical", "--out", tmp.resolve("p1e9").toString(),
        "--quiet");
    assertFalse(Files.exists(tmp.resolve("p1e9")));
  }

  @Test
  void storeInfoVerify_intact_checksumsMatch() throws Exception {
    String out = CliRun.exec(0, "store", "info", "--verify", store.toString())[0];
    assertTrue(out.contains("match their crc32c checksums"), out);
    JsonNode j = CliRun.json(0, "store", "info", "--json", "--verify", store.toString());
    assertEquals("crc32c", j.get("verified").get("checksums").asText());
    assertTrue(j.get("verified").get("files").asInt() > 5);
  }

  @Test
  void storeInfoVerify_storeWithoutChecksums_saysNoneRecorded() throws Exception {
    Path s = copy(store);
    editJson(s.resolve("manifest.json"), m -> m.remove("checksums"));
    String out = CliRun.exec(0, "store", "info", "--verify", s.toString())[0];
    assertTrue(out.contains("no checksums recorded"), out);
  }

  @Test
  void storeInfoVerify_flippedMatrixByte_exit2NamingTheFile() throws Exception {
    Path s = copy(store);
    Path f = s.resolve("chunks/000000/blocks.1.resid_post.f16");
    byte[] bytes = Files.readAllBytes(f);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(f, bytes);
    CliRun.exec(0, "store", "info", s.toString()); // open verifies the small files only
    error(says(f.toString(), "checksum crc32c:", "does not match the manifest's"),
        "store", "info", "--verify", s.toString());
  }

  @Test
  void storeInfo_editedChunkRecordOrTruncatedTokens_exit2() throws Exception {
    Path s = copy(store);
    Path rec = s.resolve("chunks/000000/chunk.json");
    Files.writeString(rec, Files.readString(rec).replace("{", "{ "));
    error(says(rec.toString(), "does not match the manifest's"), "store", "info", s.toString());
    Path t = copy(store);
    Path tokens = t.resolve("chunks/000000/tokens.jsonl");
    Files.write(tokens, Arrays.copyOf(Files.readAllBytes(tokens), 50));
    error(says(tokens.toString(), "does not match the manifest's"), "store", "info", "--verify", t.toString());
  }

  @Test
  void storeInfo_impossibleManifestFields_exit2NamingTheField() throws Exception {
    Object[][] cases = {
      {(Consumer<ObjectNode>) m -> ((ArrayNode) m.get("widths")).set(0, 0), "widths[0] (hook embed.out) must be in [1, 1048576], found 0"},
      {(Consumer<ObjectNode>) m -> ((ArrayNode) m.get("hooks")).set(1, "embed.out"), "hooks: 'embed.out' appears twice"},
      {(Consumer<ObjectNode>) m -> ((ObjectNode) m.get("tasks").get(0)).put("kind", "ORDINAL"),
          "kind must be CATEGORICAL or NUMERIC, found 'ORDINAL'"},
      {(Consumer<ObjectNode>) m -> m.put("chunkRows", -1), "chunkRows must be >= 1", "found -1"},
    };
    for (Object[] c : cases) {
      Path s = copy(store);
      @SuppressWarnings("unchecked")
      Consumer<ObjectNode> edit = (Consumer<ObjectNode>) c[0];
      editJson(s.resolve("manifest.json"), edit);
      String[] expected = new String[c.length];
      expected[0] = s.resolve("manifest.json").toString();
      for (int i = 1; i < c.length; i++) {
        expected[i] = (String) c[i];
      }
      error(expected, "store", "info", s.toString());
    }
  }
}
