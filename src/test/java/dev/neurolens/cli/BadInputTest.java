package dev.neurolens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Models;
import dev.neurolens.model.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input on the command line: every case must give exactly one line {@code neurolens: error: ...}
 * on stderr naming the option or file and the value found, exit status 2, no stack trace, and no
 * output left behind.
 */
class BadInputTest {
  @TempDir static Path tmp;
  static Path model;
  static Path corpus;
  static Path store;

  @BeforeAll
  static void buildStore() throws Exception {
    model = tmp.resolve("tiny-model");
    try (EncoderModel m = TinyModels.random(5)) {
      Models.export(m, model);
    }
    corpus = tmp.resolve("src");
    Files.createDirectories(corpus);
    for (int i = 0; i < 3; i++) {
      Files.writeString(corpus.resolve("A" + i + ".java"), """
          class A%d {
            int twice(int x) { return 2 * x + %d; }
            void loop(int n) { for (int i = 0; i < n; i++) { System.out.println(i); } }
          }
          """.formatted(i, i));
    }
    store = tmp.resolve("store");
    CliRun.exec(0, "extract", "--model", model.toString(), "--corpus", corpus.toString(), "--task", "lexical",
        "--out", store.toString(), "--quiet");
  }

  /** Runs {@code args}, expects status 2 and one error line holding every one of {@code expected}. */
  static String error(String[] expected, String... args) {
    String[] r = CliRun.exec(2, args);
    assertEquals("", r[0], "stdout");
    String err = r[1];
    assertFalse(err.contains("\n"), "more than one line on stderr:\n" + err);
    assertTrue(err.startsWith("neurolens: error: "), err);
    for (String e : expected) {
      assertTrue(err.contains(e), "'" + e + "' not in: " + err);
    }
    return err;
  }

  static String[] says(String... parts) {
    return parts;
  }

  @Test
  void badOptionValue_oneLineNamingOptionAndValue_noUsageDump() {
    error(says("--seed", "'abc'", "neurolens probe --help"),
        "probe", "--store", store.toString(), "--task", "lexical", "--out", tmp.resolve("p").toString(), "--seed", "abc");
    error(says("--representative", "'foo'"), "cluster", "--store", store.toString(), "--representative", "foo");
    error(says("--task"), "probe", "--store", store.toString(), "--out", tmp.resolve("p").toString());
    error(says("'--bogus'"), "store", "info", "--bogus", store.toString());
    error(says("'nosuchcommand'"), "nosuchcommand");
    assertFalse(Files.exists(tmp.resolve("p")));
  }

