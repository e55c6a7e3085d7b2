package dev.neurolens.probe;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.neurolens.util.NeuroLensException;
import java.util.List;

/**
 * The layer-major layout of a feature vector: L layers of D neurons, feature id = layer * D +
 * index, optionally with the hook name of each layer (e.g. {@code embed.out},
 * {@code blocks.3.resid_post}).
 *
 * <p>Usage: {@code LayerLayout layout = LayerLayout.of(13, 384); String where = layout.describe(featureId)}
 *
 * @param numLayers L, >= 1
 * @param neuronsPerLayer D, >= 1
 * @param hookNames L printable hook names, or empty
 */
public record LayerLayout(int numLayers, int neuronsPerLayer, List<String> hookNames) {

  public LayerLayout {
    if (numLayers < 1 || neuronsPerLayer < 1) {
      throw new NeuroLensException(
          "layer layout: layers and neurons per layer must be >= 1, found " + numLayers + " x "
              + neuronsPerLayer);
    }
    hookNames = hookNames == null ? List.of() : List.copyOf(hookNames);
    if (!hookNames.isEmpty() && hookNames.size() != numLayers) {
      throw new NeuroLensException(
          "layer layout: " + hookNames.size() + " hook names for " + numLayers + " layers");
    }
  }

  public static LayerLayout of(int numLayers, int neuronsPerLayer) {
    return new LayerLayout(numLayers, neuronsPerLayer, List.of());
  }

  /** L * D. */
  @JsonIgnore
  public int features() {
    return numLayers * neuronsPerLayer;
  }

  public int layerOf(int featureId) {
    checkFeature(featureId);
    return featureId / neuronsPerLayer;
  }

  public int indexOf(int featureId) {
    checkFeature(featureId);
    return featureId % neuronsPerLayer;
  }

  /** The hook name of a layer, or {@code "layer l"} without names. */
  public String hookName(int layer) {
    return hookNames.isEmpty() ? "layer " + layer : hookNames.get(layer);
  }

  /** {@code "feature 812 (layer 2, index 44)"}. */
  public String describe(int featureId) {
    if (featureId < 0 || featureId >= features()) {
      return "feature " + featureId;
    }
    return "feature " + featureId + " (" + hookName(layerOf(featureId)) + ", index "
        + indexOf(featureId) + ")";
  }

  /** Feature ids of layer {@code layer}: layer*D .. layer*D + D - 1. */
  public int[] layerFeatures(int layer) {
    return layerRange(layer, layer);
  }

  /** Feature ids of layers {@code first..last} inclusive. */
  public int[] layerRange(int first, int last) {
    if (first < 0 || last >= numLayers || first > last) {
      throw new NeuroLensException(
          "layers " + first + ".." + last + " outside 0.." + (numLayers - 1));
    }
    int[] ids = new int[(last - first + 1) * neuronsPerLayer];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = first * neuronsPerLayer + i;
    }
    return ids;
  }

  private void checkFeature(int featureId) {
    if (featureId < 0 || featureId >= features()) {
      throw new IllegalArgumentException(
          "feature id " + featureId + " outside 0.." + (features() - 1));
    }
  }
}
