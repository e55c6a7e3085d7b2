package dev.neurolens.activation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.model.HookName;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActivationStoreTest {
  private static final long SEED = 11;
  private static final int COUNT = 60;

  @TempDir Path tmp;

  private ActivationStore write(StoreDtype dtype, int chunkRows) throws Exception {
    Path dir = tmp.resolve("store-" + dtype + "-" + chunkRows);
    Synthetic.write(dir, Synthetic.spec(dtype, chunkRows), SEED, COUNT, 0);
    return ActivationStore.open(dir);
  }

  private static float[] readAll(ActivationMatrix m) {
    float[] out = new float[m.rows() * m.cols()];
    m.read(0, m.rows(), out);
    return out;
  }

  private static float[] flat(float[][] rows) {
    int w = rows.length == 0 ? 0 : rows[0].length;
    float[] out = new float[rows.length * w];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, out, i * w, w);
    }
    return out;
  }

  @Test
  void view_float32AllHooks_equalsWrittenValuesExactly() throws Exception {
    try (ActivationStore s = write(StoreDtype.FLOAT32, 16)) {
      assertTrue(s.chunkCount() > 3, "several chunks expected, found " + s.chunkCount());
      float[][] expected = StoreTestSupport.expectedRows(SEED, COUNT, List.of(0, 1, 2));
      ActivationMatrix m = s.view(Synthetic.HOOKS);
      assertEquals(expected.length, m.rows());
      assertEquals(14, m.cols());
      assertArrayEquals(flat(expected), readAll(m));
      assertEquals(COUNT, s.snippetCount());
    }
  }

  @Test
  void view_float16_equalsHalfRoundedValues() throws Exception {
    try (ActivationStore s = write(StoreDtype.FLOAT16, 16)) {
      float[] expected = flat(StoreTestSupport.expectedRows(SEED, COUNT, List.of(1)));
      for (int i = 0; i < expected.length; i++) {
        expected[i] = Half.toFloat(Half.fromFloat(expected[i]));
      }
      assertArrayEquals(expected, readAll(s.view(List.of(Synthetic.HOOKS.get(1)))));
    }
  }

  @Test
  void view_neuronSubsetAcrossHooks_returnsColumnsInRequestedOrder() throws Exception {
    try (ActivationStore s = write(StoreDtype.FLOAT32, 16)) {
      List<HookName> hooks = List.of(Synthetic.HOOKS.get(2), Synthetic.HOOKS.get(0));
      int[] neurons = {7, 0, 5, 9, 6, 1};
      float[][] full = StoreTestSupport.expectedRows(SEED, COUNT, List.of(2, 0));
      ActivationMatrix m = s.view(hooks, neurons);
      assertEquals(neurons.length, m.cols());
      float[] got = readAll(m);
      for (int r = 0; r < full.length; r++) {
        for (int j = 0; j < neurons.length; j++) {
          assertEquals(full[r][neurons[j]], got[r * neurons.length + j], "row " + r + " col " + j);
        }
      }
      assertEquals(new NeuronId(Synthetic.HOOKS.get(0), 1), s.neuron(hooks, 7));
    }
  }

  @Test
  void narrowed_viewAndNeuronView_decodeJustTheComposedColumns() throws Exception {
    try (ActivationStore s = write(StoreDtype.FLOAT16, 7)) {
      ActivationMatrix m = s.view(Synthetic.HOOKS);
      float[] all = readAll(m);
      int f = m.cols();
      int[] cols = {13, 2, 6, 0, 7};
      ActivationMatrix narrow = m.narrowed(cols).orElseThrow();
      assertEquals(cols.length, narrow.cols());
      float[] got = readAll(narrow);
      int[] ids = {m.rows() - 1, 0, 17, 3};
      float[] picked = new float[ids.length * cols.length];
      narrow.readRows(ids, picked);
      for (int r = 0; r < m.rows(); r++) {
        for (int j = 0; j < cols.length; j++) {
          assertEquals(all[r * f + cols[j]], got[r * cols.length + j], "row " + r + " col " + j);
        }
      }
      for (int i = 0; i < ids.length; i++) {
        for (int j = 0; j < cols.length; j++) {
          assertEquals(all[ids[i] * f + cols[j]], picked[i * cols.length + j]);
        }
      }
      // a neuron view narrowed again: its column j is neuron neurons[j] of the hooks
      int[] neurons = {9, 1, 12, 4};
      ActivationMatrix again = s.view(Synthetic.HOOKS, neurons).narrowed(new int[] {2, 0}).orElseThrow();
      float[] two = readAll(again);
      for (int r = 0; r < m.rows(); r++) {
        assertEquals(all[r * f + 12], two[2 * r]);
        assertEquals(all[r * f + 9], two[2 * r + 1]);
      }
    }
  }

  @Test
  void read_windowsAndRowListsAcrossChunks_matchFullRead() throws Exception {
    try (ActivationStore s = write(StoreDtype.FLOAT16, 7)) {
      ActivationMatrix m = s.view(Synthetic.HOOKS);
      float[] all = readAll(m);
      int f = m.cols();
      for (int start = 0; start < m.rows(); start += 5) {
        int n = Math.min(13, m.rows() - start);
        float[] part = new float[n * f];
        m.read(start, n, part);
        assertArrayEquals(Arrays.copyOfRange(all, start * f, (start + n) * f), part);
      }
      int[] ids = {m.rows() - 1, 0, 17, 3, 17};
      float[] picked = new float[ids.length * f];
      m.readRows(ids, picked);
      for (int i = 0; i < ids.length; i++) {
        assertArrayEquals(
            Arrays.copyOfRange(all, ids[i] * f, (ids[i] + 1) * f),
            Arrays.copyOfRange(picked, i * f, (i + 1) * f));
      }
    }
  }

  @Test
  void sentenceView_first_andMean_equalWrittenVectors() throws Exception {
    try (ActivationStore s = write(StoreDtype.FLOAT32, 16)) {
      List<HookName> hooks = List.of(Synthetic.HOOKS.get(2));
      float[] first = readAll(s.sentenceView(SentenceRep.FIRST, hooks, null));
      float[] mean = readAll(s.sentenceView(SentenceRep.MEAN, hooks, new int[] {5, 0}));
      for (int i = 0; i < COUNT; i++) {
        SnippetActivations sn = Synthetic.snippet(SEED, i);
        assertArrayEquals(sn.firstOf(2), Arrays.copyOfRange(first, i * 6, i * 6 + 6));
        assertEquals(sn.meanOf(2)[5], mean[2 * i]);
        assertEquals(sn.meanOf(2)[0], mean[2 * i + 1]);
      }
    }
  }

  @Test
  void metadata_tokensLabelsTargetsSnippets_matchWrittenSnippets() throws Exception {
    try (ActivationStore s = write(StoreDtype.FLOAT16, 16)) {
      List<StoredToken> tokens = new ArrayList<>();
      List<Integer> snippetOfRow = new ArrayList<>();
      List<String> snippetLabels = new ArrayList<>();
      for (int i = 0; i < COUNT; i++) {
        SnippetActivations sn = Synthetic.snippet(SEED, i);
        tokens.addAll(sn.tokens());
        snippetLabels.add(sn.labels().get(0));
        for (int t = 0; t < sn.size(); t++) {
          snippetOfRow.add(i);
        }
      }
      assertEquals(tokens, s.tokens(0, s.tokenCount()));
      assertEquals(tokens.subList(9, 30), s.tokens(9, 21));
      assertArrayEquals(snippetOfRow.stream().mapToInt(Integer::intValue).toArray(), s.rowSnippets());

      TreeSet<String> kinds = new TreeSet<>();
      tokens.forEach(t -> { if (t.labels().get(0) != null) kinds.add(t.labels().get(0)); });
      List<String> names = s.labelNames("kind");
      assertEquals(List.copyOf(kinds), names);
      int[] ids = s.labels("kind");
      float[] depth = s.targets("depth");
      byte[] flags = s.rowFlags();
      for (int r = 0; r < tokens.size(); r++) {
        String kind = tokens.get(r).labels().get(0);
        assertEquals(kind == null ? -1 : names.indexOf(kind), ids[r]);
        String d = tokens.get(r).labels().get(1);
        assertEquals(d == null ? Float.NaN : Float.parseFloat(d), depth[r]);
        assertEquals(tokens.get(r).flags(), flags[r]);
      }
      int[] loop = s.labels("has_loop");
      assertEquals(List.of("no", "yes"), s.labelNames("has_loop"));
      for (int i = 0; i < COUNT; i++) {
        String l = snippetLabels.get(i);
        assertEquals(l == null ? -1 : s.labelNames("has_loop").indexOf(l), loop[i]);
      }
      List<StoredSnippet> snippets = s.snippets();
      assertEquals("s7", snippets.get(7).id());
      assertEquals(snippetOfRow.indexOf(7), snippets.get(7).firstRow());
      assertNull(snippets.get(0).labels().get(0));
      assertEquals(s.tokenCount(), s.manifest().tokens());
      assertEquals(List.of(0, 1, 1), s.manifest().layers());
    }
  }
}