  @Test
  void errorAfterAShortProgressBar_startsItsOwnLine() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty-corpus"));
    String err = CliRun.exec(2, "label", "--corpus", empty.toString(), "--task", "lexical",
        "--out", tmp.resolve("labels-of-nothing").toString())[1];
    String last = err.lines().reduce((a, b) -> b).orElse("");
    assertTrue(last.startsWith("neurolens: error: --corpus " + empty + ": empty corpus"), err);
    assertFalse(Files.exists(tmp.resolve("labels-of-nothing")));
  }

  /** A copy of the test store whose {@code file} is cut to {@code bytes} (deleted when negative). */
  static Path damagedStore(String name, String file, int bytes) throws Exception {
    Path copy = tmp.resolve(name);
    try (Stream<Path> files = Files.walk(store)) {
      for (Path f : files.toList()) {
        Path to = copy.resolve(store.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    Path target = copy.resolve(file);
    if (bytes < 0) {
      Files.delete(target);
    } else {
      byte[] all = Files.readAllBytes(target);
      Files.write(target, java.util.Arrays.copyOf(all, Math.min(bytes, all.length)));
    }
    return copy;
  }

  @Test
  void damagedStore_oneLineNamingTheFile() throws Exception {
    Path manifest = damagedStore("cut-manifest", "manifest.json", 200);
    error(says(manifest.resolve("manifest.json").toString(), "not a valid store manifest"),
        "store", "info", manifest.toString());
    Path tokens = damagedStore("cut-tokens", "chunks/000000/tokens.jsonl", 300);
    error(says("tokens.jsonl", "unreadable line"),
        "probe", "--store", tokens.toString(), "--task", "lexical", "--out", tmp.resolve("po").toString(), "--quiet");
    Path chunk = damagedStore("cut-chunk-record", "chunks/000000/chunk.json", 10);
    error(says("chunk.json", "unreadable chunk record"), "store", "info", chunk.toString());
    Path matrix = damagedStore("cut-matrix", "chunks/000000/blocks.0.resid_post.f16", 100);
    error(says("blocks.0.resid_post.f16", "truncated"), "cluster", "--store", matrix.toString());
    Path gone = damagedStore("no-matrix", "chunks/000000/embed.out.f16", -1);
    error(says("embed.out.f16", "missing"), "similarity", "--store", gone.toString());
    assertFalse(Files.exists(tmp.resolve("po")));
  }

  @Test
  void truncatedRanking_oneLine() throws Exception {
    Path rank = tmp.resolve("rank-out");
    CliRun.exec(0, "rank", "--store", store.toString(), "--task", "lexical", "--method", "probeless",
        "--out", rank.toString(), "--quiet");
    Path cut = tmp.resolve("cut-ranking.json");
    Files.writeString(cut, Files.readString(rank.resolve("ranking.json")).substring(0, 120));
    error(says(cut.toString(), "cannot read ranking"),
        "ablate", "--store", store.toString(), "--task", "lexical", "--ranking", cut.toString(), "--quiet");
  }

  @Test
  void outIsAnExistingFile_rejectedBeforeAnyWork_fileUntouched() throws Exception {
    Path file = tmp.resolve("a-file");
    Files.writeString(file, "keep me");
    String f = file.toString();
    String st = store.toString();
    String[] dir = says("--out " + f, "must be a directory, found an existing file");
    error(dir, "probe", "--store", st, "--task", "lexical", "--out", f, "--quiet");
    error(dir, "rank", "--store", st, "--task", "lexical", "--out", f, "--quiet");
    error(dir, "ablate", "--store", st, "--task", "lexical", "--ranking", f, "--out", f, "--quiet");
    error(dir, "cluster", "--store", st, "--out", f, "--quiet");
    error(dir, "similarity", "--store", st, "--out", f, "--quiet");
    error(dir, "redundancy", "--store", st, "--task", "lexical", "--out", f, "--quiet");
    error(dir, "label", "--corpus", corpus.toString(), "--task", "lexical", "--out", f, "--quiet");
    error(dir, "extract", "--model", model.toString(), "--corpus", corpus.toString(), "--task", "lexical",
        "--out", f, "--quiet");
    error(dir, "analyze", "--model", model.toString(), "--corpus", corpus.toString(), "--max-snippets", "40",
        "--out", f, "--quiet");
    error(dir, "model", "export", "--model", model.toString(), "--out", f);
    error(says(f, "must be a directory"), "store", "export", "--format", "npy", st, f);
    error(says(f, "must be a directory"), "store", "import", "--format", "hdf5", f, f);
    error(says("--keep " + f, "must be a directory"), "bench", "extract", "--model", model.toString(),
        "--corpus", corpus.toString(), "--keep", f, "--quiet");
    assertEquals("keep me", Files.readString(file));
    String[] notDir = says("must be a file, found a directory");
    error(notDir, "report", "--results", f, "--out", tmp.toString());
    error(notDir, "store", "export", "--format", "hdf5", st, tmp.toString());
  }

  @Test
  void extract_badOptionValues_oneLineNamingTheOption_noStore() {
    Path out = tmp.resolve("never-written");
    String[][] cases = {
      {"--chunk-rows", "0", "--chunk-rows: must be >= 1, found 0"},
      {"--chunk-rows", "2000000000", "--chunk-rows: a chunk file must stay under 1 GiB"},
      {"--context", "-1", "--context: must be >= 0, found -1"},
      {"--batch-tokens", "-5", "--batch-tokens: must be >= 0"},
      {"--pack-tokens", "-1", "--pack-tokens: must be >= 0, found -1"},
      {"--dtype", "int8", "--dtype: dtype must be float16 or float32, found 'int8'"},
      {"--aggregation", "max", "--aggregation: aggregation must be first, last or average, found 'max'"},
      {"--hooks", "foo.bar", "--hooks: hook name 'foo.bar'"},
    };
    for (String[] c : cases) {
      error(says(c[2]), "extract", "--model", model.toString(), "--corpus", corpus.toString(), "--task", "lexical",
          "--out", out.toString(), "--quiet", c[0], c[1]);
    }
    assertFalse(Files.exists(out));
  }

  @Test
  void probeRankAblateRedundancyAnalyze_badNumbers_namedAndRejectedBeforeAnyWork() {
    String st = store.toString();
    Path out = tmp.resolve("no-probes");
    String o = out.toString();
    error(says("--epochs: must be >= 1, found 0"), "probe", "--store", st, "--task", "lexical", "--out", o, "--epochs", "0");
    error(says("--batch: must be >= 1, found 0"),
        "rank", "--store", st, "--task", "lexical", "--out", o, "--method", "probeless", "--batch", "0");
    error(says("Invalid value for option '--lr': 'NaN' is not a finite number"), "rank", "--store", st, "--task", "lexical", "--out", o, "--lr", "NaN");
    error(says("--l1: must be a finite number >= 0, found -1.0"), "probe", "--store", st, "--task", "lexical", "--out", o, "--l1", "-1");
    error(says("--percents: every value must be in (0, 100], found 150.0"),
        "ablate", "--store", st, "--task", "lexical", "--ranking", o, "--percents", "5,150");
    error(says("--test-fraction: must be in (0, 1), found 1.5"), "redundancy", "--store", st, "--task", "lexical", "--test-fraction", "1.5");
    error(says("--epochs: must be >= 1, found -2"), "redundancy", "--store", st, "--task", "lexical", "--epochs", "-2");
    String[] analyze = {"analyze", "--model", model.toString(), "--corpus", corpus.toString(), "--max-snippets", "40",
        "--out", o, "--quiet"};
    error(says("--epochs: must be >= 1, found 0"), concat(analyze, "--epochs", "0"));
    error(says("--neurons-per-class: must be >= 0, found -1"), concat(analyze, "--neurons-per-class", "-1"));
    error(says("--pipeline: task 'lexicl' is not one of --tasks [lexical]"),
        concat(analyze, "--tasks", "lexical", "--pipeline", "lexicl"));
    assertFalse(Files.exists(out), "nothing written, not even the store of analyze");
  }

  static String[] concat(String[] a, String... b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @Test
  void benchAndModelCheck_badNumbers_exit2BeforeAnyWork() {
    error(says("--threads: must be >= 1, found 0"), "bench", "probe", "--threads", "0", "--quiet");
    error(says("--layers: must be >= 1, found 0"), "bench", "probe", "--layers", "0", "--quiet");
    error(says("--hidden: must be >= 1, found -1"), "bench", "cluster", "--hidden", "-1", "--quiet");
    error(says("--factors: must be >= 1, found 0"), "bench", "cluster", "--factors", "0", "--quiet");
    error(says("--tokens: must be >= 1, found 0"), "bench", "extract", "--tokens", "0", "--quiet");
    error(says("--tolerance: must be a finite number >= 0, found -1.0"), "model", "check", "--tolerance", "-1");
    error(says("--threads: must be >= 1, found -1"), "model", "check", "--threads", "-1");
    error(says("--batch: must be >= 1, found 0"), "model", "check", "--batch", "0");
  }

  @Test
  void storeImportExport_badFilesAndOptions() throws Exception {
    Path notHdf5 = corpus.resolve("A0.java");
    Path imported = tmp.resolve("imported");
    error(says(notHdf5 + ": not a readable HDF5 file"), "store", "import", "--format", "hdf5",
        notHdf5.toString(), imported.toString());
    Path h5 = tmp.resolve("whole.h5");
    CliRun.exec(0, "store", "export", "--format", "hdf5", store.toString(), h5.toString());
    Path cut = tmp.resolve("cut.h5");
    Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(h5), 3000));
    error(says(cut + ": not a readable HDF5 file"), "store", "import", "--format", "hdf5", cut.toString(), imported.toString());
    assertFalse(Files.exists(imported));
    Path npy = tmp.resolve("npy");
    error(says("--hooks: only for --format hdf5", "[embed.out]"),
        "store", "export", "--format", "npy", "--hooks", "embed.out", store.toString(), npy.toString());
    assertFalse(Files.exists(npy));
    error(says("--hooks: hook name 'foo'"),
        "store", "export", "--format", "hdf5", "--hooks", "foo", store.toString(), tmp.resolve("foo.h5").toString());
  }
}
