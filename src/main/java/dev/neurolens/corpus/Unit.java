package dev.neurolens.corpus;

/**
 * The unit of analysis: one method/function per snippet, or one whole file.
 *
 * <p>Usage: {@code CorpusReader.builder().optUnit(Unit.FILE).build().read("src/main/java")}
 */
public enum Unit {
  METHOD,
  FILE
}
