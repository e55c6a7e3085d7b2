package dev.neurolens.activation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Encoding;
import dev.neurolens.model.HookName;
import dev.neurolens.model.TokenBatch;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Captures and aggregates one group of snippets for {@link Extractor} (and {@link ExtractBench}):
 * encodes and windows them, plans the (packed) batches, runs the hooks and copies each window's
 * aggregated token rows into its snippet's result arrays.
 */
final class WindowRunner {
  /** The ids of a window: leading specials, the window's pieces, trailing specials. */
  static int[] windowIds(int[] ids, int realLo, int realHi, Windows.Window w) {
    int suffix = ids.length - realHi;
    int[] out = new int[realLo + w.pieceCount() + suffix];
    System.arraycopy(ids, 0, out, 0, realLo);
    System.arraycopy(ids, w.pieceLo(), out, realLo, w.pieceCount());
    System.arraycopy(ids, realHi, out, realLo + w.pieceCount(), suffix);
    return out;
  }

  private final EncoderModel model;
  private final List<HookName> hooks;
  private final int[] widths;
  private final ExtractOptions options;
  private final boolean lastPosition;
  /**
   * Whether token rows are also taken already rounded to float16 from a native conversion of
   * each captured output (one vectorised pass per hook and batch instead of a Java loop per
   * value): float16 stores of FIRST or LAST aggregation without non-finite values, where a
   * stored row is exactly one piece's vector, so the bits equal {@link Half#fromFloat}'s.
   */
  private final boolean nativeHalves;
  /**
   * Whether token rows are held as float32 at all. Not when they go only to a float16 store that
   * takes the native float16 rows: then a snippet's float32 rows are never built (a third of the
   * memory a group holds, and two passes over them saved); the sentence means are summed and the
   * rows checked for values the store would hold as non-finite while they are copied.
   */
  private final boolean floatRows;
  /** The widest hook: the length of a stream's row copied out of native memory for {@link #sumAndCheck}. */
  private final int maxWidth;
  /** Streams a group's batches run in side by side ({@link #run}). */
  private final int streams;
  /** Intra-op threads of each stream when there are several. */
  private final int threadsPerStream;


  /**
   * @param toStore whether the snippets go only to a store (whose writer takes the float16 rows
   *     when there are any), so that float32 token rows need not be kept
   */
  WindowRunner(EncoderModel model, List<HookName> hooks, List<Integer> widths, ExtractOptions o,
      SentenceRep position, boolean toStore) {
    this.lastPosition = position == SentenceRep.LAST;
    this.model = model;
    this.hooks = hooks;
    this.widths = widths.stream().mapToInt(Integer::intValue).toArray();
    this.maxWidth = java.util.Arrays.stream(this.widths).max().orElse(0);
    this.options = o;
    this.nativeHalves = o.dtype() == StoreDtype.FLOAT16 && o.aggregation() != Aggregation.AVERAGE
        && !o.allowNonFinite();
    this.floatRows = !(nativeHalves && toStore);
    int threads = dev.neurolens.model.Torch.threads();
    this.streams = o.streamsFor(threads);
    this.threadsPerStream = o.threadsPerStream(threads);
  }

  /**
   * A captured snippet. When its float32 rows were not kept, {@code faultAt[h]} is the index in
   * hook h's rows of the first value the store would hold as non-finite (-1: none) and
   * {@code faultValue[h]} that value; both null when the rows are there to be checked.
   */
  record Captured(SnippetActivations activations, int[] faultAt, float[] faultValue) {}

  /** One snippet in flight: its encoding, alignment, windows and result arrays. */
  final class Work {
    final ExtractionInput in;
    final int[] ids;
    final boolean[] special;
    final int realLo;
    final int realHi;
    final PieceAlignment align;
    final List<Windows.Window> windows;
    final int lead;
    final int trail;
    final float[][] rows;
    final float[][] first; // the position vector: first (encoders) or last (decoders)
    final short[][] halves; // rows as float16 bits, or null
    // per window and hook the column sums of the window's rows with pieces, when rows are not kept:
    // a window is copied by one stream, and the windows' sums are added in window order
    final double[][][] sums;
    final int[] faultAt; // per hook the first row index holding a value stored non-finite, when rows are not kept (guarded by this)
    final float[] faultValue;

