package dev.neurolens.concept;

import dev.neurolens.util.NeuroLensException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The task names {@code --task} accepts.
 *
 * <p>Token tasks: {@code lexical} (see {@link LexicalClass}), {@code lexical-fine} (the grammar's
 * leaf type), {@code syntactic} (parent node type), {@code structural} (block depth bucketed
 * 0,1,2,3,4+), {@code nesting-depth} and {@code ast-depth} (numeric), {@code identifier-role}
 * (NONE for non-identifiers), and the presets' {@code javalang} and {@code py-tokenize} (see
 * {@link PresetLabels}; tokens outside their classes have no label). Sentence tasks: {@code loops},
 * {@code returns-void}, {@code complexity}, {@code complexity-1-5}, {@code length}, {@code name-verb}, {@code language}, {@code label}. Any
 * classification task {@code T} also exists as binary {@code T:VALUE} (VALUE vs {@link #REST}).
 *
 * <p>Usage: {@code List<LabelTask> tasks = Tasks.parseAll(List.of("lexical", "lexical:NUMBER", "loops"))}
 */
public final class Tasks {
  public static final List<String> TOKEN_TASKS =
      List.of("lexical", "lexical-fine", "syntactic", "structural", "nesting-depth", "ast-depth", "identifier-role",
          "javalang", "py-tokenize");
  public static final List<String> SENTENCE_TASKS =
      List.of("loops", "returns-void", "complexity", "complexity-1-5", "length", "name-verb", "language", "label");
  /** Token tasks whose target is a number (regression). */
  public static final List<String> NUMERIC_TASKS = List.of("nesting-depth", "ast-depth");
  /** The negative label of binary tasks. */
  public static final String REST = "REST";
  /** The folded label of rare {@code lexical-fine}/{@code syntactic} values. */
  public static final String OTHER = "OTHER";

  private Tasks() {}

  /** Parses one task name; throws {@link NeuroLensException} for an unknown one. */
  public static LabelTask parse(String name) {
    String n = name.strip();
    int colon = n.indexOf(':');
    String base = colon < 0 ? n : n.substring(0, colon);
    String positive = colon < 0 ? null : n.substring(colon + 1);
    boolean token = TOKEN_TASKS.contains(base);
    if (!token && !SENTENCE_TASKS.contains(base)) {
      throw new NeuroLensException("--task: unknown task '" + name + "'; known: " + TOKEN_TASKS + " " + SENTENCE_TASKS
          + " (and TASK:VALUE for a binary task)");
    }
    boolean regression = NUMERIC_TASKS.contains(base);
    if (positive != null && (positive.isEmpty() || regression)) {
      throw new NeuroLensException("--task " + name + ": a binary task needs a classification task and a value, e.g. lexical:NUMBER");
    }
    if (positive != null && base.equals("lexical")) {
      try {
        LexicalClass.valueOf(positive);
      } catch (IllegalArgumentException e) {
        throw new NeuroLensException("--task " + name + ": unknown lexical class '" + positive + "'; known: " + List.of(LexicalClass.values()));
      }
    }
    return new LabelTask(n, base, positive);
  }

  /** Parses a comma-separated list (or several names), keeping order and dropping repeats. */
  public static List<LabelTask> parseAll(List<String> names) {
    Set<String> seen = new LinkedHashSet<>();
    for (String s : names) {
      for (String part : s.split(",")) {
        if (!part.isBlank()) {
          seen.add(part.strip());
        }
      }
    }
    if (seen.isEmpty()) {
      throw new NeuroLensException("--task: give at least one task, e.g. --task lexical");
    }
    return seen.stream().map(Tasks::parse).toList();
  }
}
