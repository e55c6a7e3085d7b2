package dev.neurolens.concept;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.corpus.Snippet;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Hand-checked labels for small snippets in every language. */
class CodeLabellerTest {
  private final CodeLabeller labeller = CodeLabeller.builder().optMinCount(0).build();

  private static Snippet snippet(String lang, String code) {
    return new Snippet("t#" + lang, "t", lang, code, 1, 0, null);
  }

  private static List<String> split(String labels) {
    return Arrays.asList(labels.trim().split("\\s+"));
  }

  @Test
  void label_javaMethod_everyCoarseClassAndDepth() {
    String code = "int f(String s) { char c = '\\n'; String t = \"a\\\"b\"; if (s == null) { return 0x1F; } return -2; } // end";
    LabelledSnippet ls = labeller.label(snippet("java", code), Set.of("lexical", "nesting-depth", "structural"));
    assertEquals(List.of("int", "f", "(", "String", "s", ")", "{", "char", "c", "=", "'\\n'", ";", "String", "t", "=",
        "\"a\\\"b\"", ";", "if", "(", "s", "==", "null", ")", "{", "return", "0x1F", ";", "}", "return", "-", "2", ";", "}",
        "// end"), ls.words());
    assertEquals(split("KEYWORD IDENTIFIER PUNCTUATION TYPE_IDENTIFIER IDENTIFIER PUNCTUATION PUNCTUATION KEYWORD IDENTIFIER"
        + " OPERATOR CHAR PUNCTUATION TYPE_IDENTIFIER IDENTIFIER OPERATOR STRING PUNCTUATION KEYWORD PUNCTUATION IDENTIFIER"
        + " OPERATOR BOOLEAN_NULL PUNCTUATION PUNCTUATION KEYWORD NUMBER PUNCTUATION PUNCTUATION KEYWORD OPERATOR NUMBER"
        + " PUNCTUATION PUNCTUATION COMMENT"), ls.tokenLabels().get("lexical"));
    assertEquals(split("0 0 0 0 0 0 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 2 2 2 2 2 1 1 1 1 1 0"), ls.tokenLabels().get("nesting-depth"));
    assertEquals(ls.tokenLabels().get("nesting-depth"), ls.tokenLabels().get("structural"));
    for (CodeToken t : ls.tokens()) {
      assertEquals(t.text(), code.substring(t.start(), t.end()));
    }
    assertEquals(0, ls.errorNodes());
  }

  @Test
  void label_javaNestedBlocks_depthsHandChecked() {
    String code = "void n() { while (true) { if (x) { y(); } } }";
    LabelledSnippet ls = labeller.label(snippet("java", code), Set.of("structural", "ast-depth", "loops", "complexity", "returns-void"));
    int y = ls.words().indexOf("y");
    assertEquals("3", ls.tokenLabels().get("structural").get(y));
    // method_declaration > block > while_statement > block > if_statement > block > expression_statement
    //   > method_invocation > identifier
    assertEquals("8", ls.tokenLabels().get("ast-depth").get(y));
    assertEquals("1", ls.tokenLabels().get("ast-depth").get(0));
    assertEquals("yes", ls.snippetLabels().get("loops"));
    assertEquals("2-3", ls.snippetLabels().get("complexity"));
    assertEquals("yes", ls.snippetLabels().get("returns-void"));
  }

  @Test
  void label_javaTextBlockUnicodeLambdaGenerics_spansAndClasses() {
    String code = "void g() {\n  var ñame = \"\"\"\n    hi \"x\"\n    \"\"\";\n  String e = \"\uD83D\uDE00\"; int z = 1;\n"
        + "  List<Integer> xs = List.of(1);\n  xs.forEach(x -> h(x));\n}";
    LabelledSnippet ls = labeller.label(snippet("java", code), Set.of("lexical"));
    List<String> words = ls.words();
    List<String> lex = ls.tokenLabels().get("lexical");
    int tb = words.indexOf("\"\"\"\n    hi \"x\"\n    \"\"\"");
    assertEquals("STRING", lex.get(tb));
    CodeToken name = ls.tokens().get(words.indexOf("ñame"));
    assertEquals(code.indexOf("ñame"), name.start());
    assertEquals("IDENTIFIER", lex.get(words.indexOf("ñame")));
    CodeToken emoji = ls.tokens().get(words.indexOf("\"\uD83D\uDE00\""));
    assertEquals(4, emoji.end() - emoji.start());
    CodeToken z = ls.tokens().get(words.indexOf("z"));
    assertEquals(code.indexOf(" z ") + 1, z.start());
    assertEquals(4, z.line());
    assertEquals("OPERATOR", lex.get(words.indexOf("->")));
    assertEquals("OPERATOR", lex.get(words.indexOf("<")));
    assertEquals("TYPE_IDENTIFIER", lex.get(words.indexOf("Integer")));
  }

