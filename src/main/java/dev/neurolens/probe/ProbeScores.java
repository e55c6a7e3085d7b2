package dev.neurolens.probe;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Scores of a probe on one split. Classification fills accuracy, F1s, per-class scores and the
 * confusion matrix (MCC and binary F1 only for 2 classes); regression fills Pearson, Spearman and
 * MSE. Fields that do not apply are null.
 *
 * <p>Usage: {@code ProbeScores s = ProbeEvaluator.evaluate(probe, x, splits.test(), task); s.metric("macro_f1")}
 *
 * @param rows rows scored
 * @param skippedRows rows skipped because their gold class was dropped from the probe
 * @param accuracy fraction of argmax predictions equal to the gold class
 * @param macroF1 mean F1 over classes that occur in gold or predictions
 * @param microF1 micro-averaged F1 (equals accuracy for single-label prediction)
 * @param binaryF1 F1 of class 1 (2 classes only)
 * @param matthews Matthews correlation coefficient (2 classes only)
 * @param perClass precision/recall/F1/support per class (recall = per-class accuracy)
 * @param confusion C x C counts, confusion[gold][predicted]
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProbeScores(
    int rows,
    int skippedRows,
    Double accuracy,
    Double macroF1,
    Double microF1,
    Double binaryF1,
    Double matthews,
    List<ClassScore> perClass,
    int[][] confusion,
    Double pearson,
    Double spearman,
    Double mse) {

  /** Precision, recall and F1 of one class; {@code support} = gold rows of the class. */
  public record ClassScore(String label, double precision, double recall, double f1, int support) {}

  public ProbeScores {
    perClass = perClass == null ? null : List.copyOf(perClass);
    if (confusion != null) {
      int[][] copy = new int[confusion.length][];
      for (int i = 0; i < confusion.length; i++) {
        copy[i] = confusion[i].clone();
      }
      confusion = copy;
    }
  }

  /** The headline score: accuracy for classification, Pearson r for regression. */
  public double score() {
    return accuracy != null ? accuracy : pearson;
  }

  /** A named metric: accuracy, macro_f1, micro_f1, binary_f1, matthews, pearson, spearman, mse. */
  public double metric(String name) {
    Double v =
        switch (name) {
          case "accuracy" -> accuracy;
          case "macro_f1" -> macroF1;
          case "micro_f1" -> microF1;
          case "binary_f1" -> binaryF1;
          case "accuracy_f1" -> accuracy == null || binaryF1 == null ? null : (accuracy + binaryF1) / 2;
          case "matthews" -> matthews;
          case "pearson" -> pearson;
          case "spearman" -> spearman;
          case "mse" -> mse;
          default -> throw new dev.neurolens.util.NeuroLensException(
              "metric '" + name + "' must be one of accuracy, macro_f1, micro_f1, binary_f1, "
                  + "accuracy_f1, matthews, pearson, spearman, mse");
        };
    if (v == null) {
      throw new dev.neurolens.util.NeuroLensException(
          "metric '" + name + "' does not apply to this probe");
    }
    return v;
  }

  @Override
  public int[][] confusion() {
    if (confusion == null) {
      return null;
    }
    int[][] copy = new int[confusion.length][];
    for (int i = 0; i < confusion.length; i++) {
      copy[i] = confusion[i].clone();
    }
    return copy;
  }
}
