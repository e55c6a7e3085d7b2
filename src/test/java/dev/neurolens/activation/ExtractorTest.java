package dev.neurolens.activation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Encoding;
import dev.neurolens.model.HookName;
import dev.neurolens.model.TinyModels;
import dev.neurolens.model.TokenBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExtractorTest {
  private static final Pattern CODE_TOKEN =
      Pattern.compile("[\\p{L}_][\\p{L}\\p{N}_]*|\\d+|==|->|!=|\\S", Pattern.UNICODE_CHARACTER_CLASS);
  private static final List<String> CODE =
      List.of(
          "int getValueName(int x) { return x == 42 ? x : -x; }",
          "if (a != b) return f()->g;",
          "x",
          "caf\u00e9 = \"\ud83d\ude00\" + y\u0007z;",
          "while (true) { counter = counter + 1; }");
  private static EncoderModel model;

  @TempDir Path tmp;

  @BeforeAll
  static void load() {
    model = TinyModels.random(3);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  /** Code tokens by a regex (an independent tokenizer), labelled word/other. */
  static ExtractionInput input(int i, String code) {
    List<StoredToken> tokens = new ArrayList<>();
    Matcher m = CODE_TOKEN.matcher(code);
    while (m.find()) {
      String kind = Character.isLetter(m.group().codePointAt(0)) ? "word" : "other";
      tokens.add(new StoredToken(m.group(), m.start(), m.end(), 0, List.of(kind)));
    }
    return new ExtractionInput("s" + i, "test", code, tokens, List.of());
  }

  /** {@code n} one-line snippets of different lengths: {@code int vI = f(x + ... + I);} with I mod {@code chain} terms. */
  private static List<String> assignments(int n, int chain) {
    List<String> code = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      code.add("int v" + i + " = f(" + "x + ".repeat(i % chain) + i + ");");
    }
    return code;
  }

  /** A snippet of at least three times the model's positions: three windows or more. */
  private static String threeWindows() {
    StringBuilder longer = new StringBuilder();
    while (model.tokenizer().encode(longer.toString()).length() < 3 * model.tokenizer().maxTokens()) {
      longer.append("value = value * 3 + 17 ; ");
    }
    return longer.toString();
  }

  static List<ExtractionInput> inputs(List<String> code) {
    List<ExtractionInput> out = new ArrayList<>();
    for (int i = 0; i < code.size(); i++) {
      out.add(input(i, code.get(i)));
    }
    return out;
  }

  private static ExtractOptions.Builder options(Aggregation a, StoreDtype dtype) {
    return ExtractOptions.builder()
        .optAggregation(a)
        .optDtype(dtype)
        .optBatchTokens(64)
        .optChunkRows(8)
        .addTask(TaskSpec.tokenTask("kind"));
  }

  /** Direct capture of one text in a batch of one: hook -> (T, W) rows. */
  private static float[][] capture(String code, List<HookName> hooks) {
    Encoding enc = model.tokenizer().encode(code);
    try (NDManager m = NDManager.newBaseManager()) {
      Map<HookName, NDArray> c =
          model.runWithCache(m, new TokenBatch(List.of(enc.ids())), Set.copyOf(hooks));
      float[][] out = new float[hooks.size()][];
      for (int h = 0; h < hooks.size(); h++) {
        out[h] = c.get(hooks.get(h)).toFloatArray();
      }
      return out;
    }
  }

  /** Pieces overlapping [s, e), by a plain scan (independent of PieceAlignment). */
  private static List<Integer> overlapping(Encoding enc, int s, int e) {
    List<Integer> out = new ArrayList<>();
    for (int p = 0; p < enc.length(); p++) {
      if (!enc.special()[p] && enc.charStart()[p] < e && enc.charEnd()[p] > s) {
        out.add(p);
      }
    }
    return out;
  }

  /** Packed (the default: the five snippets share rows) and one snippet per row. */
  private void checkAgainstDirectCapture(Aggregation agg, StoreDtype dtype, float tol) {
    for (int pack : new int[] {ExtractOptions.DEFAULT_PACK_TOKENS, 0}) {
      checkAgainstDirectCapture(agg, dtype, tol, pack);
    }
  }

  private void checkAgainstDirectCapture(Aggregation agg, StoreDtype dtype, float tol, int pack) {
    Path out = tmp.resolve("store-" + agg + dtype + pack);
    ExtractOptions o = options(agg, dtype).optPackTokens(pack).build();
    Extractor ex = new Extractor(o);
    List<ExtractionInput> in = inputs(CODE);
    WindowRunner.Plan plan = new WindowRunner(model, ex.spec(model).hooks(),
        ex.spec(model).widths(), o, SentenceRep.FIRST, true).plan(in);
    int widest = plan.batches.stream().flatMap(java.util.Arrays::stream).mapToInt(row -> row.length).max().orElse(0);
    assertEquals(pack > 0, widest > 1, "rows holding more than one snippet: " + widest);
    ExtractionResult r = ex.extract(model, in, out, StoreWriter.Mode.CREATE_OR_RESUME);
    List<HookName> hooks = ex.hooks(model);
    assertEquals(TinyModels.LAYERS + 1, hooks.size());
    assertEquals(in.stream().mapToInt(x -> x.tokens().size()).sum(), r.tokens());
    try (ActivationStore s = ActivationStore.open(out)) {
      ActivationMatrix m = s.view(hooks);
      ActivationMatrix first = s.sentenceView(SentenceRep.FIRST, hooks, null);
      int d = TinyModels.HIDDEN;
      float[] row = new float[m.cols()];
      int r0 = 0;
      for (int i = 0; i < in.size(); i++) {
        Encoding enc = model.tokenizer().encode(in.get(i).code());
        float[][] direct = capture(in.get(i).code(), hooks);
        for (StoredToken t : in.get(i).tokens()) {
          List<Integer> pieces = overlapping(enc, t.start(), t.end());
          m.read(r0, 1, row);
          for (int h = 0; h < hooks.size(); h++) {
            for (int c = 0; c < d; c++) {
              float expected = 0;
              if (!pieces.isEmpty()) {
                switch (agg) {
                  case FIRST -> expected = direct[h][pieces.get(0) * d + c];
                  case LAST -> expected = direct[h][pieces.get(pieces.size() - 1) * d + c];
                  case AVERAGE -> {
                    for (int p : pieces) {
                      expected += direct[h][p * d + c] / pieces.size();
                    }
                  }
                }
              }
              assertEquals(expected, row[h * d + c], tol * Math.max(1, Math.abs(expected)),
                  "snippet " + i + " token '" + t.text() + "' hook " + hooks.get(h) + " col " + c);
            }
          }
          r0++;
        }
        float[] f = new float[first.cols()];
        first.read(i, 1, f);
        int last = hooks.size() - 1;
        for (int c = 0; c < d; c++) {
          assertEquals(direct[last][c], f[last * d + c], tol * Math.max(1, Math.abs(direct[last][c])));
        }
      }
    }
  }

  /**
   * A float16 store of LAST or FIRST rows takes them from PyTorch's float16 conversion; with
   * --allow-non-finite it converts every value in Java (Half.fromFloat): the matrix files agree
   * byte for byte.
   */
  @Test
  void extract_float16_nativeConversionGivesTheBytesOfTheJavaConversion() throws IOException {
    // one snippet of three windows: its means are summed window by window, in batch order
    List<String> code = new ArrayList<>(assignments(30, 9));
    code.add(11, threeWindows());
    List<ExtractionInput> in = inputs(code);
    for (Aggregation agg : new Aggregation[] {Aggregation.LAST, Aggregation.FIRST}) {
      Path nat = tmp.resolve("native" + agg);
      Path java = tmp.resolve("java" + agg);
      new Extractor(options(agg, StoreDtype.FLOAT16).optIncludeSpecial(true).build())
          .extract(model, in, nat, StoreWriter.Mode.CREATE_OR_RESUME);
      new Extractor(options(agg, StoreDtype.FLOAT16).optIncludeSpecial(true).optAllowNonFinite(true).build())
          .extract(model, in, java, StoreWriter.Mode.CREATE_OR_RESUME);
      var a = StoreTestSupport.files(nat);
      var b = StoreTestSupport.files(java);
      int matrices = 0;
      for (String f : a.keySet()) {
        if (f.startsWith(StoreFiles.CHUNKS) && f.endsWith(".f16")) {
          assertArrayEquals(b.get(f), a.get(f), agg + " " + f);
          matrices++;
        }
      }
      assertTrue(matrices >= 3 * (TinyModels.LAYERS + 1), "matrix files compared: " + matrices);
    }
  }

  /**
   * A float16 store keeps no float32 token rows: values that float16 would hold as infinity are
   * caught while the rows are copied. The error names the same hook, snippet, row and neuron as
   * the check of whole float32 rows (the stream entry point, which keeps them).
   */
  @Test
  void extract_float16Overflow_storeWithoutFloatRowsFailsAsTheFloatRowCheck() throws IOException {
    var c = TinyModels.config(TinyModels.LAYERS, TinyModels.HIDDEN, TinyModels.HEADS, TinyModels.INTERMEDIATE);
    var w = new java.util.LinkedHashMap<>(TinyModels.randomWeights(c, 3));
    String gainName = dev.neurolens.model.bert.BertCheckpoint.block(0, "output.LayerNorm.weight");
    String biasName = dev.neurolens.model.bert.BertCheckpoint.block(0, "output.LayerNorm.bias");
    List<ExtractionInput> in = inputs(assignments(30, 9));
    ExtractOptions o = options(Aggregation.LAST, StoreDtype.FLOAT16).optGroupTokens(40).build();
    // neuron 7 of blocks.0.resid_post is gain * z + bias (z normalized): a gain that takes the
    // largest fifth of |z| in the corpus past 65520 (model seed 3 is the test's shared model)
    List<SnippetActivations> plain = new ArrayList<>();
    new Extractor(o).extract(model, in, plain::add);
    int hook = new Extractor(o).spec(model).hooks().indexOf(HookName.of(0, HookName.Site.RESID_POST));
    float g0 = w.get(gainName).data()[7];
    float b0 = w.get(biasName).data()[7];
    List<Float> z = new ArrayList<>();
    for (SnippetActivations a : plain) {
      for (int r = 0; r < a.size(); r++) {
        z.add(Math.abs((a.rowsOf(hook)[r * TinyModels.HIDDEN + 7] - b0) / g0));
      }
    }
    z.sort(java.util.Comparator.reverseOrder());
    float[] gain = w.get(gainName).data().clone();
    gain[7] = (FiniteCheck.HALF_OVERFLOW + Math.abs(b0)) / z.get(z.size() / 5) * 1.001f;
    w.put(gainName, new dev.neurolens.model.FloatTensor(w.get(gainName).shape(), gain));
    // the first snippet in corpus order with rows that overflow now, its first such row and how many
    String firstId = null;
    int firstRow = -1;
    int faulty = 0;
    for (SnippetActivations a : plain) {
      for (int r = 0; r < a.size(); r++) {
        float v = gain[7] * ((a.rowsOf(hook)[r * TinyModels.HIDDEN + 7] - b0) / g0) + b0;
        if (Math.abs(v) >= FiniteCheck.HALF_OVERFLOW) {
          firstRow = firstRow < 0 ? r : firstRow;
          faulty++;
        }
      }
      if (faulty > 0) {
        firstId = a.id();
        break;
      }
    }
    assertTrue(faulty >= 2, firstId + " row " + firstRow + ", " + faulty + " rows: the first of several is named");
    try (EncoderModel big = TinyModels.of(c, w, "tiny-overflow")) {
      String store = org.junit.jupiter.api.Assertions.assertThrows(dev.neurolens.util.NeuroLensException.class,
          () -> new Extractor(o).extract(big, in, tmp.resolve("overflow"), StoreWriter.Mode.OVERWRITE)).getMessage();
      String stream = org.junit.jupiter.api.Assertions.assertThrows(dev.neurolens.util.NeuroLensException.class,
          () -> new Extractor(o).extract(big, in, x -> { })).getMessage();
      assertEquals(stream, store);
      assertTrue(store.contains("hook blocks.0.resid_post") && store.contains("at neuron 7 of row " + firstRow + " (")
          && store.contains("of snippet " + firstId + " ") && store.contains("which float16 stores as infinity"), store);
    }
  }

  /** Rows asked longer than the model's 128 positions are cut to them: the same rows as unpacked. */
  @Test
  void extract_packTokensBeyondMaxPositions_rowsCutToPositionsSameAsUnpacked() throws IOException {
    List<ExtractionInput> in = inputs(assignments(30, 9));
    int pieces = in.stream().mapToInt(x -> model.tokenizer().encode(x.code()).length()).sum();
    assertTrue(pieces > 2 * TinyModels.MAX_POSITIONS, "pieces " + pieces);
    float[][] rows = new float[2][];
    int p = 0;
    for (int pack : new int[] {100_000, 0}) {
      Path out = tmp.resolve("pack" + pack);
      new Extractor(options(Aggregation.LAST, StoreDtype.FLOAT32).optBatchTokens(4096).optPackTokens(pack).build())
          .extract(model, in, out, StoreWriter.Mode.CREATE_OR_RESUME);
      try (ActivationStore s = ActivationStore.open(out)) {
        ActivationMatrix m = s.view(s.hooks());
        rows[p] = new float[s.tokenCount() * m.cols()];
        m.read(0, s.tokenCount(), rows[p++]);
      }
    }
    assertEquals(rows[1].length, rows[0].length);
    for (int i = 0; i < rows[0].length; i++) {
      assertEquals(rows[1][i], rows[0][i], 1e-4f * Math.max(1, Math.abs(rows[1][i])), "value " + i);
    }
  }

  @Test
  void extract_float32Last_equalsDirectCapture() {
    checkAgainstDirectCapture(Aggregation.LAST, StoreDtype.FLOAT32, 1e-4f);
  }

  @Test
  void extract_float16First_equalsDirectCaptureWithinHalfRounding() {
    checkAgainstDirectCapture(Aggregation.FIRST, StoreDtype.FLOAT16, 1e-3f);
  }

  @Test
  void extract_average_equalsMeanOfPieceVectors() {
    checkAgainstDirectCapture(Aggregation.AVERAGE, StoreDtype.FLOAT32, 1e-4f);
  }

  @Test
  void extract_manyPieceAndUnicodeTokens_alignAndFlagZeroPieceTokens() {
    Path out = tmp.resolve("align");
    List<ExtractionInput> in = inputs(CODE);
    new Extractor(options(Aggregation.LAST, StoreDtype.FLOAT32).build())
        .extract(model, in, out, StoreWriter.Mode.CREATE_OR_RESUME);
    try (ActivationStore s = ActivationStore.open(out)) {
      List<StoredToken> tokens = s.tokens(0, s.tokenCount());
      List<String> texts = tokens.stream().map(StoredToken::text).toList();
      List<String> expected =
          in.stream().flatMap(x -> x.tokens().stream()).map(StoredToken::text).toList();
      assertEquals(expected, texts);
      // getValueName splits into many pieces, == into two; both align
      Encoding enc = model.tokenizer().encode(CODE.get(0));
      assertTrue(overlapping(enc, 4, 16).size() >= 5);
      int eq = CODE.get(0).indexOf("==");
      assertEquals(2, overlapping(enc, eq, eq + 2).size());
      assertTrue(texts.contains("=="));
      // the control character \u0007 is dropped by the tokenizer: zero pieces, flagged, zero row
      int bell = texts.indexOf("\u0007");
      assertTrue(bell >= 0);
      assertTrue(tokens.get(bell).zeroPieces(), tokens.get(bell).toString());
      float[] row = new float[s.view(s.hooks()).cols()];
      s.view(s.hooks()).read(bell, 1, row);
      assertArrayEquals(new float[row.length], row);
      // the emoji (a surrogate pair, [UNK]) and the tokens after it keep their pieces
      assertFalse(tokens.get(texts.indexOf("\ud83d\ude00")).zeroPieces());
      assertFalse(tokens.get(texts.indexOf("y")).zeroPieces());
      assertFalse(tokens.get(texts.indexOf("caf\u00e9")).zeroPieces());
      assertEquals(List.of("other", "word"), s.labelNames("kind"));
    }
  }

  @Test
  void extract_threeTimesMaxLength_keepsEveryToken() {
    StringBuilder code = new StringBuilder();
    int max = model.tokenizer().maxTokens();
    while (model.tokenizer().encode(code.toString()).length() < 3 * max) {
      code.append("value = value + 17 ; ");
    }
    List<ExtractionInput> in = inputs(List.of(code.toString(), "x = 1 ;"));
    for (int context : new int[] {0, 5}) {
      Path out = tmp.resolve("long" + context);
      new Extractor(options(Aggregation.LAST, StoreDtype.FLOAT32).optContext(context).build())
          .extract(model, in, out, StoreWriter.Mode.CREATE_OR_RESUME);
      try (ActivationStore s = ActivationStore.open(out)) {
        assertEquals(in.get(0).tokens().size() + 4, s.tokenCount());
        assertEquals(in.get(0).tokens(), s.tokens(0, in.get(0).tokens().size()));
        ActivationMatrix m = s.view(s.hooks());
        int cols = m.cols();
        float[] all = new float[s.tokenCount() * cols];
        m.read(0, s.tokenCount(), all);
        for (int r = 0; r < s.tokenCount(); r++) {
          boolean nonZero = false;
          for (int c = 0; c < cols; c++) {
            nonZero |= all[r * cols + c] != 0;
          }
          assertTrue(nonZero, "row " + r + " is all zeros");
        }
      }
    }
  }

  @Test
  void extract_includeSpecial_addsFlaggedRowsAroundCodeTokens() {
    Path out = tmp.resolve("special");
    new Extractor(options(Aggregation.LAST, StoreDtype.FLOAT32).optIncludeSpecial(true).build())
        .extract(model, inputs(List.of("a = b")), out, StoreWriter.Mode.CREATE_OR_RESUME);
    try (ActivationStore s = ActivationStore.open(out)) {
      List<StoredToken> t = s.tokens(0, s.tokenCount());
      assertEquals(5, t.size());
      assertEquals(StoredToken.SPECIAL, t.get(0).flags());
      assertEquals(StoredToken.SPECIAL, t.get(4).flags());
      HookName last = HookName.residPost(TinyModels.LAYERS - 1);
      float[][] direct = capture("a = b", List.of(last));
      float[] rows = new float[5 * TinyModels.HIDDEN];
      s.view(List.of(last)).read(0, 5, rows);
      for (int i = 0; i < rows.length; i++) {
        assertEquals(direct[0][i], rows[i], 1e-4f);
      }
    }
  }

  @Test
  void extract_resumeAfterLostChunks_givesByteIdenticalStore() throws IOException {
    List<ExtractionInput> in = inputs(assignments(30, 7));
    ExtractOptions o = options(Aggregation.AVERAGE, StoreDtype.FLOAT16).optGroupTokens(60).build();
    Path a = tmp.resolve("a");
    new Extractor(o).extract(model, in, a, StoreWriter.Mode.CREATE_OR_RESUME);
    Path b = tmp.resolve("b");
    new Extractor(o).extract(model, in, b, StoreWriter.Mode.CREATE_OR_RESUME);
    // simulate a crash: an unfinished manifest, the last chunks and the final columns lost
    StoreManifest done = StoreManifest.read(b);
    int chunks = done.chunks().size();
    assertTrue(chunks > 5, "chunks " + chunks);
    for (int c = chunks - 3; c < chunks; c++) {
      StoreFiles.deleteTree(StoreFiles.chunkDir(b, c));
    }
    StoreFiles.deleteTree(b.resolve(StoreFiles.COLUMNS));
    StoreFiles.deleteTree(b.resolve(StoreFiles.LABELS));
    StoreManifest.started(done.spec()).write(b);
    Files.createDirectories(StoreFiles.tmpChunkDir(b, chunks - 3));
    ExtractionResult r = new Extractor(o).extract(model, in, b, StoreWriter.Mode.CREATE_OR_RESUME);
    assertTrue(r.resumedSnippets() > 0 && r.resumedSnippets() < 30, "resumed " + r.resumedSnippets());
    StoreTestSupport.assertSameFiles(a, b);
  }

  @Test
  void extract_toSink_manyGroups_corpusOrderSameRowsAsStore() throws IOException {
    List<ExtractionInput> in = inputs(assignments(24, 5));
    ExtractOptions o = options(Aggregation.LAST, StoreDtype.FLOAT32).optGroupTokens(20).build();
    List<SnippetActivations> got = new ArrayList<>();
    new Extractor(o).extract(model, in, got::add);
    assertEquals(in.stream().map(ExtractionInput::id).toList(), got.stream().map(SnippetActivations::id).toList());
    assertTrue(Extractor.groupEnd(in, 0, 20) < in.size() / 3, "several groups");
    // the same rows as the store the other entry point writes
    Path out = tmp.resolve("sink-vs-store");
    Extractor ex = new Extractor(o);
    ex.extract(model, in, out, StoreWriter.Mode.OVERWRITE);
    try (ActivationStore st = ActivationStore.open(out)) {
      ActivationMatrix m = st.view(ex.hooks(model));
      float[] row = new float[m.cols()];
      int r = 0;
      int d = TinyModels.HIDDEN;
      for (SnippetActivations s : got) {
        for (int k = 0; k < s.size(); k++, r++) {
          m.read(r, 1, row);
          for (int h = 0; h < s.tokenRows().length; h++) {
            assertArrayEquals(java.util.Arrays.copyOfRange(s.rowsOf(h), k * d, (k + 1) * d),
                java.util.Arrays.copyOfRange(row, h * d, (h + 1) * d), "snippet " + s.id() + " token " + k);
          }
        }
      }
      assertEquals(m.rows(), r);
    }
  }

  /**
   * {@code bench extract} times a reference forward pass after each group: those passes leave
   * the store byte for byte as it is without them, and run once per boundary between groups.
   */
  @Test
  void extract_forwardPassesBetweenGroups_sameStoreOnePassPerGroupBoundary() throws IOException {
    List<ExtractionInput> in = inputs(assignments(24, 5));
    ExtractOptions o = options(Aggregation.LAST, StoreDtype.FLOAT16).optGroupTokens(20).build();
    int groups = 0;
    for (int s = 0; s < in.size(); s = Extractor.groupEnd(in, s, 20)) {
      groups++;
    }
    assertTrue(groups > 3, "groups " + groups);
    Path plain = tmp.resolve("no-passes");
    new Extractor(o).extract(model, in, plain, StoreWriter.Mode.OVERWRITE);
    Path with = tmp.resolve("with-passes");
    TokenBatch other = dev.neurolens.model.onnx.ForwardBenchmark.randomBatch(model, 3, 40, 7);
    int[] calls = {0};
    new Extractor(o).extract(model, in, with, StoreWriter.Mode.OVERWRITE, () -> {
      calls[0]++;
      try (NDManager m = NDManager.newBaseManager()) {
        model.forward(m, other).toFloatArray();
      }
    });
    assertEquals(groups - 1, calls[0]);
    StoreTestSupport.assertSameFiles(plain, with);
    // the bench counts the same passes and every model token of the planned batches
    ExtractBench.Figures f = ExtractBench.run(model, in, o, tmp.resolve("bench"));
    int perEnd = (int) Math.ceil(ExtractBench.REFERENCE_PASSES / (double) (groups - 1));
    assertEquals((groups - 1) * perEnd, f.referenceRuns());
    assertEquals(in.stream().mapToLong(x -> x.tokens().size()).sum(), f.codeTokens());
    long pieces = in.stream().mapToLong(x -> model.tokenizer().encode(x.code()).length()).sum();
    assertEquals(pieces, f.modelTokens());
    StoreTestSupport.assertSameFiles(plain, tmp.resolve("bench"));
  }

  /**
   * Float16 stores batch eight budgets per group after a first group of at most two (the first
   * snippets come as soon as before); other stores and explicit sizes keep their groups; the
   * resolved streams and threads per stream.
   */
  @Test
  void options_groupsAndStreams() {
    ExtractOptions half = ExtractOptions.builder().optBatchTokens(3360).build();
    assertEquals(8 * 3360, half.groupTokens());
    assertEquals(2 * 3360, half.firstGroupTokens());
    ExtractOptions full = ExtractOptions.builder().optBatchTokens(3360).optDtype(StoreDtype.FLOAT32).build();
    assertEquals(2 * 3360, full.groupTokens());
    assertEquals(2 * 3360, full.firstGroupTokens());
    ExtractOptions small = ExtractOptions.builder().optBatchTokens(64).build();
    assertEquals(2048, small.groupTokens());
    assertEquals(2048, small.firstGroupTokens());
    ExtractOptions set = ExtractOptions.builder().optBatchTokens(3360).optGroupTokens(500).build();
    assertEquals(500, set.firstGroupTokens());
    List<ExtractionInput> in = inputs(assignments(1200, 9));
    long total = in.stream().mapToLong(x -> x.tokens().size()).sum();
    assertTrue(total > 2 * 6720 && total < 26880, "tokens " + total);
    int first = Extractor.groupEnd(in, 0, half);
    long firstTokens = in.subList(0, first).stream().mapToLong(x -> x.tokens().size()).sum();
    assertTrue(firstTokens >= 6720 && firstTokens < 6720 + 20, "first group " + firstTokens);
    assertEquals(in.size(), Extractor.groupEnd(in, first, half), "the rest is one group");
    assertEquals(2, ExtractOptions.builder().build().streamsFor(2));
    assertEquals(2, ExtractOptions.builder().build().streamsFor(16));
    assertEquals(8, ExtractOptions.builder().build().threadsPerStream(16));
    assertEquals(1, ExtractOptions.builder().build().streamsFor(1));
    assertEquals(3, ExtractOptions.builder().optStreams(3).build().streamsFor(2));
    assertEquals(1, ExtractOptions.builder().optStreams(3).build().threadsPerStream(2));
  }

  /** The tiny model, recording the thread of every captured batch and failing on a chosen one. */
  private static final class Recording implements EncoderModel {
    final java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final java.util.concurrent.atomic.AtomicInteger batches = new java.util.concurrent.atomic.AtomicInteger();
    final int failAt;

    Recording(int failAt) {
      this.failAt = failAt;
    }

    @Override public dev.neurolens.model.ModelConfig config() { return model.config(); }
    @Override public String id() { return model.id(); }
    @Override public String weightChecksum() { return model.weightChecksum(); }
    @Override public dev.neurolens.model.ModelTokenizer tokenizer() { return model.tokenizer(); }
    @Override public List<HookName> hookNames() { return model.hookNames(); }
    @Override public NDArray forward(NDManager m, TokenBatch b) { return model.forward(m, b); }
    @Override public boolean supportsPacking() { return model.supportsPacking(); }
    @Override public long parameterCount() { return model.parameterCount(); }
    @Override public void close() {}

    @Override
    public NDArray runWithHooks(NDManager m, TokenBatch b, Map<HookName, dev.neurolens.model.Intervention> i) {
      return model.runWithHooks(m, b, i);
    }

    @Override
    public Map<HookName, NDArray> runWithCache(NDManager m, TokenBatch b, Set<HookName> hooks) {
      threads.add(Thread.currentThread().getName());
      if (batches.getAndIncrement() == failAt) {
        throw new IllegalStateException("batch " + failAt + " failed on " + Thread.currentThread().getName());
      }
      return model.runWithCache(m, b, hooks);
    }
  }

  /**
   * Two streams of one thread each (the default on two threads) write the same store, byte for
   * byte, as one stream on one thread: every batch is computed alike whichever stream takes it,
   * and a snippet of three windows, whose windows may go to different streams, gets the same
   * sentence means. The stream API agrees with the store. The caller's thread count comes back.
   */
  @Test
  void extract_twoStreams_sameStoreAsOneStreamOnOneThread() throws IOException {
    List<String> code = new ArrayList<>(assignments(40, 9));
    code.add(7, threeWindows());
    List<ExtractionInput> in = inputs(code);
    for (StoreDtype dtype : new StoreDtype[] {StoreDtype.FLOAT16, StoreDtype.FLOAT32}) {
      ExtractOptions one = options(Aggregation.LAST, dtype).optBatchTokens(48).optStreams(1).build();
      ExtractOptions two = options(Aggregation.LAST, dtype).optBatchTokens(48).build();
      assertEquals(2, two.streamsFor(2));
      assertEquals(1, two.threadsPerStream(2));
      Path a = tmp.resolve("one-stream" + dtype);
      dev.neurolens.model.Torch.withThreads(1,
          () -> new Extractor(one).extract(model, in, a, StoreWriter.Mode.OVERWRITE));
      Path b = tmp.resolve("two-streams" + dtype);
      Recording rec = new Recording(-1);
      int before = dev.neurolens.model.Torch.withThreads(2, () -> {
        new Extractor(two).extract(rec, in, b, StoreWriter.Mode.OVERWRITE);
        return dev.neurolens.model.Torch.threads();
      });
      assertEquals(2, before, "thread count after the extraction");
      assertEquals(2, rec.threads.size(), "threads that ran batches: " + rec.threads);
      StoreTestSupport.assertSameFiles(a, b);
      List<SnippetActivations> streamed = new ArrayList<>();
      dev.neurolens.model.Torch.withThreads(2, () -> {
        new Extractor(two).extract(model, in, streamed::add);
        return null;
      });
      try (ActivationStore st = ActivationStore.open(a)) {
        HookName top = HookName.residPost(TinyModels.LAYERS - 1);
        float[] mean = new float[TinyModels.HIDDEN];
        st.sentenceView(SentenceRep.MEAN, List.of(top), null).read(7, 1, mean);
        SnippetActivations s = streamed.get(7);
        float[] expected = s.mean()[TinyModels.LAYERS]; // the top hook, in float32
        for (int c = 0; c < mean.length; c++) {
          assertEquals(dtype == StoreDtype.FLOAT16 ? Half.toFloat(Half.fromFloat(expected[c])) : expected[c], mean[c],
              dtype + " mean of the three-window snippet, neuron " + c);
        }
      }
    }
  }

  /**
   * A batch failing on a stream beside the caller's: the failure reaches the caller, the other
   * stream stops taking batches, no finished store is left, and the thread count comes back.
   */
  @Test
  void extract_streamFails_failureReachesCallerAndStoreIsNotFinished() {
    List<ExtractionInput> in = inputs(assignments(40, 9));
    ExtractOptions o = options(Aggregation.LAST, StoreDtype.FLOAT16).optBatchTokens(48).build();
    Path out = tmp.resolve("failed");
    for (int failAt : new int[] {0, 3}) {
      Recording rec = new Recording(failAt);
      IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
          () -> dev.neurolens.model.Torch.withThreads(2, () -> {
            try {
              return new Extractor(o).extract(rec, in, out, StoreWriter.Mode.OVERWRITE);
            } finally {
              assertEquals(2, dev.neurolens.model.Torch.threads(), "thread count after the failure");
            }
          }));
      assertTrue(e.getMessage().startsWith("batch " + failAt + " failed on "), e.getMessage());
      assertTrue(rec.batches.get() < 6, "batches started after the failure: " + rec.batches.get());
      assertFalse(StoreManifest.read(out).complete(), "store left finished");
    }
  }

  @Test
  void extract_sinkFailsMidway_failureReachesCallerAndLaterSnippetsAreNotHandedOver() {
    List<String> code = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      code.add("int w" + i + " = g(" + i + ");");
    }
    List<ExtractionInput> in = inputs(code);
    ExtractOptions o = options(Aggregation.LAST, StoreDtype.FLOAT32).optGroupTokens(20).build();
    List<String> seen = new ArrayList<>();
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> new Extractor(o).extract(model, in, s -> {
          if (s.id().equals("s7")) {
            throw new IllegalStateException("disk full at " + s.id());
          }
          seen.add(s.id());
        }));
    assertEquals("disk full at s7", e.getMessage());
    assertEquals(List.of("s0", "s1", "s2", "s3", "s4", "s5", "s6"), seen);
  }

  @Test
  void extract_repeatedRuns_noNativeMemoryGrowth() throws IOException {
    List<ExtractionInput> in = inputs(CODE);
    ExtractOptions o = options(Aggregation.LAST, StoreDtype.FLOAT16).build();
    long warm = 0;
    // the baseline after 15 runs: the first ones grow native memory by ~130 MB (JIT code, malloc
    // arenas) whether or not anything leaks, which made a baseline after 5 runs fail at times
    for (int i = 0; i < 35; i++) {
      new Extractor(o).extract(model, in, tmp.resolve("leak"), StoreWriter.Mode.OVERWRITE);
      if (i == 14) {
        warm = nativeKb();
      }
    }
    long growthMb = (nativeKb() - warm) / 1024;
    assertTrue(growthMb < 30, "native RSS grew by " + growthMb + " MB over 20 extractions");
  }

  /** Resident memory outside the committed Java heap, after a GC (kB). */
  private static long nativeKb() throws IOException {
    System.gc();
    long rss = 0;
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return rss - Runtime.getRuntime().totalMemory() / 1024;
  }
}
