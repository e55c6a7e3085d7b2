package dev.neurolens.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.corpus.Corpus;
import dev.neurolens.corpus.CorpusReader;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

  @Test
  void javadoc_firstSentence_andCodeWithoutComment() {
    String code = "/**\n * Returns the {@code int} value of {@link Foo#bar the bar}. Ignores nulls.\n *\n * @param x the x\n */\n"
        + "@Override\npublic int get(int x) { return x; }";
    DocComments.Split s = DocComments.split("java", code).orElseThrow();
    assertEquals("@Override\npublic int get(int x) { return x; }", s.code());
    assertEquals("Returns the int value of the bar.", DocComments.firstSentence(s.doc()));
    assertEquals("Joins <b>two</b> lists", DocComments.firstSentence("/** Joins &lt;b&gt;two&lt;/b&gt; <i>lists</i>\n * @return x */"));
    assertTrue(DocComments.split("java", "public void f() {}").isEmpty());
  }

  @Test
  void pythonDocstring_foundByTheParser_andRemoved() {
    String code = "def add(a, b):\n    \"\"\"Add two numbers. More text.\n\n    Args:\n        a: first\n    \"\"\"\n    return a + b\n";
    DocComments.Split s = DocComments.split("python", code).orElseThrow();
    assertEquals("Add two numbers.", DocComments.firstSentence(s.doc()));
    assertEquals("def add(a, b):\n    return a + b", s.code());
    // a string that is not the first statement is no docstring
    assertTrue(DocComments.split("python", "def f():\n    x = 1\n    \"\"\"not a doc\"\"\"\n").isEmpty());
  }

  @Test
  void corpusPairs_comeFromDocumentedMethods_deduplicated(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("A.java"), String.join("\n",
        "class A {",
        "  /** Adds one to the value. */",
        "  int inc(int v) { return v + 1; }",
        "  /** Adds one to the value. */",
        "  int inc2(int v) { return v + 2; }",
        "  /** Too short. */",
        "  int g() { return 0; }",
        "  // not a doc comment",
        "  int h() { return 1; }",
        "  /** Parses the text into a number quickly. */",
        "  int parse(String s) { return Integer.parseInt(s); }",
        "}"));
    Corpus c = CorpusReader.builder().optDocComments(true).build().read(dir.toString());
    List<Example> pairs = Datasets.searchPairs(c.snippets());
    assertEquals(List.of("Adds one to the value.", "Parses the text into a number quickly."), pairs.stream().map(Example::a).toList());
    assertEquals("int inc(int v) { return v + 1; }", pairs.get(0).b());
    // without the option the methods start at their signature
    Corpus plain = CorpusReader.builder().build().read(dir.toString());
    assertTrue(Datasets.searchPairs(plain.snippets()).isEmpty());
  }

  @Test
  void split_isSeeded_disjoint_andSized() {
    List<Example> all = FineTunerTest.separable(200, 1);
    Datasets.Dataset a = Datasets.split(DownstreamTask.parse("classify"), "s", all, new Datasets.Sizes(20, 30, 100), 9);
    Datasets.Dataset b = Datasets.split(DownstreamTask.parse("classify"), "s", all, new Datasets.Sizes(20, 30, 100), 9);
    assertEquals(a, b);
    assertEquals(List.of(100, 20, 30), List.of(a.train().size(), a.dev().size(), a.test().size()));
    Set<String> ids = new HashSet<>();
    for (List<Example> part : List.of(a.train(), a.dev(), a.test())) {
      part.forEach(e -> assertTrue(ids.add(e.id()), "example in two splits: " + e.id()));
    }
    assertEquals(List.of("loop", "ret"), a.labels());
    // too few for the asked sizes: 80/10/10
    Datasets.Dataset small = Datasets.split(DownstreamTask.parse("classify"), "s", all.subList(0, 50), new Datasets.Sizes(20, 30, 0), 9);
    assertEquals(List.of(40, 5, 5), List.of(small.train().size(), small.dev().size(), small.test().size()));
  }

  @Test
  void malformedJsonl_oneLineErrorNamingTheLine(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("pairs.jsonl");
    Files.writeString(f, "{\"code1\":\"a\",\"code2\":\"b\",\"label\":1}\n\n{\"code1\":\"a\",\"code2\":\"b\",\"label\":\"maybe\"}\n");
    NeuroLensException e = assertThrows(NeuroLensException.class, () -> Datasets.readJsonl(f, DownstreamTask.parse("pairs")));
    assertEquals(f + ":3: a pair's \"label\" must be 0/1 or false/true, found 'maybe'", e.getMessage());
    Files.writeString(f, "{\"code\":\"x\"}\n{\"code\": 5, \"label\": \"a\"}\n");
    e = assertThrows(NeuroLensException.class, () -> Datasets.readJsonl(f, DownstreamTask.parse("classify")));
    assertEquals(f + ":1: field \"label\" must be a string, integer or boolean, found no such field", e.getMessage());
    Files.writeString(f, "{\"query\":\"find x\",\"code\":\"x\"}\n{oops\n");
    e = assertThrows(NeuroLensException.class, () -> Datasets.readJsonl(f, DownstreamTask.parse("code-search")));
    assertTrue(e.getMessage().startsWith(f + ":2: not valid JSON"), e.getMessage());
    Files.writeString(f, "{\"docstring\":\"find the x value\",\"code\":\"x\"}\n");
    assertEquals("find the x value", Datasets.readJsonl(f, DownstreamTask.parse("code-search")).get(0).a());
  }

  @Test
  void taskNames_parse_orExplain() {
    assertEquals(DownstreamTask.Kind.CODE_SEARCH, DownstreamTask.parse("code-search").kind());
    assertEquals("returns-void", DownstreamTask.parse("classify:returns-void").labelTask());
    NeuroLensException e = assertThrows(NeuroLensException.class, () -> DownstreamTask.parse("classify:lexical"));
    assertTrue(e.getMessage().contains("sentence task"), e.getMessage());
    assertThrows(NeuroLensException.class, () -> DownstreamTask.parse("search"));
  }
}
