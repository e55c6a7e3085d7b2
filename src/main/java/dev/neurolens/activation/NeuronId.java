package dev.neurolens.activation;

import dev.neurolens.model.HookName;
import java.util.Objects;

/**
 * A neuron: index {@code index} of the vector at hook {@code hook}.
 *
 * <p>Usage: {@code NeuronId n = store.neuron(store.hooks(), feature); n.hook(); n.index()}
 */
public record NeuronId(HookName hook, int index) {
  public NeuronId {
    Objects.requireNonNull(hook, "hook");
    if (index < 0) {
      throw new IllegalArgumentException("neuron index must be >= 0, found " + index);
    }
  }

  @Override
  public String toString() {
    return hook + ":" + index;
  }
}
