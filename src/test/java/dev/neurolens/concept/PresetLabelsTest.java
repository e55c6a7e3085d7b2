package dev.neurolens.concept;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.neurolens.corpus.Snippet;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The presets' label sets against the published class lists, on hand-labelled snippets. */
class PresetLabelsTest {
  private final CodeLabeller labeller = CodeLabeller.builder().optMinCount(0).build();

  private static List<String> split(String labels) {
    return Arrays.stream(labels.trim().split("\\s+")).map(l -> l.equals("-") ? null : l).toList();
  }

  @Test
  void javalang_sixClassesAsTheJavalangTokenizerNamesThem() {
    // hand-labelled with javalang's token classes: Annotation '@' (-), Modifier, BasicType (TYPE), Keyword
    // (void/this/return included), Identifier ('var' is one), Integer/FloatingPoint (NUMBER), String (string and
    // char literals), Separator/Operator/Boolean/Null/comments (-)
    String code = "@Override public static final int count(long n, String s) { var x = 'c'; "
        + "return n > 0 ? 1.5f : this.size() + s.length() + (x == null ? 2 : 3); } // done";
    LabelledSnippet ls = labeller.label(new Snippet("t#java", "t", "java", code, 1, 0, null), Set.of("javalang"));
    assertEquals(List.of("@", "Override", "public", "static", "final", "int", "count", "(", "long", "n", ",", "String",
        "s", ")", "{", "var", "x", "=", "'c'", ";", "return", "n", ">", "0", "?", "1.5f", ":", "this", ".", "size", "(",
        ")", "+", "s", ".", "length", "(", ")", "+", "(", "x", "==", "null", "?", "2", ":", "3", ")", ";", "}",
        "// done"), ls.words());
    assertEquals(split("- IDENT MODIFIER MODIFIER MODIFIER TYPE IDENT - TYPE IDENT - IDENT IDENT - - IDENT IDENT - STRING -"
        + " KEYWORD IDENT - NUMBER - NUMBER - KEYWORD - IDENT - - - IDENT - IDENT - - - - IDENT - - - NUMBER - NUMBER - - -"
        + " -"), ls.tokenLabels().get("javalang"));
  }

  @Test
  void pyTokenize_fiveClassesAsPythonTokenizeYieldsThem() {
    // hand-labelled with Python's tokenize: NAME + keyword.iskeyword (Keyword: def/return/if/else/None/True),
    // other NAMEs (Identifier), OP (Operator), NUMBER, STRING; COMMENT (-)
    String code = "def f(x, y=None):\n    # note\n    return x ** 2 + len(\"ab\") if y else True\n";
    LabelledSnippet ls = labeller.label(new Snippet("t#py", "t", "python", code, 1, 0, null),
        Set.of("py-tokenize", "complexity-1-5"));
    assertEquals(List.of("def", "f", "(", "x", ",", "y", "=", "None", ")", ":", "# note", "return", "x", "**", "2", "+",
        "len", "(", "\"ab\"", ")", "if", "y", "else", "True"), ls.words());
    assertEquals(split("Keyword Identifier Operator Identifier Operator Identifier Operator Keyword Operator Operator -"
        + " Keyword Identifier Operator Number Operator Identifier Operator String Operator Keyword Identifier Keyword"
        + " Keyword"), ls.tokenLabels().get("py-tokenize"));
    assertEquals("2", ls.snippetLabels().get("complexity-1-5"), "one conditional expression: complexity 2");
    assertEquals(List.of("1", "5", "Other"), List.of(PresetLabels.complexityClass(1), PresetLabels.complexityClass(5),
        PresetLabels.complexityClass(6)));
  }
}
