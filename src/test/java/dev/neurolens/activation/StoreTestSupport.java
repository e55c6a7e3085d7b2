package dev.neurolens.activation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Assertions shared by the store tests. */
final class StoreTestSupport {
  private StoreTestSupport() {}

  /** Relative path -> bytes of every file under {@code dir}. */
  static TreeMap<String, byte[]> files(Path dir) throws IOException {
    TreeMap<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  static void assertSameFiles(Path expected, Path actual) throws IOException {
    TreeMap<String, byte[]> e = files(expected);
    TreeMap<String, byte[]> a = files(actual);
    assertEquals(e.keySet(), a.keySet());
    for (String k : e.keySet()) {
      assertArrayEquals(e.get(k), a.get(k), "file " + k + " differs");
    }
  }

  /** The expected token matrix of snippets [0, count): rows of the given hook positions. */
  static float[][] expectedRows(long seed, int count, List<Integer> hookPositions) {
    List<float[]> rows = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      SnippetActivations s = Synthetic.snippet(seed, i);
      for (int t = 0; t < s.size(); t++) {
        int width = hookPositions.stream().mapToInt(h -> Synthetic.WIDTHS[h]).sum();
        float[] row = new float[width];
        int at = 0;
        for (int h : hookPositions) {
          int w = Synthetic.WIDTHS[h];
          System.arraycopy(s.rowsOf(h), t * w, row, at, w);
          at += w;
        }
        rows.add(row);
      }
    }
    return rows.toArray(new float[0][]);
  }
}