  @Test
  void label_javaIdentifierRoles_declarationsAndUses() {
    String code = "int sum(int[] xs) { int total = 0; for (int x : xs) { total += x; } this.count = total; return Math.max(total, LIMIT); }";
    LabelledSnippet ls = labeller.label(snippet("java", code), Set.of("identifier-role"));
    List<String> w = ls.words();
    List<String> r = ls.tokenLabels().get("identifier-role");
    assertEquals("METHOD_DECL", r.get(w.indexOf("sum")));
    assertEquals("PARAMETER_DECL", r.get(w.indexOf("xs")));
    assertEquals("VARIABLE_DECL", r.get(w.indexOf("total")));
    assertEquals("VARIABLE_DECL", r.get(w.indexOf("x")));
    assertEquals("PARAMETER_USE", r.get(w.lastIndexOf("xs")));
    assertEquals("VARIABLE_USE", r.get(w.lastIndexOf("total")));
    assertEquals("FIELD_USE", r.get(w.indexOf("count")));
    assertEquals("METHOD_USE", r.get(w.indexOf("max")));
    assertEquals("NAME_USE", r.get(w.indexOf("Math")));
    assertEquals("NAME_USE", r.get(w.indexOf("LIMIT")));
    assertEquals("NONE", r.get(w.indexOf("int")));
    assertEquals("NONE", r.get(w.indexOf("0")));
  }

  @Test
  void label_pythonDecoratedFunction_classesRolesAndSentenceLabels() {
    String code = "@cache\ndef area(r: float) -> float:\n    \"\"\"Doc.\"\"\"\n    s = f\"r={r}\"  # note\n"
        + "    return 3.14 * r ** 2 if r > 0 else None\n";
    LabelledSnippet ls = labeller.label(snippet("python", code),
        Set.of("lexical", "identifier-role", "nesting-depth", "returns-void", "name-verb", "complexity", "loops"));
    assertEquals(List.of("@", "cache", "def", "f", "(", "r", ":", "float", ")", "->", "float", ":", "\"\"\"Doc.\"\"\"", "s", "=",
        "f\"r={r}\"", "# note", "return", "3.14", "*", "r", "**", "2", "if", "r", ">", "0", "else", "None"), ls.words());
    assertEquals(split("OPERATOR IDENTIFIER KEYWORD IDENTIFIER PUNCTUATION IDENTIFIER PUNCTUATION IDENTIFIER PUNCTUATION OPERATOR"
        + " IDENTIFIER PUNCTUATION STRING IDENTIFIER OPERATOR STRING COMMENT KEYWORD NUMBER OPERATOR IDENTIFIER OPERATOR NUMBER"
        + " KEYWORD IDENTIFIER OPERATOR NUMBER KEYWORD BOOLEAN_NULL"), ls.tokenLabels().get("lexical"));
    List<String> roles = ls.tokenLabels().get("identifier-role");
    assertEquals(split("NONE METHOD_USE NONE METHOD_DECL NONE PARAMETER_DECL NONE TYPE_USE NONE NONE TYPE_USE NONE NONE"
        + " VARIABLE_DECL NONE NONE NONE NONE NONE NONE PARAMETER_USE NONE NONE NONE PARAMETER_USE NONE NONE NONE NONE"), roles);
    assertEquals("0", ls.tokenLabels().get("nesting-depth").get(0));
    assertEquals("1", ls.tokenLabels().get("nesting-depth").get(ls.words().indexOf("return")));
    assertEquals("no", ls.snippetLabels().get("returns-void"));
    assertEquals("other", ls.snippetLabels().get("name-verb"));
    assertEquals("2-3", ls.snippetLabels().get("complexity"));
    assertEquals("no", ls.snippetLabels().get("loops"));
  }

  @Test
  void label_javascriptTemplateString_oneStringToken() {
    String code = "function greet(name) { const msg = `Hi ${name}!`; return msg.length > 0 ? msg : null; }";
    LabelledSnippet ls = labeller.label(snippet("javascript", code), Set.of("lexical", "identifier-role", "returns-void"));
    assertEquals(List.of("function", "greet", "(", "name", ")", "{", "const", "msg", "=", "`Hi ${name}!`", ";", "return", "msg",
        ".", "length", ">", "0", "?", "msg", ":", "null", ";", "}"), ls.words());
    assertEquals(split("KEYWORD IDENTIFIER PUNCTUATION IDENTIFIER PUNCTUATION PUNCTUATION KEYWORD IDENTIFIER OPERATOR STRING"
        + " PUNCTUATION KEYWORD IDENTIFIER PUNCTUATION IDENTIFIER OPERATOR NUMBER OPERATOR IDENTIFIER PUNCTUATION BOOLEAN_NULL"
        + " PUNCTUATION PUNCTUATION"), ls.tokenLabels().get("lexical"));
    List<String> r = ls.tokenLabels().get("identifier-role");
    assertEquals(split("NONE METHOD_DECL NONE PARAMETER_DECL NONE NONE NONE VARIABLE_DECL NONE NONE NONE NONE VARIABLE_USE NONE"
        + " FIELD_USE NONE NONE NONE VARIABLE_USE NONE NONE NONE NONE"), r);
    assertEquals("no", ls.snippetLabels().get("returns-void"));
  }

