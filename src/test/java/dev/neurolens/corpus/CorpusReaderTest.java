package dev.neurolens.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusReaderTest {
  @TempDir Path dir;

  private static final String JAVA = "package p;\nclass A {\n  int one() { return 1; }\n  void two(int x) {\n    Runnable r = new Runnable() { public void run() {} };\n  }\n}\n";
  private static final String PY = "class K:\n    @staticmethod\n    def outer(a):\n        def inner():\n            return a\n        return inner\n";

  private void write(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.write(p, bytes);
  }

  private void writeCorpus() throws IOException {
    write("src/A.java", JAVA.getBytes(StandardCharsets.UTF_8));
    write("src/B.java", "class B { int one() { return 1; } }".getBytes(StandardCharsets.UTF_8));
    write("src/k.py", PY.getBytes(StandardCharsets.UTF_8));
    write("src/Bin.java", new byte[] {'c', 'l', 0, 1, 2});
    write("src/Latin.java", new byte[] {'c', 'l', 'a', 's', 's', ' ', (byte) 0xE9, '{', '}'});
    write("README.md", "# hi".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void read_directory_cutsOutermostMethodsAndCountsSkips() throws IOException {
    writeCorpus();
    Corpus c = CorpusReader.builder().build().read(dir.toString());
    List<String> ids = c.snippets().stream().map(Snippet::id).toList();
    assertEquals(List.of(dir.resolve("src/A.java") + "#one@3", dir.resolve("src/A.java") + "#two@4", dir.resolve("src/k.py") + "#outer@2"), ids);
    assertEquals(Map.of("binary", 1, "not-utf8", 1, "unknown-language", 1), c.stats().skippedFiles());
    assertEquals(1, c.stats().duplicates()); // B.one == A.one
    Snippet outer = c.snippets().get(2);
    assertEquals("@staticmethod\ndef outer(a):\n    def inner():\n        return a\n    return inner", outer.code());
    assertEquals(PY.indexOf("@staticmethod"), outer.startChar());
    assertEquals("python", outer.lang());
    assertEquals(3, c.stats().files()); // A.java, B.java, k.py
  }

  @Test
  void read_jarArchive_sameSnippetsAsDirectory() throws IOException {
    Path jar = dir.resolve("code-sources.jar");
    try (OutputStream os = Files.newOutputStream(jar); ZipOutputStream z = new ZipOutputStream(os)) {
      z.putNextEntry(new ZipEntry("p/A.java"));
      z.write(JAVA.getBytes(StandardCharsets.UTF_8));
      z.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
      z.write("x".getBytes(StandardCharsets.UTF_8));
    }
    Corpus c = CorpusReader.builder().optUnit(Unit.FILE).build().read(jar.toString());
    assertEquals(1, c.snippets().size());
    assertEquals(jar + "!p/A.java", c.snippets().get(0).id());
    assertEquals(JAVA, c.snippets().get(0).code());
    Corpus m = CorpusReader.builder().build().read(jar.toString());
    assertEquals(List.of("int one() { return 1; }", "void two(int x) {\n  Runnable r = new Runnable() { public void run() {} };\n}"),
        m.snippets().stream().map(Snippet::code).toList());
  }

  @Test
  void read_jsonl_labelsAndLanguagePerLine() throws IOException {
    write("d.jsonl", ("{\"code\": \"int f() { return 1; }\", \"label\": \"pos\", \"lang\": \"java\"}\n\n"
        + "{\"code\": \"def g():\\n    pass\", \"label\": \"neg\", \"lang\": \"python\"}\n").getBytes(StandardCharsets.UTF_8));
    Corpus c = CorpusReader.builder().build().read(dir.resolve("d.jsonl").toString());
    assertEquals(2, c.snippets().size());
    assertEquals("pos", c.snippets().get(0).label());
    assertEquals("python", c.snippets().get(1).lang());
    assertEquals(dir.resolve("d.jsonl") + "#3", c.snippets().get(1).id());
    assertEquals(9 + 6, c.stats().tokens()); // int f ( ) { return 1 ; } + def g ( ) : pass
  }

  @Test
  void read_maxTokensAndSampling_countedAndSeeded() throws IOException {
    StringBuilder sb = new StringBuilder("class M {\n");
    for (int i = 0; i < 40; i++) {
      sb.append("  int m").append(i).append("() { return ").append(i).append("; }\n");
    }
    sb.append("  int big() { return 1 + 2 + 3 + 4 + 5 + 6; }\n}\n");
    write("M.java", sb.toString().getBytes(StandardCharsets.UTF_8));
    // "int mI ( ) { return I ; }" = 9 tokens; big has 19
    Corpus all = CorpusReader.builder().optMaxTokens(10).build().read(dir.toString());
    assertEquals(40, all.snippets().size());
    assertEquals(1, all.stats().tooLong());
    assertEquals(40 * 9, all.stats().tokens());
    Corpus s1 = CorpusReader.builder().optMaxSnippets(5).optSeed(3).build().read(dir.toString());
    Corpus s2 = CorpusReader.builder().optMaxSnippets(5).optSeed(3).build().read(dir.toString());
    Corpus s3 = CorpusReader.builder().optMaxSnippets(5).optSeed(4).build().read(dir.toString());
    assertEquals(5, s1.snippets().size());
    assertEquals(s1.snippets(), s2.snippets());
    assertEquals(s1.hash(), s2.hash());
    assertNotEquals(s1.hash(), s3.hash());
    List<Integer> lines = s1.snippets().stream().map(Snippet::startLine).toList();
    assertEquals(lines.stream().sorted().toList(), lines, "sample is returned in source order");
  }

  @Test
  void read_badInput_oneClearError() throws IOException {
    write("README.md", "# only docs".getBytes(StandardCharsets.UTF_8));
    NeuroLensException empty = assertThrows(NeuroLensException.class, () -> CorpusReader.builder().build().read(dir.toString()));
    assertTrue(empty.getMessage().contains("empty corpus"), empty.getMessage());
    NeuroLensException missing = assertThrows(NeuroLensException.class, () -> CorpusReader.builder().build().read(dir.resolve("nope").toString()));
    assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
    write("broken.jar", "this is not a zip".getBytes(StandardCharsets.UTF_8));
    NeuroLensException archive = assertThrows(NeuroLensException.class, () -> CorpusReader.builder().build().read(dir.resolve("broken.jar").toString()));
    assertTrue(archive.getMessage().contains("unreadable archive"), archive.getMessage());
    NeuroLensException lang = assertThrows(NeuroLensException.class, () -> CorpusReader.builder().optLang("cobol"));
    assertTrue(lang.getMessage().startsWith("--lang: unknown language 'cobol'"), lang.getMessage());
    assertEquals(1, lang.getMessage().lines().count());
  }

  @Test
  void syntaxTree_nonBmpText_utf16Offsets() {
    String code = "x = '\uD83D\uDE00é'; y = 1";
    SyntaxTree t = SyntaxTree.parse(Languages.JAVASCRIPT, code);
    int last = t.leaves()[t.leafCount() - 1];
    assertEquals("1", t.text(last));
    assertEquals(code.length() - 1, t.start(last));
    int y = -1;
    for (int i : t.leaves()) {
      if (t.text(i).equals("y")) {
        y = i;
      }
    }
    assertEquals(code.indexOf('y'), t.start(y));
  }
}
