package dev.neurolens.activation;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.model.HookName;
import dev.neurolens.util.NeuroLensException;
import java.util.List;
import org.junit.jupiter.api.Test;

class FiniteCheckTest {
  static StoreSpec spec(StoreDtype dtype) {
    return StoreSpec.builder().setModel("m", "c").optDtype(dtype)
        .addHook(HookName.embedOut(), 2).addHook(HookName.residPost(0), 2).build();
  }

  /** Two tokens; {@code v} at row 1, neuron 0 of blocks.0.resid_post. */
  static SnippetActivations snippet(float v) {
    List<StoredToken> tokens = List.of(StoredToken.of("int", 0, 3, 0), StoredToken.of("x", 4, 5, 0));
    return new SnippetActivations("s7", "A.java", tokens, List.of(),
        new float[][] {{0, 0, 0, 0}, {1, 2, v, 3}}, new float[][] {{0, 0}, {0, 0}}, new float[][] {{0, 0}, {0, 0}});
  }

  static String error(float v, StoreDtype dtype) {
    String m = assertThrows(NeuroLensException.class, () -> FiniteCheck.require(snippet(v), spec(dtype))).getMessage();
    assertTrue(m.contains("hook blocks.0.resid_post") && m.contains("neuron 0 of row 1 (token 'x')")
        && m.contains("snippet s7") && m.contains("--allow-non-finite") && !m.contains("\n"), m);
    return m;
  }

  @Test
  void require_nanOrInfinity_namesHookRowAndNeuron() {
    assertTrue(error(Float.NaN, StoreDtype.FLOAT32).contains("produced NaN"));
    assertTrue(error(Float.NEGATIVE_INFINITY, StoreDtype.FLOAT16).contains("produced -Infinity"));
  }

  @Test
  void require_float16Overflow_suggestsFloat32() {
    String m = error(70000f, StoreDtype.FLOAT16);
    assertTrue(m.contains("70000.0, which float16 stores as infinity") && m.contains("--dtype float32"), m);
    FiniteCheck.require(snippet(70000f), spec(StoreDtype.FLOAT32));
    FiniteCheck.require(snippet(65519f), spec(StoreDtype.FLOAT16)); // rounds to 65504, finite
  }
}
