package dev.neurolens.redundancy;

import java.util.Arrays;

/**
 * Layer-by-layer similarity: linear CKA and mean best-match |r| for every pair of layers.
 *
 * <p>Usage: {@code double[] adjacent = LayerSimilarity.within(x, 13, 384).adjacentBestAbsR()}
 *
 * @param layersA La, layers of the first matrix (rows of the tables)
 * @param layersB Lb, layers of the second matrix (columns); = La within one model
 * @param withinModel true when both sides are the same matrix
 * @param cka La x Lb linear CKA, in [0, 1]
 * @param meanBestAbsR La x Lb: for each neuron of layer a its highest |r| with a neuron of layer
 *     b (itself excluded when a = b within one model), averaged over the neurons of layer a
 * @param rows N, rows the statistics were computed over
 */
public record LayerSimilarityResult(
    int layersA, int layersB, boolean withinModel, double[][] cka, double[][] meanBestAbsR, long rows) {

  public LayerSimilarityResult {
    cka = copy(cka);
    meanBestAbsR = copy(meanBestAbsR);
    if (cka.length != layersA || meanBestAbsR.length != layersA) {
      throw new IllegalArgumentException("tables must have " + layersA + " rows");
    }
  }

  @Override
  public double[][] cka() {
    return copy(cka);
  }

  @Override
  public double[][] meanBestAbsR() {
    return copy(meanBestAbsR);
  }

  /** For each layer l &lt; La − 1 within one model, the mean best |r| of its neurons in layer l + 1. */
  public double[] adjacentBestAbsR() {
    double[] out = new double[Math.max(0, Math.min(layersA, layersB) - 1)];
    for (int l = 0; l < out.length; l++) {
      out[l] = meanBestAbsR[l][l + 1];
    }
    return out;
  }

  private static double[][] copy(double[][] m) {
    return Arrays.stream(m).map(double[]::clone).toArray(double[][]::new);
  }
}