    Work(ExtractionInput in) {
      this.in = in;
      Encoding enc;
      try {
        enc = model.tokenizer().encode(in.code());
      } catch (dev.neurolens.util.NeuroLensException e) {
        throw new dev.neurolens.util.NeuroLensException("snippet " + in.id() + ": " + e.getMessage(), e);
      }
      ids = enc.ids();
      special = enc.special();
      int lo = 0;
      while (lo < ids.length && special[lo]) {
        lo++;
      }
      int hi = ids.length;
      while (hi > lo && special[hi - 1]) {
        hi--;
      }
      realLo = lo;
      realHi = hi;
      int t = in.tokens().size();
      int[] ts = new int[t];
      int[] te = new int[t];
      for (int k = 0; k < t; k++) {
        ts[k] = in.tokens().get(k).start();
        te[k] = in.tokens().get(k).end();
      }
      align = PieceAlignment.align(enc.charStart(), enc.charEnd(), special, ts, te);
      int budget = model.tokenizer().maxTokens() - realLo - (ids.length - realHi);
      windows = Windows.plan(align, realLo, realHi, Math.max(1, budget), options.context());
      lead = options.includeSpecial() ? realLo : 0;
      trail = options.includeSpecial() ? ids.length - realHi : 0;
      int n = lead + t + trail;
      rows = new float[hooks.size()][];
      first = new float[hooks.size()][];
      halves = nativeHalves ? new short[hooks.size()][] : null;
      sums = floatRows ? null : new double[windows.size()][hooks.size()][];
      faultAt = floatRows ? null : new int[hooks.size()];
      faultValue = floatRows ? null : new float[hooks.size()];
      for (int h = 0; h < hooks.size(); h++) {
        first[h] = new float[widths[h]];
        if (floatRows) {
          rows[h] = new float[n * widths[h]];
        } else {
          for (double[][] s : sums) {
            s[h] = new double[widths[h]];
          }
          faultAt[h] = -1;
        }
        if (halves != null) {
          halves[h] = new short[n * widths[h]];
        }
      }
    }
  }

  /** A model input: window {@code window} of snippet {@code snippet}. */
  record Job(int snippet, int window, int[] ids) {}

  /**
   * A group's encodings, windows, model inputs and batches, before any model call. A batch is
   * rows of jobs: one job per row, or several laid end to end when the model packs.
   */
  final class Plan {
    final List<Work> work = new ArrayList<>();
    final List<Job> jobs = new ArrayList<>();
    final List<int[][]> batches;

    Plan(List<ExtractionInput> group) {
      for (int i = 0; i < group.size(); i++) {
        Work w = new Work(group.get(i));
        work.add(w);
        for (int k = 0; k < w.windows.size(); k++) {
          int[] ids = windowIds(w.ids, w.realLo, w.realHi, w.windows.get(k));
          if (ids.length > 0) {
            jobs.add(new Job(i, k, ids));
          }
        }
      }
      int[] lengths = jobs.stream().mapToInt(j -> j.ids().length).toArray();
      // a packed row is one model input: never longer than the model's positions
      int rowTokens = model.supportsPacking() ? Math.min(options.packTokens(), model.config().maxTokens()) : 0;
      batches = Batches.pack(lengths, rowTokens, options.batchTokens());
    }

    TokenBatch batch(int[][] batch) {
      List<List<int[]>> rows = new ArrayList<>(batch.length);
      for (int[] row : batch) {
        List<int[]> ids = new ArrayList<>(row.length);
        for (int j : row) {
          ids.add(jobs.get(j).ids());
        }
        rows.add(ids);
      }
      return TokenBatch.packed(rows);
    }
  }

  Plan plan(List<ExtractionInput> group) {
    return new Plan(group);
  }

  /**
   * Captures a group: its batches run in {@link #streams} streams side by side, each taking the
   * next batch not yet taken and copying its windows out; the group's snippets come back in
   * order. A stream computes a batch with the same thread count whichever stream takes it, and
   * every window is copied by one stream into its own rows and sums, so the results do not
   * depend on which stream ran what.
   */
  List<Captured> run(NDManager root, List<ExtractionInput> group) {
    Plan plan = new Plan(group);
    int n = Math.min(streams, plan.batches.size());
    if (n <= 1) {
      new Stream(root, plan).drain(new java.util.concurrent.atomic.AtomicInteger(), () -> false);
    } else {
      java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
      SideBySide.run(n, threadsPerStream, stop -> new Stream(root, plan).drain(next, stop));
    }
    List<Captured> out = new ArrayList<>(group.size());
    for (Work w : plan.work) {
      out.add(new Captured(finish(w), w.faultAt, w.faultValue));
    }
    return out;
  }

