package dev.neurolens.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.neurolens.probe.ProbeTask;
import dev.neurolens.probe.Splits;
import java.util.List;
import org.junit.jupiter.api.Test;

class BaselinesTest {
  @Test
  void handComputed_majorityTypeLookupAndSeenShare() {
    // train rows 0..5, test rows 6..9
    String[] texts = {"a", "a", "b", "b", "b", "c", "a", "b", "d", "c"};
    int[] labels = {1, 1, 0, 0, 2, 2, 1, 2, 0, 0};
    // training majority: class 0, 1 and 2 each twice -> the lower id, 0
    // type lookup: a -> 1, b -> 0 (2 of 3), c -> 2, d unseen -> 0
    // test: a(1) hit, b(2) miss, d(0) hit, c(0) miss -> 2 / 4; majority 0: rows 8, 9 -> 2 / 4
    ProbeTask task = ProbeTask.classification("t", List.of("x", "y", "z"), labels);
    ProbeTask control = ProbeTask.classification("t.control", List.of("x", "y", "z"), new int[] {2, 2, 1, 1, 1, 0, 2, 1, 0, 0});
    Splits s = new Splits(new int[] {0, 1, 2, 3, 4, 5}, new int[0], new int[] {6, 7, 8, 9});
    Baselines b = Baselines.of(task, control, s, texts);
    assertEquals(0.5, b.majority(), 1e-12);
    assertEquals(0.5, b.typeLookup(), 1e-12);
    // control lookup: a -> 2, b -> 1, c -> 0, d unseen -> training majority of the control (1, three times)
    // test: a(2) hit, b(1) hit, d(0) vs 1 miss, c(0) hit -> 3 / 4
    assertEquals(0.75, b.controlTypeLookup(), 1e-12);
    assertEquals(0.75, b.seenTypes(), 1e-12);
    assertNull(Baselines.of(task, null, s, texts).controlTypeLookup());
    Baselines snippetTask = Baselines.majorityOnly(task, s);
    assertEquals(0.5, snippetTask.majority(), 1e-12);
    assertNull(snippetTask.typeLookup());
    assertNull(snippetTask.seenTypes());
  }
}
