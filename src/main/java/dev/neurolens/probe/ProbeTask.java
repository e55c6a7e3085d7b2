package dev.neurolens.probe;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a probe predicts for every row of an activation matrix: a class id (classification) or a
 * number (regression).
 *
 * <p>Usage: {@code ProbeTask task = ProbeTask.classification("lexical", store.labelNames("lexical"),
 * store.labels("lexical"))}
 *
 * @param name the task name (e.g. {@code token_kind}), recorded in the probe's provenance
 * @param labelNames C class names, ordered by class id (for regression: one name, the target)
 * @param labels class id in 0..C-1 for each of the N rows, or null for regression
 * @param targets target value for each of the N rows, or null for classification
 */
public record ProbeTask(String name, List<String> labelNames, int[] labels, float[] targets) {

  public ProbeTask {
    if (name == null || name.isBlank()) {
      throw new NeuroLensException("probe task: name must not be empty");
    }
    labelNames = List.copyOf(labelNames);
    if ((labels == null) == (targets == null)) {
      throw new IllegalArgumentException("probe task " + name + ": give either labels or targets");
    }
    if (labels != null) {
      labels = labels.clone();
      if (labelNames.size() < 2) {
        throw new NeuroLensException(
            "task " + name + ": a classification task needs >= 2 classes, found " + labelNames.size());
      }
      for (int i = 0; i < labels.length; i++) {
        if (labels[i] < 0 || labels[i] >= labelNames.size()) {
          throw new NeuroLensException(
              "task " + name + ": label of row " + i + " must be in 0.." + (labelNames.size() - 1)
                  + ", found " + labels[i]);
        }
      }
    } else {
      targets = targets.clone();
      for (int i = 0; i < targets.length; i++) {
        if (!Float.isFinite(targets[i])) {
          throw new NeuroLensException("task " + name + ": target of row " + i + " is " + targets[i]);
        }
      }
    }
  }

  /** A classification task; {@code labels[i]} is the class id of row i. */
  public static ProbeTask classification(String name, List<String> labelNames, int[] labels) {
    return new ProbeTask(name, labelNames, labels, null);
  }

  /** A classification task whose classes are named "0".."C-1". */
  public static ProbeTask classification(String name, int numClasses, int[] labels) {
    List<String> names = new ArrayList<>();
    for (int c = 0; c < numClasses; c++) {
      names.add(Integer.toString(c));
    }
    return classification(name, names, labels);
  }

  /** A regression task (e.g. nesting depth); {@code targets[i]} is the value of row i. */
  public static ProbeTask regression(String name, float[] targets) {
    return new ProbeTask(name, List.of(name), null, targets);
  }

  @JsonIgnore
  public boolean isRegression() {
    return targets != null;
  }

  /** C (1 for regression). */
  @JsonIgnore
  public int numClasses() {
    return labelNames.size();
  }

  /** N, the number of rows this task labels. */
  @JsonIgnore
  public int rows() {
    return labels != null ? labels.length : targets.length;
  }

  @Override
  public int[] labels() {
    return labels == null ? null : labels.clone();
  }

  @Override
  public float[] targets() {
    return targets == null ? null : targets.clone();
  }

  /** Class id of row {@code row} without copying. */
  int label(int row) {
    return labels[row];
  }

  float target(int row) {
    return targets[row];
  }
}