  /** One stream of a group's batches: its own row buffer for {@link #sumAndCheck}. */
  private final class Stream {
    private final NDManager root;
    private final Plan plan;
    private final LinkedHashSet<HookName> hookSet = new LinkedHashSet<>(hooks);
    private final float[] scratch = new float[maxWidth];

    Stream(NDManager root, Plan plan) {
      this.root = root;
      this.plan = plan;
    }

    /** Runs batches, taking the next index from {@code next}, until none is left or {@code stop}. */
    void drain(java.util.concurrent.atomic.AtomicInteger next, java.util.function.BooleanSupplier stop) {
      for (int i; !stop.getAsBoolean() && (i = next.getAndIncrement()) < plan.batches.size(); ) {
        batch(plan.batches.get(i));
      }
    }

    private void batch(int[][] batch) {
      try (NDManager m = root.newSubManager()) {
        Map<HookName, NDArray> cache = model.runWithCache(m, plan.batch(batch), hookSet);
        for (int h = 0; h < hooks.size(); h++) {
          NDArray a = cache.get(hooks.get(h));
          int t = (int) a.getShape().get(1);
          // (B, T, W), read in place: a view of the output's native memory, valid until m closes
          java.nio.FloatBuffer flat = a.toByteBuffer(true).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
          java.nio.ShortBuffer half = !nativeHalves ? null : a.toType(ai.djl.ndarray.types.DataType.FLOAT16, false)
              .toByteBuffer(true).order(java.nio.ByteOrder.nativeOrder()).asShortBuffer();
          for (int b = 0; b < batch.length; b++) {
            int at = b * t; // the job's first position in (B, T)
            for (int j : batch[b]) {
              Job job = plan.jobs.get(j);
              scatter(plan.work.get(job.snippet()), job.window(), h, flat, half, at * widths[h], job.ids().length,
                  scratch);
              at += job.ids().length;
            }
          }
        }
      }
    }
  }

  /** Copies one window's aggregated token vectors (and specials, first vector) of hook h. */
  private void scatter(Work w, int windowIndex, int h, java.nio.FloatBuffer flat, java.nio.ShortBuffer half,
      int base, int length, float[] scratch) {
    Windows.Window win = w.windows.get(windowIndex);
    int width = widths[h];
    int shift = w.realLo - win.pieceLo(); // full-encoding piece p sits at window row p + shift
    for (int k = win.tokenLo(); k < win.tokenHi(); k++) {
      int[] pieces = w.align.pieces(k);
      int n = 0;
      for (int p : pieces) {
        if (p >= win.pieceLo() && p < win.pieceHi()) {
          pieces[n++] = p + shift;
        }
      }
      int[] local = n == pieces.length ? pieces : java.util.Arrays.copyOf(pieces, n);
      if (w.rows[h] != null) {
        Aggregator.aggregate(
            options.aggregation(), flat, base, width, local, w.rows[h], (w.lead + k) * width);
      }
      if (half != null && n > 0) { // FIRST or LAST: the row of one piece
        int from = base + Aggregator.piece(options.aggregation(), local) * width;
        half.get(from, w.halves[h], (w.lead + k) * width, width);
        if (w.sums != null) {
          sumAndCheck(w, w.sums[windowIndex][h], h, flat, from, width, (w.lead + k) * width, scratch);
        }
      }
    }
    if (windowIndex == 0 && !lastPosition) {
      flat.get(base, w.first[h], 0, width);
    }
    if (windowIndex == w.windows.size() - 1 && lastPosition) {
      flat.get(base + (length - 1) * width, w.first[h], 0, width);
    }
    if (windowIndex == 0) {
      for (int s = 0; s < w.lead; s++) {
        special(w, h, flat, half, base + s * width, s * width, width);
      }
    }
    if (windowIndex == w.windows.size() - 1) {
      int tokens = w.in.tokens().size();
      int firstTrail = w.realLo + win.pieceCount();
      for (int s = 0; s < w.trail; s++) {
        special(w, h, flat, half, base + (firstTrail + s) * width, (w.lead + tokens + s) * width, width);
      }
    }
  }

