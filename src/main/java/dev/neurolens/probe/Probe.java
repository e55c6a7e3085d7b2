package dev.neurolens.probe;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A trained linear probe: scores = W * x' + b with x' the (optionally standardised) feature
 * vector; softmax/argmax for classification, the single score for regression.
 *
 * <p>Usage: {@code Probe probe = ProbeTrainer.train(x, splits.train(), task, options); int k = probe.numClasses()}
 *
 * @param regression true for a linear-regression probe (C = 1)
 * @param labelNames C class names (class id = position); regression: the target name
 * @param weights W, C x F
 * @param bias b, C (a dropped class has bias -1e9 and zero weights: never predicted)
 * @param featureIds F original feature ids (layer * D + index) of the columns the probe reads
 * @param featureMean F training means when standardised, else null
 * @param featureScale F training standard deviations when standardised, else null
 * @param droppedClasses names of classes dropped for having fewer than 2 training rows
 * @param provenance how the probe was made
 */
public record Probe(
    boolean regression,
    List<String> labelNames,
    float[][] weights,
    float[] bias,
    int[] featureIds,
    float[] featureMean,
    float[] featureScale,
    List<String> droppedClasses,
    ProbeProvenance provenance) {

  /** Bias given to a dropped class so that it is never predicted. */
  static final float DROPPED_BIAS = -1e9f;

  public Probe {
    labelNames = List.copyOf(labelNames);
    droppedClasses = List.copyOf(droppedClasses);
    int c = labelNames.size();
    if (weights.length != c || bias.length != c) {
      throw new IllegalArgumentException(
          "probe: " + weights.length + " weight rows and " + bias.length + " biases for " + c
              + " classes");
    }
    int f = featureIds.length;
    float[][] w = new float[c][];
    for (int i = 0; i < c; i++) {
      if (weights[i].length != f) {
        throw new IllegalArgumentException(
            "probe: weight row " + i + " has " + weights[i].length + " entries, expected " + f);
      }
      w[i] = weights[i].clone();
    }
    weights = w;
    bias = bias.clone();
    featureIds = featureIds.clone();
    if ((featureMean == null) != (featureScale == null)
        || (featureMean != null && (featureMean.length != f || featureScale.length != f))) {
      throw new IllegalArgumentException("probe: standardisation needs F means and F scales");
    }
    featureMean = featureMean == null ? null : featureMean.clone();
    featureScale = featureScale == null ? null : featureScale.clone();
  }

  /** C. */
  @JsonIgnore
  public int numClasses() {
    return labelNames.size();
  }

  /** F. */
  @JsonIgnore
  public int numFeatures() {
    return featureIds.length;
  }

  @Override
  public float[][] weights() {
    float[][] copy = new float[weights.length][];
    for (int i = 0; i < weights.length; i++) {
      copy[i] = weights[i].clone();
    }
    return copy;
  }

  @Override
  public float[] bias() {
    return bias.clone();
  }

  @Override
  public int[] featureIds() {
    return featureIds.clone();
  }

  @Override
  public float[] featureMean() {
    return featureMean == null ? null : featureMean.clone();
  }

  @Override
  public float[] featureScale() {
    return featureScale == null ? null : featureScale.clone();
  }

  /** W[c][j] without copying the matrix. */
  public float weight(int c, int j) {
    return weights[c][j];
  }

  /** Class ids of {@link #droppedClasses()}. */
  @JsonIgnore
  public Set<Integer> droppedClassIds() {
    Set<Integer> ids = new HashSet<>();
    for (String d : droppedClasses) {
      ids.add(labelNames.indexOf(d));
    }
    return ids;
  }

  /**
   * The same probe with the given columns (positions 0..F-1) zeroed in W: exactly the probe's
   * output when those (standardised) inputs are set to 0, without retraining.
   */
  public Probe withZeroedColumns(int[] columns) {
    float[][] w = weights();
    for (int j : columns) {
      if (j < 0 || j >= featureIds.length) {
        throw new IllegalArgumentException("column " + j + " outside 0.." + (featureIds.length - 1));
      }
      for (float[] row : w) {
        row[j] = 0f;
      }
    }
    return new Probe(
        regression, labelNames, w, bias, featureIds, featureMean, featureScale, droppedClasses,
        provenance);
  }
}
