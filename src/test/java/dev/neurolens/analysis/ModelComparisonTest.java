package dev.neurolens.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.neurolens.probe.LayerLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Relocation and freeze advice on planted inputs. */
class ModelComparisonTest {

  @Test
  void relocation_plantedTopSets() {
    LayerLayout layout = LayerLayout.of(4, 10); // features 0..39, layer = feature / 10
    int[] base = {35, 36, 37, 25, 26, 5}; // layers 3, 3, 3, 2, 2, 0: mean 13 / 6
    int[] tuned = {5, 6, 7, 15, 25, 35}; // layers 0, 0, 0, 1, 2, 3: mean 6 / 6
    ComparisonResult.Relocation r = ModelComparison.relocation("lexical", 0.1, base, tuned, layout);
    assertArrayEquals(new int[] {1, 0, 2, 3}, r.baseHistogram());
    assertArrayEquals(new int[] {3, 1, 1, 1}, r.tunedHistogram());
    assertEquals(13 / 6.0, r.baseMeanLayer(), 1e-12);
    assertEquals(1.0, r.tunedMeanLayer(), 1e-12);
    assertEquals(1.0 - 13 / 6.0, r.meanLayerShift(), 1e-12);
    assertEquals(3, r.common()); // 5, 25, 35
    assertEquals(3 / 9.0, r.topOverlap(), 1e-12); // union of 6 + 6 - 3
  }

  private static List<ComparisonResult.Layer> curve(double... rsa) {
    List<ComparisonResult.Layer> out = new ArrayList<>();
    for (int l = 0; l < rsa.length; l++) {
      out.add(new ComparisonResult.Layer(l, rsa[l], rsa[l], 1, 1, 1, 0));
    }
    return out;
  }

  @Test
  void freezeAdvice_largestBottomPrefixAboveTheThreshold() {
    // Telly's UniXcoder curve (clone detection): layers 0..8 keep >= 0.89; at 0.9, layers 0..7 do
    List<ComparisonResult.Layer> telly = curve(1.0, .996, .983, .981, .970, .962, .952, .938, .892, .844, .647, .505, .265);
    assertEquals("7", ModelComparison.freezeAdvice(telly, 0.9).suggestedFreeze());
    assertEquals("8", ModelComparison.freezeAdvice(telly, 0.85).suggestedFreeze());
    assertEquals("none", ModelComparison.freezeAdvice(curve(0.8, 0.95, 0.95), 0.9).suggestedFreeze());
    assertEquals("0", ModelComparison.freezeAdvice(curve(0.95, 0.85, 0.95), 0.9).suggestedFreeze());
    // every layer unchanged: all but the top block
    assertEquals("2", ModelComparison.freezeAdvice(curve(1, 1, 1, 1), 0.9).suggestedFreeze());
  }
}
