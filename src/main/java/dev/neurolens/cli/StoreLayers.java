package dev.neurolens.cli;

import dev.neurolens.activation.ActivationStore;
import dev.neurolens.model.HookName;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.List;

/** Picks the layer hooks of a store for the redundancy commands. */
final class StoreLayers {
  private StoreLayers() {}

  /**
   * The layer representations ({@code embed.out}, {@code blocks.i.resid_post}) of {@code layers}
   * (by {@link HookName#layer()}; null or empty = all of them).
   */
  static List<HookName> select(ActivationStore s, List<Integer> layers) {
    List<HookName> reps =
        s.hooks().stream()
            .filter(h -> h.site() == HookName.Site.EMBED_OUT || h.site() == HookName.Site.RESID_POST)
            .toList();
    if (reps.isEmpty()) {
      throw new NeuroLensException(
          s.dir() + ": the store has no layer representations (embed.out / resid_post), hooks: " + s.hooks());
    }
    if (layers == null || layers.isEmpty()) {
      return reps;
    }
    List<HookName> out = new ArrayList<>();
    for (int l : layers) {
      HookName h =
          reps.stream()
              .filter(x -> x.layer() == l)
              .findFirst()
              .orElseThrow(() -> new NeuroLensException(
                  "--layers: layer " + l + " is not in the store (layers: "
                      + reps.stream().map(HookName::layer).toList() + ")"));
      out.add(h);
    }
    return out;
  }

  /** D, the common width of the hooks. */
  static int hidden(ActivationStore s, List<HookName> hooks) {
    int d = s.width(hooks.get(0));
    for (HookName h : hooks) {
      if (s.width(h) != d) {
        throw new NeuroLensException(
            "--layers: all layers must have the same width, found " + d + " and " + s.width(h) + " (" + h + ")");
      }
    }
    return d;
  }
}
