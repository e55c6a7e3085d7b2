package dev.neurolens.concept;

import dev.neurolens.corpus.Language;

/**
 * The coarse lexical classes, the same for every language (task {@code lexical}).
 *
 * <p>TYPE_IDENTIFIER is kept apart from IDENTIFIER where the grammar marks type names (Java, Go);
 * Python and JavaScript have none. BOOLEAN_NULL covers {@code true/false/null/None/nil/undefined}.
 * JavaScript regular expressions are OTHER; template strings and Python f-strings are one STRING.
 */
enum LexicalClass {
  KEYWORD,
  IDENTIFIER,
  TYPE_IDENTIFIER,
  NUMBER,
  STRING,
  CHAR,
  BOOLEAN_NULL,
  OPERATOR,
  PUNCTUATION,
  COMMENT,
  OTHER;

  /** The class of a leaf of type {@code type} (named or anonymous) in language {@code lang}. */
  static LexicalClass of(Language lang, String type, boolean named) {
    if (lang.commentTypes().contains(type)) {
      return COMMENT;
    }
    if (lang.stringTypes().contains(type)) {
      return STRING;
    }
    if (lang.charTypes().contains(type)) {
      return CHAR;
    }
    if (lang.numberTypes().contains(type)) {
      return NUMBER;
    }
    if (lang.boolNullTypes().contains(type)) {
      return BOOLEAN_NULL;
    }
    if (named) {
      if (lang.typeIdentifierTypes().contains(type)) {
        return TYPE_IDENTIFIER;
      }
      if (lang.identifierTypes().contains(type)) {
        return IDENTIFIER;
      }
      if (lang.keywordTypes().contains(type)) {
        return KEYWORD;
      }
      if (lang.operatorTypes().contains(type)) {
        return OPERATOR;
      }
      return OTHER;
    }
    if (lang.punctuation().contains(type)) {
      return PUNCTUATION;
    }
    if (type.matches("@?[A-Za-z_][A-Za-z0-9_-]*")) {
      return KEYWORD;
    }
    if (!type.isBlank() && type.codePoints().noneMatch(Character::isLetterOrDigit)) {
      return OPERATOR;
    }
    return OTHER;
  }
}