  @Test
  void label_javascriptMethod_parsesInsideClassWrapper() {
    String code = "getName() { return this.name; }";
    LabelledSnippet ls = labeller.label(snippet("javascript", code), Set.of("lexical", "name-verb", "identifier-role"));
    assertEquals(0, ls.errorNodes());
    assertEquals(List.of("f", "(", ")", "{", "return", "this", ".", "name", ";", "}"), ls.words());
    assertEquals("get", ls.snippetLabels().get("name-verb"));
    assertEquals("METHOD_DECL", ls.tokenLabels().get("identifier-role").get(0));
    assertEquals("KEYWORD", ls.tokenLabels().get("lexical").get(5));
  }

  @Test
  void label_goFunction_classesAndRoles() {
    String code = "func add(a int, b ...int) (int, error) {\n\tfor _, v := range b { a += v }\n\treturn a, nil\n}";
    LabelledSnippet ls = labeller.label(snippet("go", code), Set.of("lexical", "identifier-role", "returns-void", "loops"));
    assertEquals(List.of("func", "add", "(", "a", "int", ",", "b", "...", "int", ")", "(", "int", ",", "error", ")", "{", "for",
        "_", ",", "v", ":=", "range", "b", "{", "a", "+=", "v", "}", "return", "a", ",", "nil", "}"), ls.words());
    assertEquals(split("KEYWORD IDENTIFIER PUNCTUATION IDENTIFIER TYPE_IDENTIFIER PUNCTUATION IDENTIFIER OPERATOR TYPE_IDENTIFIER"
        + " PUNCTUATION PUNCTUATION TYPE_IDENTIFIER PUNCTUATION TYPE_IDENTIFIER PUNCTUATION PUNCTUATION KEYWORD IDENTIFIER"
        + " PUNCTUATION IDENTIFIER OPERATOR KEYWORD IDENTIFIER PUNCTUATION IDENTIFIER OPERATOR IDENTIFIER PUNCTUATION KEYWORD"
        + " IDENTIFIER PUNCTUATION BOOLEAN_NULL PUNCTUATION"), ls.tokenLabels().get("lexical"));
    assertEquals(split("NONE METHOD_DECL NONE PARAMETER_DECL TYPE_USE NONE PARAMETER_DECL NONE TYPE_USE NONE NONE TYPE_USE NONE"
        + " TYPE_USE NONE NONE NONE VARIABLE_DECL NONE VARIABLE_DECL NONE NONE PARAMETER_USE NONE PARAMETER_USE NONE VARIABLE_USE"
        + " NONE NONE PARAMETER_USE NONE NONE NONE"), ls.tokenLabels().get("identifier-role"));
    assertEquals("no", ls.snippetLabels().get("returns-void"));
    assertEquals("yes", ls.snippetLabels().get("loops"));
  }

  @Test
  void label_binaryTaskAndSkipComments_restAndNoComment() {
    CodeLabeller noComments = CodeLabeller.builder().optSkipComments(true).build();
    LabelledSnippet ls = noComments.label(snippet("java", "int f() { /* c */ return 42; }"), Set.of("lexical:NUMBER"));
    assertEquals(List.of("int", "f", "(", ")", "{", "return", "42", ";", "}"), ls.words());
    assertEquals(split("REST REST REST REST REST REST NUMBER REST REST"), ls.tokenLabels().get("lexical:NUMBER"));
  }

  @Test
  void label_unparsableCode_countsErrorsButLabelsWhatParsed() {
    LabelledSnippet ls = labeller.label(snippet("java", "int f( { return 1 +; }"), Set.of("lexical"));
    assertTrue(ls.errorNodes() > 0, "error nodes: " + ls.errorNodes());
    assertEquals("NUMBER", ls.tokenLabels().get("lexical").get(ls.words().indexOf("1")));
  }

  @Test
  void nameVerb_prefixes_mappedToVerbClasses() {
    assertEquals("get", SentenceLabels.nameVerb("getValue"));
    assertEquals("is", SentenceLabels.nameVerb("is_empty"));
    assertEquals("to", SentenceLabels.nameVerb("toString"));
    assertEquals("create", SentenceLabels.nameVerb("createReader"));
    assertEquals("other", SentenceLabels.nameVerb("tokenize"));
    assertEquals("other", SentenceLabels.nameVerb("settle"));
  }
}
