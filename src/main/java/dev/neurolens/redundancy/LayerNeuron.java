package dev.neurolens.redundancy;

/**
 * A neuron by its original position: layer (0 = embedding output) and index inside the layer.
 *
 * <p>Usage: {@code LayerNeuron n = LayerNeuron.of(featureId, 384); int layer = n.layer()}
 *
 * @param layer 0..L-1
 * @param index 0..D-1
 */
public record LayerNeuron(int layer, int index) {
  public LayerNeuron {
    if (layer < 0 || index < 0) {
      throw new IllegalArgumentException("layer and index must be >= 0, found " + layer + ", " + index);
    }
  }

  /** The neuron of feature id {@code feature} (= layer * hidden + index). */
  public static LayerNeuron of(int feature, int hidden) {
    return new LayerNeuron(feature / hidden, feature % hidden);
  }
}
