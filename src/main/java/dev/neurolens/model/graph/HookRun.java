package dev.neurolens.model.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.model.HookName;
import dev.neurolens.model.Intervention;
import dev.neurolens.util.NeuroLensException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The hooks of one forward call: which sites to capture (attached to the caller's manager) and
 * which to replace. Created per call and dropped when it returns, so hooks never outlive it.
 * Shared by every family: a block passes each activation through {@link #at} under its
 * {@link HookName}.
 */
public final class HookRun {
  /** No capture, no intervention (plain forward, training). */
  public static final HookRun NONE = new HookRun(null, Set.of(), Map.of());

  private final NDManager outer;
  private final Set<HookName> capture;
  private final Map<HookName, Intervention> interventions;
  private final Map<HookName, NDArray> captured = new LinkedHashMap<>();

  /** Captured arrays are attached to {@code outer}. */
  public HookRun(NDManager outer, Set<HookName> capture, Map<HookName, Intervention> interventions) {
    this.outer = outer;
    this.capture = capture;
    this.interventions = interventions;
  }

  public boolean isEmpty() {
    return capture.isEmpty() && interventions.isEmpty();
  }

  /** Applies the hook point {@code name} to activation {@code x} (B, T, W); returns what flows on. */
  public NDArray at(HookName name, NDArray x) {
    NDArray y = x;
    Intervention f = interventions.get(name);
    if (f != null) {
      y = f.apply(name, x);
      if (y == null || !y.getShape().equals(x.getShape())) {
        throw new NeuroLensException(
            "intervention at " + name + " must return shape " + x.getShape() + ", found "
                + (y == null ? "null" : y.getShape()));
      }
    }
    if (capture.contains(name)) {
      y.attach(outer);
      captured.put(name, y);
    }
    return y;
  }

  /** The captured activations, by hook, in forward order. */
  public Map<HookName, NDArray> captured() {
    return captured;
  }
}
