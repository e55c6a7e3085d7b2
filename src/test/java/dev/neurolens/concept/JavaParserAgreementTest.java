package dev.neurolens.concept;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.javaparser.GeneratedJavaParserConstants;
import com.github.javaparser.JavaParser;
import com.github.javaparser.JavaToken;
import com.github.javaparser.ParseResult;
import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.ast.CompilationUnit;
import dev.neurolens.corpus.Corpus;
import dev.neurolens.corpus.CorpusReader;
import dev.neurolens.corpus.Snippet;
import dev.neurolens.corpus.Unit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Our lexical labels against an independent lexer: JavaParser's token kinds, on a seeded sample of
 * whole files of the default corpus (the full corpus is the same code, only slower to check).
 */
class JavaParserAgreementTest {
  private static final int FILES = 150;

  @Test
  void lexicalLabels_defaultCorpusSample_agreeWithJavaParser() {
    Corpus sample = CorpusReader.builder().optUnit(Unit.FILE).optMaxTokens(0).optMaxSnippets(FILES).optSeed(7).build().read("default");
    List<Snippet> files = sample.snippets();
    CodeLabeller labeller = CodeLabeller.builder().optMinCount(0).build();
    JavaParser jp = new JavaParser(new ParserConfiguration().setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_17));
    long total = 0;
    long agree = 0;
    Map<String, Integer> confusions = new TreeMap<>();
    for (Snippet f : files) {
      ParseResult<CompilationUnit> r = jp.parse(f.code());
      if (r.getResult().isEmpty() || r.getResult().get().getTokenRange().isEmpty()) {
        continue;
      }
      Map<Integer, JavaToken> byStart = new HashMap<>();
      int[] lineStarts = lineStarts(f.code());
      for (JavaToken t : r.getResult().get().getTokenRange().get()) {
        if (t.getRange().isPresent() && !t.getCategory().isWhitespace()) {
          var b = t.getRange().get().begin;
          byStart.put(lineStarts[b.line - 1] + b.column - 1, t);
        }
      }
      LabelledSnippet ls = labeller.label(f, Set.of("lexical"));
      List<String> labels = ls.tokenLabels().get("lexical");
      for (int i = 0; i < ls.tokens().size(); i++) {
        total++;
        JavaToken t = byStart.get(ls.tokens().get(i).start());
        String expected = t == null ? "NO_TOKEN" : expected(t);
        if (expected.equals(labels.get(i)) || (expected.equals("IDENTIFIER") && labels.get(i).equals("TYPE_IDENTIFIER"))) {
          agree++;
        } else {
          confusions.merge(labels.get(i) + " vs JavaParser " + expected + " '" + ls.tokens().get(i).text() + "'", 1, Integer::sum);
        }
      }
    }
    double agreement = (double) agree / total;
    System.out.printf("JavaParser agreement: %d/%d tokens = %.4f on %d files%n", agree, total, agreement, files.size());
    confusions.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(15)
        .forEach(e -> System.out.println("  " + e.getValue() + "x " + e.getKey()));
    assertTrue(total > 100_000, "sample too small: " + total);
    assertTrue(agreement >= 0.995, "agreement " + agreement + " < 0.995");
  }

  /** JavaParser's token kind mapped to our coarse classes. */
  private static String expected(JavaToken t) {
    int k = t.getKind();
    if (k == GeneratedJavaParserConstants.TRUE || k == GeneratedJavaParserConstants.FALSE || k == GeneratedJavaParserConstants.NULL) {
      return "BOOLEAN_NULL";
    }
    if (k == GeneratedJavaParserConstants.CHARACTER_LITERAL) {
      return "CHAR";
    }
    if (k == GeneratedJavaParserConstants.STRING_LITERAL || k == GeneratedJavaParserConstants.TEXT_BLOCK_LITERAL) {
      return "STRING";
    }
    return switch (t.getCategory()) {
      case COMMENT -> "COMMENT";
      case IDENTIFIER -> "IDENTIFIER";
      case KEYWORD -> "KEYWORD";
      case LITERAL -> "NUMBER";
      case SEPARATOR -> "PUNCTUATION";
      case OPERATOR -> "OPERATOR";
      default -> "OTHER";
    };
  }

  private static int[] lineStarts(String code) {
    List<Integer> s = new ArrayList<>();
    s.add(0);
    for (int i = 0; i < code.length(); i++) {
      if (code.charAt(i) == '\n') {
        s.add(i + 1);
      }
    }
    return s.stream().mapToInt(Integer::intValue).toArray();
  }
}
