package dev.neurolens.concept;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Token and snippet labels of the papers' presets, as their tools name them.
 *
 * <ul>
 *   <li>{@code javalang} (the code-redundancy paper's Java token tagging, after the {@code javalang}
 *       tokenizer's token classes): MODIFIER (javalang {@code Modifier}), TYPE ({@code BasicType}:
 *       the eight primitive types), KEYWORD (the other {@code Keyword}s, {@code void} and {@code
 *       this} included), IDENT ({@code Identifier}, {@code var}/{@code record} included), NUMBER
 *       (integer and floating-point literals), STRING (string and character literals: javalang's
 *       {@code String} covers both). Separators, operators, annotations' {@code @}, booleans,
 *       {@code null} and comments have no label.
 *   <li>{@code py-tokenize} (Telly's five lexical classes, after Python's {@code tokenize}):
 *       Keyword ({@code NAME} tokens that {@code keyword.iskeyword} accepts, True/False/None
 *       included), Identifier (other {@code NAME}s), Operator ({@code OP}: operators and
 *       delimiters), Number, String; comments have no label. Applied to any language through the
 *       lexical classes.
 *   <li>{@code complexity-1-5} (Telly's structural task, a snippet task): cyclomatic complexity 1,
 *       2, 3, 4, 5, or Other above 5.
 * </ul>
 */
final class PresetLabels {
  /** javalang's Modifier values. */
  static final Set<String> MODIFIERS = Set.of("abstract", "default", "final", "native", "private", "protected",
      "public", "static", "strictfp", "synchronized", "transient", "volatile");
  /** javalang's BasicType values. */
  static final Set<String> BASIC_TYPES = Set.of("boolean", "byte", "char", "double", "float", "int", "long", "short");
  /** javalang's Keyword values (Modifier and BasicType values among them). */
  static final Set<String> KEYWORDS = Set.of("abstract", "assert", "boolean", "break", "byte", "case", "catch", "char",
      "class", "const", "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally", "float",
      "for", "goto", "if", "implements", "import", "instanceof", "int", "interface", "long", "native", "new", "package",
      "private", "protected", "public", "return", "short", "static", "strictfp", "super", "switch", "synchronized",
      "this", "throw", "throws", "transient", "try", "void", "volatile", "while");

  private PresetLabels() {}

  /** The javalang class of each token (null: none of the six). */
  static List<String> javalang(List<CodeToken> tokens, List<LexicalClass> classes) {
    List<String> out = new ArrayList<>(tokens.size());
    for (int i = 0; i < tokens.size(); i++) {
      String text = tokens.get(i).text();
      LexicalClass c = classes.get(i);
      String label;
      if (MODIFIERS.contains(text)) {
        label = "MODIFIER";
      } else if (BASIC_TYPES.contains(text)) {
        label = "TYPE";
      } else if (KEYWORDS.contains(text)) {
        label = "KEYWORD";
      } else {
        label = switch (c) {
          case IDENTIFIER, TYPE_IDENTIFIER -> "IDENT";
          case NUMBER -> "NUMBER";
          case STRING, CHAR -> "STRING";
          case KEYWORD -> text.matches("[A-Za-z_$][A-Za-z0-9_$]*") && !Set.of("true", "false", "null").contains(text)
              ? "IDENT" : null; // contextual words (var, record, yield...) are javalang Identifiers
          default -> null;
        };
      }
      out.add(label);
    }
    return out;
  }

  /** The Python-tokenize class of each token (null: a comment or other). */
  static List<String> pyTokenize(List<LexicalClass> classes) {
    List<String> out = new ArrayList<>(classes.size());
    for (LexicalClass c : classes) {
      out.add(switch (c) {
        case KEYWORD, BOOLEAN_NULL -> "Keyword";
        case IDENTIFIER, TYPE_IDENTIFIER -> "Identifier";
        case OPERATOR, PUNCTUATION -> "Operator";
        case NUMBER -> "Number";
        case STRING, CHAR -> "String";
        default -> null;
      });
    }
    return out;
  }

  /** Telly's complexity class: "1".."5", or "Other" above 5. */
  static String complexityClass(int complexity) {
    return complexity <= 5 ? Integer.toString(Math.max(1, complexity)) : "Other";
  }
}
