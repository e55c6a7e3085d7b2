package dev.neurolens.corpus;

/** The unit of analysis: one method/function per snippet, or one whole file. */
public enum Unit {
  METHOD,
  FILE
}