  /** Copies a special token's row (not part of the mean). */
  private void special(Work w, int h, java.nio.FloatBuffer flat, java.nio.ShortBuffer half, int from, int to, int width) {
    if (w.rows[h] != null) {
      flat.get(from, w.rows[h], to, width);
    }
    if (half != null) {
      half.get(from, w.halves[h], to, width);
    }
    if (w.sums != null) {
      check(w, h, flat, from, width, to);
    }
  }

  /** Adds a code token's row at {@code from} to {@code sum} (its window's, hook h) and checks it. */
  private static void sumAndCheck(Work w, double[] sum, int h, java.nio.FloatBuffer flat, int from, int width, int to,
      float[] row) {
    flat.get(from, row, 0, width); // one bulk copy: the loop below then runs over an array
    boolean fine = true;
    for (int c = 0; c < width; c++) {
      float v = row[c];
      sum[c] += v;
      fine &= Math.abs(v) < FiniteCheck.HALF_OVERFLOW;
    }
    if (!fine) {
      check(w, h, flat, from, width, to);
    }
  }

  /**
   * Records the first value of the row at {@code from} (stored at {@code to}) that float16 holds
   * as non-finite, if it comes before hook h's first recorded one.
   */
  private static void check(Work w, int h, java.nio.FloatBuffer flat, int from, int width, int to) {
    for (int c = 0; c < width; c++) {
      float v = flat.get(from + c);
      if (!(Math.abs(v) < FiniteCheck.HALF_OVERFLOW)) {
        synchronized (w) { // another stream may be checking another window of the snippet
          if (w.faultAt[h] < 0 || to + c < w.faultAt[h]) {
            w.faultAt[h] = to + c;
            w.faultValue[h] = v;
          }
        }
        return;
      }
    }
  }

  private SnippetActivations finish(Work w) {
    int t = w.in.tokens().size();
    List<StoredToken> tokens = new ArrayList<>(w.lead + t + w.trail);
    List<String> noLabels = new ArrayList<>();
    int tokenTasks = (int) options.tasks().stream()
        .filter(x -> x.level() == TaskSpec.Level.TOKEN).count();
    for (int i = 0; i < tokenTasks; i++) {
      noLabels.add(null);
    }
    for (int s = 0; s < w.lead; s++) {
      tokens.add(new StoredToken("[special:" + w.ids[s] + "]", 0, 0, StoredToken.SPECIAL, noLabels));
    }
    int withPieces = 0;
    for (int k = 0; k < t; k++) {
      StoredToken c = w.in.tokens().get(k);
      boolean zero = w.align.count(k) == 0;
      withPieces += zero ? 0 : 1;
      tokens.add(new StoredToken(c.text(), c.start(), c.end(),
          c.flags() | (zero ? StoredToken.ZERO_PIECES : 0), c.labels()));
    }
    int end = w.in.code().length();
    for (int s = 0; s < w.trail; s++) {
      int id = w.ids[w.realHi + s];
      tokens.add(new StoredToken("[special:" + id + "]", end, end, StoredToken.SPECIAL, noLabels));
    }
    float[][] mean = new float[hooks.size()][];
    for (int h = 0; h < hooks.size(); h++) {
      int width = widths[h];
      double[] sum = w.sums != null ? windowSums(w, h, width) : rowSums(w, h, width);
      mean[h] = new float[width];
      for (int c = 0; c < width && withPieces > 0; c++) {
        mean[h][c] = (float) (sum[c] / withPieces);
      }
    }
    return new SnippetActivations(
        w.in.id(), w.in.source(), tokens, w.in.labels(), w.rows, w.first, mean, w.halves);
  }

  /** Column sums of hook h over the snippet's windows: the windows' sums added in window order. */
  private static double[] windowSums(Work w, int h, int width) {
    if (w.sums.length == 1) {
      return w.sums[0][h];
    }
    double[] sum = new double[width];
    for (double[][] window : w.sums) {
      for (int c = 0; c < width; c++) {
        sum[c] += window[h][c];
      }
    }
    return sum;
  }

  /** Column sums of hook h's float32 rows of the code tokens that have pieces, in token order. */
  private static double[] rowSums(Work w, int h, int width) {
    double[] sum = new double[width];
    for (int k = 0; k < w.in.tokens().size(); k++) {
      if (w.align.count(k) > 0) {
        int at = (w.lead + k) * width;
        for (int c = 0; c < width; c++) {
          sum[c] += w.rows[h][at + c];
        }
      }
    }
    return sum;
  }
}
