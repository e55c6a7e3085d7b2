package dev.neurolens.corpus;

import static dev.neurolens.corpus.HostileFiles.JAVA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.util.NeuroLensException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile corpora (issue 17): reading decides by name, caps every read, and counts what it skips. */
class CorpusLimitsTest {
  @TempDir Path dir;

  private static final String B = "class B {\n  int two() { return 2; }\n}\n";
  private static final String C = "class C {\n  int three() { return 3; }\n}\n";

  private static final long MB = 1L << 20;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, text, StandardCharsets.UTF_8);
  }

  private static List<String> methods(Corpus c) {
    return c.snippets().stream().map(s -> s.id().substring(s.id().indexOf('#') + 1)).toList();
  }

  @Test
  void read_zipBombEntry_skippedFromItsDeclaredRatio() throws IOException {
    Path zip = HostileFiles.zip(dir.resolve("bomb.zip"), 100 * MB, "p/A.java", JAVA, "p/Bomb.java", null);
    Corpus c = CorpusReader.builder().optMaxFileBytes(512 * MB).build().read(zip.toString());
    assertEquals(Map.of("zip-bomb", 1), c.stats().skippedFiles());
    assertEquals(List.of("one@2"), methods(c));
  }

  @Test
  void read_entryDeclaringASmallSize_guardStopsInflating() throws IOException {
    Path zip = HostileFiles.zip(dir.resolve("lie.zip"), 100 * MB, "p/A.java", JAVA, "p/Lie.java", null);
    HostileFiles.declareSize(zip, "p/Lie.java", 10);
    // Read to its end, the entry would be 100 MB of zeros ("binary"); the ratio guard stops it at
    // 100 x its compressed size (about 10 MB), far below this cap.
    Corpus high = CorpusReader.builder().optMaxFileBytes(512 * MB).build().read(zip.toString());
    assertEquals(Map.of("zip-bomb", 1), high.stats().skippedFiles());
    // With the default cap the read stops at 2 MiB first.
    Corpus dflt = CorpusReader.builder().build().read(zip.toString());
    assertEquals(Map.of("too-large", 1), dflt.stats().skippedFiles());
    assertEquals(List.of("one@2"), methods(dflt));
  }

  @Test
  void read_archiveOverItsBudget_laterEntriesSkippedAsZipBomb() throws IOException {
    Path zip = HostileFiles.zip(dir.resolve("many.zip"), 0, "p/A.java", JAVA, "p/B.java", B, "p/C.java", C, "p/D.java",
        "class D { int four() { return 4; } }");
    long budget = JAVA.length() + B.length() + 1; // A and B fit, C crosses the budget, D comes after it
    Corpus c = CorpusReader.builder().optMaxArchiveBytes(budget).build().read(zip.toString());
    assertEquals(Map.of("zip-bomb", 2), c.stats().skippedFiles());
    assertEquals(List.of("one@2", "two@2"), methods(c));
  }

  @Test
  void read_jsonlEntryOverTheArchiveBudget_noneOfItsLinesKept() throws IOException {
    StringBuilder jsonl = new StringBuilder();
    for (int i = 0; jsonl.length() < 200_000; i++) {
      jsonl.append("{\"code\": \"int m").append(i).append("() { return ").append(i).append("; }\", \"lang\": \"java\"}\n");
    }
    Path zip = HostileFiles.zip(dir.resolve("data.zip"), 0, "a/A.java", JAVA, "b/d.jsonl", jsonl.toString());
    Corpus whole = CorpusReader.builder().build().read(zip.toString());
    assertTrue(whole.snippets().size() > 1000, "snippets " + whole.snippets().size());
    // The budget runs out after the first chunks of the JSONL entry: the lines read so far are dropped too.
    Corpus c = CorpusReader.builder().optMaxArchiveBytes(100_000).build().read(zip.toString());
    assertEquals(Map.of("zip-bomb", 1), c.stats().skippedFiles());
    assertEquals(List.of("one@2"), methods(c));
  }

  @Test
  void read_largeNonCodeEntries_neverInflated() throws IOException {
    Path jar = HostileFiles.zip(dir.resolve("assets.jar"), 32 * MB, "p/A.java", JAVA, "p/Corrupt.java", B,
        "res/big0.bin", null, "res/big1.bin", null, "res/big2.bin", null);
    // Inflating any byte of a corrupted entry fails: the code entry shows that it would be noticed.
    for (String e : List.of("p/Corrupt.java", "res/big0.bin", "res/big1.bin", "res/big2.bin")) {
      HostileFiles.corruptData(jar, e);
    }
    Corpus c = CorpusReader.builder().build().read(jar.toString());
    assertEquals(Map.of("unknown-language", 3, "unreadable", 1), c.stats().skippedFiles());
    assertEquals(List.of("one@2"), methods(c));
  }

  @Test
  void read_sparseHugeFiles_skippedByNameOrSizeWithoutReading() throws IOException {
    write("A.java", JAVA);
    HostileFiles.sparse(dir.resolve("data.bin"), 3L << 30);
    HostileFiles.sparse(dir.resolve("Huge.java"), 3L << 30);
    // Reading either fully would fail even in a 6 GB heap: a Java array holds at most 2 GiB.
    Corpus c = CorpusReader.builder().build().read(dir.toString());
    assertEquals(Map.of("unknown-language", 1, "too-large", 1), c.stats().skippedFiles());
    assertEquals(1, c.stats().files());
  }

  @Test
  void read_fileOverTheCap_skippedUnlessTheCapIsRaised() throws IOException {
    write("A.java", JAVA);
    StringBuilder big = new StringBuilder("class Big {\n");
    for (int i = 0; big.length() < 3000; i++) {
      big.append("  int m").append(i).append("() { return ").append(i).append("; }\n");
    }
    write("Big.java", big.append("}\n").toString());
    Corpus capped = CorpusReader.builder().optMaxFileBytes(1000).build().read(dir.toString());
    assertEquals(Map.of("too-large", 1), capped.stats().skippedFiles());
    assertTrue(capped.stats().skippedExamples().contains(dir.resolve("Big.java") + ": too-large"), capped.stats().skippedExamples().toString());
    Corpus raised = CorpusReader.builder().optMaxFileBytes(10_000).build().read(dir.toString());
    assertEquals(Map.of(), raised.stats().skippedFiles());
    assertEquals(2, raised.stats().files());
    // The same cap holds for an archive entry, whatever size it declares.
    Path zip = HostileFiles.zip(dir.resolve("big.zip"), 0, "A.java", JAVA, "Big.java", big.toString());
    HostileFiles.declareSize(zip, "Big.java", 10);
    Corpus entry = CorpusReader.builder().optMaxFileBytes(1000).build().read(zip.toString());
    assertEquals(Map.of("too-large", 1), entry.stats().skippedFiles());
  }

  @Test
  void read_onlyFileOverTheCap_errorSaysWhatToRaise() throws IOException {
    Path big = write("Big.java", JAVA.repeat(100));
    NeuroLensException e = assertThrows(NeuroLensException.class,
        () -> CorpusReader.builder().optMaxFileBytes(100).build().read(big.toString()));
    assertTrue(e.getMessage().contains("skipped {too-large=1}") && e.getMessage().contains("--max-file-bytes"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }

  @Test
  void read_longLine_skippedAsLongLine() throws IOException {
    write("A.java", JAVA);
    write("One.java", HostileFiles.oneLineJava(1_900_000));
    Corpus c = CorpusReader.builder().build().read(dir.toString());
    assertEquals(Map.of("long-line", 1), c.stats().skippedFiles());
    assertEquals(List.of("one@2"), methods(c));
    // "  int one() { return 1; }" has 25 chars, "  int three() { return 3; }" 27
    write("short/A.java", JAVA);
    write("short/C.java", C);
    Corpus strict = CorpusReader.builder().optMaxLineChars(25).build().read(dir.resolve("short").toString());
    assertEquals(Map.of("long-line", 1), strict.stats().skippedFiles());
    assertEquals(List.of("one@2"), methods(strict));
  }

  @Test
  void read_duplicateEntryNames_lastKeptOthersCounted() throws IOException {
    Path zip = HostileFiles.zip(dir.resolve("dup.zip"), 0, "p/A.java", JAVA, "p/B.java", B);
    HostileFiles.rename(zip, "p/B.java", "p/A.java");
    Corpus c = CorpusReader.builder().build().read(zip.toString());
    assertEquals(Map.of("duplicate-entry", 1), c.stats().skippedFiles());
    assertEquals(List.of(zip + "!p/A.java#two@2"), c.snippets().stream().map(Snippet::id).toList());
  }

  @Test
  void read_archiveInsideAnArchive_skippedAsNestedArchive() throws IOException {
    byte[] inner = HostileFiles.zipBytes("q/B.java", B);
    Path outer = HostileFiles.zip(dir.resolve("outer.zip"), 0, "p/A.java", JAVA, "lib/inner.jar", inner, "lib/more.zip", inner);
    Corpus c = CorpusReader.builder().build().read(outer.toString());
    assertEquals(Map.of("nested-archive", 2), c.stats().skippedFiles());
    assertEquals(List.of("one@2"), methods(c));
  }

  @Test
  void read_jsonlLines_cappedOneByOne() throws IOException {
    String big = "int f() { return " + "1 + ".repeat(500) + "1; }";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes("{\"code\": \"int a() { return 1; }\", \"lang\": \"java\"}\n".getBytes(StandardCharsets.UTF_8));
    bytes.writeBytes(("{\"code\": \"" + big + "\", \"lang\": \"java\"}\r\n").getBytes(StandardCharsets.UTF_8));
    bytes.writeBytes(new byte[] {'{', '"', 'c', 'o', 'd', 'e', '"', ':', '"', (byte) 0xE9, '"', '}', '\n'}); // Latin-1
    bytes.writeBytes("{\"code\": \"int c() { return 3; }\", \"lang\": \"java\"}".getBytes(StandardCharsets.UTF_8));
    Path p = Files.write(dir.resolve("d.jsonl"), bytes.toByteArray());
    Corpus c = CorpusReader.builder().optMaxFileBytes(1000).optMaxTokens(0).build().read(p.toString());
    assertEquals(Map.of("too-large", 1, "not-utf8", 1), c.stats().skippedFiles());
    assertEquals(List.of(p + "#1", p + "#4"), c.snippets().stream().map(Snippet::id).toList());
    Corpus all = CorpusReader.builder().optMaxTokens(0).build().read(p.toString());
    assertEquals(List.of(p + "#1", p + "#2", p + "#4"), all.snippets().stream().map(Snippet::id).toList());
  }

  @Test
  void countTokens_sameLeavesAsTheFlattenedTree_stopsPastTheLimit() {
    Map<Language, String> code = Map.of(
        Languages.JAVA, "int f(String s) { /* c */ return s.length() + 'x' + \"a b\".hashCode(); }",
        Languages.PYTHON, "def f(a):\n    return [x for x in a if x] + 'q r'\n",
        Languages.JAVASCRIPT, "function f(a) { return `t ${a + 1}` + /re+/.source; }",
        Languages.GO, "func f(a int) int { return a << 2 }");
    code.forEach((lang, text) -> {
      SyntaxTree t = SyntaxTree.parse(lang, text);
      long leaves = java.util.Arrays.stream(t.leaves()).filter(i -> t.end(i) > t.start(i)).count();
      assertEquals(leaves, SyntaxTree.countTokens(lang, text, Integer.MAX_VALUE - 1), lang.name());
      assertEquals(6, SyntaxTree.countTokens(lang, text, 5), lang.name());
    });
  }

  @Test
  void build_maxFileBytesOutOfRange_clearError() {
    NeuroLensException e = assertThrows(NeuroLensException.class, () -> CorpusReader.builder().optMaxFileBytes(0).build());
    assertEquals("--max-file-bytes must be between 1 and 2147483639, found 0", e.getMessage());
  }

  /**
   * Every hostile input at once, read with the default options in a child JVM of 64 MB heap: the
   * bomb entries (100 MB of zeros each), the 96 MB of non-code jar entries and the sparse 3 GB files
   * would each exhaust it if read, and the old reader held them all at once. The test JVM's own
   * heap (6 GB) proves nothing about memory, hence the child.
   */
  @Test
  void read_everyHostileInputInA64MbHeap_succeedsWithCountedSkips() throws Exception {
    write("A.java", JAVA);
    HostileFiles.zip(dir.resolve("bomb.zip"), 100 * MB, "p/B.java", B, "p/Bomb.java", null);
    Path lie = HostileFiles.zip(dir.resolve("lie.zip"), 100 * MB, "p/Lie.java", null);
    HostileFiles.declareSize(lie, "p/Lie.java", 10);
    Path assets = HostileFiles.zip(dir.resolve("assets.jar"), 32 * MB, "p/C.java", C,
        "res/big0.bin", null, "res/big1.bin", null, "res/big2.bin", null);
    for (String e : List.of("res/big0.bin", "res/big1.bin", "res/big2.bin")) {
      HostileFiles.corruptData(assets, e);
    }
    HostileFiles.sparse(dir.resolve("data.bin"), 3L << 30);
    HostileFiles.sparse(dir.resolve("Huge.java"), 3L << 30);
    write("One.java", HostileFiles.oneLineJava(1_900_000));
    HostileFiles.zip(dir.resolve("nested.zip"), 0, "lib/inner.zip", HostileFiles.zipBytes("q/X.java", "class X { int x() { return 9; } }"));
    Path dup = HostileFiles.zip(dir.resolve("dup.zip"), 0, "p/D.java", "class D { int four() { return 4; } }",
        "p/E.java", "class E { int five() { return 5; } }");
    HostileFiles.rename(dup, "p/E.java", "p/D.java");

    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
        "-cp", System.getProperty("java.class.path"), CorpusReadChild.class.getName(), dir.toString())
        .redirectErrorStream(true).start();
    assertTrue(child.waitFor(120, TimeUnit.SECONDS), "child did not finish");
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, child.exitValue(), out);
    // too-large: Huge.java, lie.zip!p/Lie.java; unknown-language: data.bin, res/big{0,1,2}.bin;
    // snippets: one, two, three and five (the second p/D.java of dup.zip)
    assertTrue(out.contains("skipped={duplicate-entry=1, long-line=1, nested-archive=1, too-large=2, "
        + "unknown-language=4, zip-bomb=1} snippets=4"), out);
  }
}
