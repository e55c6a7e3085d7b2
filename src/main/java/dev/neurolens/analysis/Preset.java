package dev.neurolens.analysis;

import dev.neurolens.util.NeuroLensException;
import java.util.List;

/**
 * The papers' setups, rerun by name ({@code analyze --preset NAME}).
 *
 * <ul>
 *   <li>{@link #CODE_REDUNDANCY}: Sharma et al., "Redundancy and Concept Analysis for Code-trained
 *       Language Models" — Java token tagging with javalang's six classes MODIFIER, IDENT, KEYWORD,
 *       TYPE, NUMBER, STRING (task {@code javalang}); the LayerSelector -> CC -> LCA pipeline with
 *       (layer, neuron) thresholds (3,1), (2,1), (1,1), clustering thresholds 0.1 to 0.9 and the
 *       neuron-share grid from 0.1% (NeuroLens's defaults follow the paper); lambda1 = lambda2 chosen
 *       on dev from {0, 1e-5, 1e-4, 1e-3, 1e-2, 0.1}.
 *   <li>{@link #TELLY}: Telly (Shi et al., ISSTA 2023, layer freezing of code models) — the five lexical classes
 *       Identifier, Keyword, Operator, Number, String as Python's {@code tokenize} yields them (task
 *       {@code py-tokenize}) and the structural task cyclomatic complexity 1..5 and Other (snippet task
 *       {@code complexity-1-5}); layer-wise probes with control tasks.
 * </ul>
 *
 * @param name the name {@code --preset} takes
 * @param tasks the tasks probed
 * @param pipelineTasks tasks that get the minimal-neuron pipeline
 * @param conceptTasks tasks whose neurons are searched per concept
 * @param lambdaGrid lambda values chosen among on dev (empty: the default 1e-5)
 */
public record Preset(String name, List<String> tasks, List<String> pipelineTasks, List<String> conceptTasks,
    List<Double> lambdaGrid) {
  public static final Preset CODE_REDUNDANCY = new Preset("code-redundancy", List.of("javalang"), List.of("javalang"),
      List.of("javalang"), List.of(0.0, 1e-5, 1e-4, 1e-3, 1e-2, 0.1));
  public static final Preset TELLY = new Preset("telly", List.of("py-tokenize", "complexity-1-5"), List.of(),
      List.of("py-tokenize"), List.of());

  /** The preset called {@code name}. */
  public static Preset parse(String name) {
    return switch (name) {
      case "code-redundancy" -> CODE_REDUNDANCY;
      case "telly" -> TELLY;
      default -> throw new NeuroLensException("--preset: unknown preset '" + name + "' (known: code-redundancy, telly)");
    };
  }
}
