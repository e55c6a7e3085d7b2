package dev.neurolens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.neurolens.util.NeuroLensException;
import org.junit.jupiter.api.Test;

class TorchTest {

  @Test
  void withThreads_usesTheCountInsideAndRestoresItAfter_evenOnError() {
    int before = Torch.threads();
    int inside = before == 1 ? 2 : 1;
    assertEquals(inside, (int) Torch.withThreads(inside, Torch::threads));
    assertEquals(before, Torch.threads());
    assertThrows(IllegalStateException.class, () -> Torch.withThreads(inside, () -> {
      throw new IllegalStateException("boom");
    }));
    assertEquals(before, Torch.threads());
  }

  @Test
  void withThreads_zero_isBadInput() {
    NeuroLensException e = assertThrows(NeuroLensException.class, () -> Torch.withThreads(0, () -> 1));
    assertEquals("--threads must be >= 1, found 0", e.getMessage());
  }
}
