package dev.neurolens.activation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.model.HookName;
import dev.neurolens.util.NeuroLensException;
import io.jhdf.HdfFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InteropTest {
  private static final long SEED = 21;
  @TempDir Path tmp;

  private ActivationStore store(StoreDtype dtype) throws Exception {
    Path dir = tmp.resolve("store");
    Synthetic.write(dir, Synthetic.spec(dtype, 9), SEED, 25, 0);
    return ActivationStore.open(dir);
  }

  private static float[] all(ActivationMatrix m) {
    float[] out = new float[m.rows() * m.cols()];
    m.read(0, m.rows(), out);
    return out;
  }

  @Test
  void npyHeader_isPaddedTo64BytesWithNewline() {
    byte[] h = Npy.header("<f4", 3, 14);
    assertEquals(0, h.length % 64);
    assertEquals('\n', h[h.length - 1]);
    String text = new String(h, 10, h.length - 10, StandardCharsets.US_ASCII);
    assertTrue(text.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 14), }"), text);
    assertEquals(h.length - 10, (h[8] & 0xff) | (h[9] & 0xff) << 8);
    assertTrue(new String(Npy.header("<i4", 5), StandardCharsets.US_ASCII).contains("'shape': (5,)"));
  }

  @Test
  void npyExport_concatenated_holdsStoreMatrixAndLabels() throws Exception {
    try (ActivationStore s = store(StoreDtype.FLOAT32)) {
      Path out = tmp.resolve("npy");
      NpyExport.export(s, out, NpyExport.Layout.CONCATENATED, StoreDtype.FLOAT32, ExistingFile.FAIL);
      Npy.Array a = Npy.read(out.resolve("activations.npy"));
      assertEquals("<f4", a.descr());
      assertArrayEquals(new long[] {s.tokenCount(), 14}, a.shape());
      assertArrayEquals(all(s.view(Synthetic.HOOKS)), a.floats());
      assertArrayEquals(s.labels("kind"), Npy.read(out.resolve("labels.0.kind.npy")).ints());
      assertArrayEquals(s.rowSnippets(), Npy.read(out.resolve("snippet.npy")).ints());
      Npy.Array mean = Npy.read(out.resolve("mean.npy"));
      assertArrayEquals(new long[] {25, 14}, mean.shape());
      assertArrayEquals(all(s.sentenceView(SentenceRep.MEAN, Synthetic.HOOKS, null)), mean.floats());
      assertThrows(NeuroLensException.class,
          () -> NpyExport.export(s, out, NpyExport.Layout.CONCATENATED, StoreDtype.FLOAT32, ExistingFile.FAIL));
    }
  }

  @Test
  void npyExport_perHookFloat16_holdsEachHook() throws Exception {
    try (ActivationStore s = store(StoreDtype.FLOAT16)) {
      Path out = tmp.resolve("npy16");
      NpyExport.export(s, out, NpyExport.Layout.PER_HOOK, StoreDtype.FLOAT16, ExistingFile.FAIL);
      for (HookName h : Synthetic.HOOKS) {
        Npy.Array a = Npy.read(out.resolve(h + ".npy"));
        assertEquals("<f2", a.descr());
        assertArrayEquals(new long[] {s.tokenCount(), s.width(h)}, a.shape());
        assertArrayEquals(all(s.view(List.of(h))), a.floats());
      }
    }
  }

  @Test
  void hdf5_exportThenImport_roundTripsActivationsAndTokens() throws Exception {
    try (ActivationStore s = store(StoreDtype.FLOAT32)) {
      List<HookName> hooks = Synthetic.HOOKS.subList(0, 2);
      Path h5 = tmp.resolve("acts.hdf5");
      int sentences = NeuroxHdf5.export(s, hooks, h5, ExistingFile.FAIL);
      long nonEmpty = s.snippets().stream().filter(sn -> sn.rows() > 0).count();
      assertEquals(nonEmpty, sentences);

      // the NeuroX layout, read independently with jhdf
      try (HdfFile f = new HdfFile(h5)) {
        StoredSnippet first = s.snippets().get(0);
        float[][][] d0 = (float[][][]) f.getDatasetByPath("0").getData();
        assertEquals(2, d0.length);
        assertEquals(first.rows(), d0[0].length);
        float[] row = new float[8];
        s.view(hooks).read(first.firstRow() + 1, 1, row);
        assertArrayEquals(Arrays.copyOfRange(row, 4, 8), d0[1][1]);
        String json = ((String[]) f.getDatasetByPath("sentence_to_index").getData())[0];
        assertTrue(json.startsWith("{\"t0_0 t0_1"), json);
      }

      Path back = tmp.resolve("imported");
      StoreManifest m = NeuroxHdf5.importFile(h5, back, StoreDtype.FLOAT32, StoreWriter.Mode.CREATE_OR_RESUME);
      assertEquals(s.tokenCount(), m.tokens());
      assertEquals("tiny-test", m.modelId());
      try (ActivationStore imported = ActivationStore.open(back)) {
        assertEquals(hooks, imported.hooks());
        assertArrayEquals(all(s.view(hooks)), all(imported.view(hooks)));
        assertEquals(s.tokens(0, 5).stream().map(StoredToken::text).toList(),
            imported.tokens(0, 5).stream().map(StoredToken::text).toList());
      }
    }
  }

  @Test
  void hdf5Export_unequalWidths_isRefused() throws Exception {
    try (ActivationStore s = store(StoreDtype.FLOAT16)) {
      String msg = assertThrows(NeuroLensException.class,
          () -> NeuroxHdf5.export(s, Synthetic.HOOKS, tmp.resolve("x.h5"), ExistingFile.FAIL)).getMessage();
      assertTrue(msg.contains("equal widths"), msg);
    }
  }

  @Test
  void sentence_tokensWithSpaces_keepTheTokenCount() {
    String s = NeuroxHdf5.sentence(List.of(StoredToken.of("\"a b\"", 0, 5, 0), StoredToken.of("", 6, 6, 1)));
    assertEquals(2, s.split(" ", -1).length);
  }
}
