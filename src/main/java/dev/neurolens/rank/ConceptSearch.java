package dev.neurolens.rank;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.probe.ColumnSubset;
import dev.neurolens.probe.ProbeTask;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Per-concept neuron search over every neuron (ALGORITHMS.md section 7): each neuron n, with each
 * sign s, is scored as a detector of each value c of a token task over all the given rows:
 *
 * <ul>
 *   <li>average precision of s·a_n against 1[label = c] (scikit-learn's step-wise AP over distinct
 *       thresholds);
 *   <li>precision among the top k activations, for k = count of c and k = {@link #FIXED_K}
 *       (rows in sorted order; ties at the cut taken in row order);
 *   <li>IoU of {rows with s·a_n at or above its (1 - share of c)-quantile} (ties kept whole) with
 *       {rows of c}, as in Network Dissection.
 * </ul>
 *
 * <p>A random neuron scores the concept's base rate p on AP and precision, and p / (2 - p) on
 * IoU; the empirical baseline (the same scores of {@link Options#randomNeurons()} seeded random
 * detectors) is reported beside that expectation. The concept a neuron detects best is the one with
 * the largest AP lift over chance, (AP - p) / (1 - p), over both signs.
 *
 * <p>Cost: one sort of the N activations per neuron (both signs and all concepts come from one
 * walk each way); columns are read in blocks of about {@link #BLOCK_FLOATS} floats and scored on
 * all cores. Memory: one block, never N x F.
 *
 * <p>Usage: {@code ConceptSearch.Result r = ConceptSearch.search(x, rows, task, ConceptSearch.Options.defaults(42), p -> {});
 * r.concepts().get(0).best().get(0).ap()}
 */
public final class ConceptSearch {
  /** The fixed k of precision at k (100, as in the papers). */
  public static final int FIXED_K = 100;
  /** Floats held per column block (32 M, 128 MB). */
  static final long BLOCK_FLOATS = 32L << 20;

  private ConceptSearch() {}

  /**
   * Settings.
   *
   * @param top neurons kept per concept, best AP first, >= 1
   * @param randomNeurons random detectors averaged for the empirical baseline, >= 1
   * @param seed seed of the random detectors
   */
  public record Options(int top, int randomNeurons, long seed) {
    public Options {
      if (top < 1 || randomNeurons < 1) {
        throw new NeuroLensException("concept search: top and random neurons must be >= 1, found "
            + top + ", " + randomNeurons);
      }
    }

    /** 10 neurons per concept, 16 random detectors. */
    public static Options defaults(long seed) {
      return new Options(10, 16, seed);
    }
  }

  /**
   * The scores of one detector for one concept.
   *
   * @param feature feature id (column of the searched matrix's base), -1 for a random detector
   * @param sign +1 (high activation = concept) or -1 (low activation = concept)
   * @param ap average precision
   * @param precisionAtCount precision among the top (count of the concept) activations
   * @param precisionAt100 precision among the top {@link #FIXED_K} activations (among all rows when fewer)
   * @param iou IoU of the top-quantile rows with the concept's rows
   */
  public record Score(int feature, int sign, double ap, double precisionAtCount, double precisionAt100, double iou) {}

  /**
   * One concept (a value of the task).
   *
   * @param name the label
   * @param count rows with that label
   * @param baseRate count / rows
   * @param expected what a random detector scores in expectation (ap = precision = p, iou = p / (2 - p))
   * @param random the mean scores of the seeded random detectors (feature -1, sign +1)
   * @param best the best neurons by AP, both signs, best first
   */
  public record Concept(String name, int count, double baseRate, Score expected, Score random, List<Score> best) {
    public Concept {
      best = List.copyOf(best);
    }
  }

  /**
   * What one neuron detects best.
   *
   * @param feature feature id
   * @param concept the concept with the largest AP lift over chance
   * @param score that concept's scores (with the sign)
   * @param lift (AP - p) / (1 - p)
   */
  public record Detection(int feature, String concept, Score score, double lift) {}

  /**
   * The search result.
   *
   * @param task the task's name
   * @param rows rows searched
   * @param concepts every value with at least one row, in label order
   * @param detections what every searched neuron detects best, in column order
   */
  public record Result(String task, int rows, List<Concept> concepts, List<Detection> detections) {
    public Result {
      concepts = List.copyOf(concepts);
      detections = List.copyOf(detections);
    }

    /** The concept called {@code name}, or null. */
    public Concept concept(String name) {
      return concepts.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }
  }

  /**
   * Searches every column of {@code x} over {@code rows} of the classification task.
   *
   * @param progress receives one line per block of columns
   */
  public static Result search(ActivationMatrix x, int[] rows, ProbeTask task, Options o, Consumer<String> progress) {
    return run(x, IntStream.range(0, x.cols()).toArray(), rows, task, o, progress);
  }

  /** What each of the given columns of {@code x} detects best (no per-concept lists kept beyond {@code top}). */
  public static List<Detection> detect(ActivationMatrix x, int[] columns, int[] rows, ProbeTask task, Options o) {
    return run(x, columns, rows, task, o, line -> {}).detections();
  }

  private static Result run(
      ActivationMatrix x, int[] columns, int[] rows, ProbeTask task, Options o, Consumer<String> progress) {
    Objects.requireNonNull(o, "options");
    if (task.isRegression()) {
      throw new NeuroLensException("concept search: task " + task.name() + " is a regression task; it needs classes");
    }
    if (rows.length == 0) {
      throw new NeuroLensException("concept search: task " + task.name() + " has no labelled rows");
    }
    Walk walk = new Walk(task, rows, FIXED_K);
    int[] ids = ColumnSubset.featureIds(x);
    List<PriorityQueue<Score>> heaps = new ArrayList<>();
    for (int c = 0; c < walk.k; c++) {
      heaps.add(new PriorityQueue<>(Comparator.comparingDouble(Score::ap).thenComparingInt(s -> -s.feature())));
    }
    List<Detection> detections = new ArrayList<>();
    int block = (int) Math.max(1, Math.min(columns.length, BLOCK_FLOATS / rows.length));
    long start = System.nanoTime();
    for (int c0 = 0; c0 < columns.length; c0 += block) {
      int width = Math.min(block, columns.length - c0);
      int[] cols = Arrays.copyOfRange(columns, c0, c0 + width);
      float[][] values = readColumns(x, cols, rows);
      Score[][][] scored = new Score[width][][];
      IntStream.range(0, width).parallel().forEach(j -> scored[j] = walk.score(ids[cols[j]], values[j]));
      for (int j = 0; j < width; j++) {
        detections.add(walk.best(ids[cols[j]], scored[j]));
        for (Score[] bySign : scored[j]) {
          for (int c = 0; c < walk.k; c++) {
            if (bySign[c] == null) {
              continue;
            }
            PriorityQueue<Score> heap = heaps.get(c);
            heap.add(bySign[c]);
            if (heap.size() > o.top()) {
              heap.poll();
            }
          }
        }
      }
      int done = c0 + width;
      double s = (System.nanoTime() - start) / 1e9;
      progress.accept(String.format(java.util.Locale.ROOT, "concept search %s: %d / %d neurons (%.0f/s, ETA %.0f s)",
          task.name(), done, columns.length, done / Math.max(s, 1e-9), (columns.length - done) * s / done));
    }
    Score[] random = walk.randomBaseline(o.randomNeurons(), o.seed());
    List<Concept> concepts = new ArrayList<>();
    for (int c = 0; c < walk.k; c++) {
      if (walk.counts[c] == 0) {
        continue;
      }
      List<Score> best = new ArrayList<>(heaps.get(c));
      best.sort(Comparator.comparingDouble(Score::ap).reversed().thenComparingInt(Score::feature));
      double p = walk.counts[c] / (double) rows.length;
      concepts.add(new Concept(task.labelNames().get(c), walk.counts[c], p,
          new Score(-1, 1, p, p, p, p / (2 - p)), random[c], best));
    }
    return new Result(task.name(), rows.length, concepts, detections);
  }

  /** Values of {@code cols} of {@code x} over {@code rows}: [column][row]. */
  static float[][] readColumns(ActivationMatrix x, int[] cols, int[] rows) {
    int width = cols.length;
    ActivationMatrix view = width == x.cols() && isIdentity(cols) ? x : ColumnSubset.of(x, cols);
    float[][] values = new float[width][rows.length];
    int[] at = {0};
    Columns.forEachChunk(view, rows, (chunkIds, data, n) -> {
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < width; k++) {
          values[k][at[0] + i] = data[i * width + k];
        }
      }
      at[0] += n;
    });
    return values;
  }

  private static boolean isIdentity(int[] cols) {
    for (int i = 0; i < cols.length; i++) {
      if (cols[i] != i) {
        return false;
      }
    }
    return true;
  }

  /** The walk along one neuron's sorted activations that scores every concept at once. */
  private static final class Walk {
    final int k;
    final int n;
    final int fixedK;
    final int[] label;
    final int[] counts;
    /** Concepts in ascending count, for the count-sized cuts. */
    final int[] byCount;
    final List<String> names;

    Walk(ProbeTask task, int[] rows, int fixedK) {
      this.k = task.numClasses();
      this.names = task.labelNames();
      this.n = rows.length;
      this.fixedK = fixedK;
      int[] labels = task.labels();
      label = new int[n];
      counts = new int[k];
      for (int i = 0; i < n; i++) {
        int y = labels[rows[i]];
        if (y < 0 || y >= k) {
          throw new NeuroLensException("concept search: row " + rows[i] + " has label " + y + ", outside [0, " + k + ")");
        }
        label[i] = y;
        counts[y]++;
      }
      byCount = IntStream.range(0, k).boxed().sorted(Comparator.comparingInt(c -> counts[c]))
          .mapToInt(Integer::intValue).toArray();
    }

    /** Scores [sign index 0 = +1, 1 = -1][concept] (null for a concept without rows). */
    Score[][] score(int feature, float[] values) {
      Sorted sorted = Sorted.of(values, label);
      return new Score[][] {walk(feature, sorted, 1), walk(feature, sorted, -1)};
    }

    private Score[] walk(int feature, Sorted sorted, int sign) {
      int[] keys = sorted.keys;
      int[] labels = sorted.labels;
      double[] ap = new double[k];
      long[] tp = new long[k];
      double[] atCount = new double[k];
      double[] atFixed = new double[k];
      double[] iou = new double[k];
      int[] inGroup = new int[k];
      int[] touched = new int[k];
      int seen = 0;
      int nextCut = 0; // next concept (in byCount) whose count-sized cut is still ahead
      int nextIou = 0;
      int i = sign > 0 ? n - 1 : 0;
      int step = sign > 0 ? -1 : 1;
      while (i >= 0 && i < n) {
        int value = keys[i];
        int touchedCount = 0;
        while (i >= 0 && i < n && keys[i] == value) {
          int y = labels[i];
          if (inGroup[y]++ == 0) {
            touched[touchedCount++] = y;
          }
          tp[y]++;
          seen++;
          if (seen == fixedK) {
            for (int c = 0; c < k; c++) {
              atFixed[c] = tp[c] / (double) fixedK;
            }
          }
          while (nextCut < k && counts[byCount[nextCut]] <= seen) {
            int c = byCount[nextCut++];
            if (counts[c] == seen) {
              atCount[c] = tp[c] / (double) seen;
            }
          }
          i += step;
        }
        for (int t = 0; t < touchedCount; t++) {
          int y = touched[t];
          ap[y] += inGroup[y] / (double) counts[y] * (tp[y] / (double) seen);
          inGroup[y] = 0;
        }
        while (nextIou < k && counts[byCount[nextIou]] <= seen) {
          int c = byCount[nextIou++];
          if (counts[c] > 0) {
            iou[c] = tp[c] / (double) (seen + counts[c] - tp[c]);
          }
        }
      }
      Score[] out = new Score[k];
      for (int c = 0; c < k; c++) {
        if (counts[c] > 0) {
          double fixed = n >= fixedK ? atFixed[c] : tp[c] / (double) n;
          out[c] = new Score(feature, sign, ap[c], atCount[c], fixed, iou[c]);
        }
      }
      return out;
    }

    /** The concept with the largest AP lift over chance, over both signs. */
    Detection best(int feature, Score[][] scored) {
      Detection best = null;
      for (Score[] bySign : scored) {
        for (int c = 0; c < k; c++) {
          Score s = bySign[c];
          if (s == null || counts[c] == n) {
            continue;
          }
          double p = counts[c] / (double) n;
          double lift = (s.ap() - p) / (1 - p);
          if (best == null || lift > best.lift()) {
            best = new Detection(feature, names.get(c), s, lift);
          }
        }
      }
      if (best == null) {
        return new Detection(feature, null, null, Double.NaN);
      }
      return best;
    }

    /** Mean scores of {@code m} seeded random detectors, per concept (null for a concept without rows). */
    Score[] randomBaseline(int m, long seed) {
      double[][] sums = new double[k][4];
      SplittableRandom rng = new SplittableRandom(seed);
      for (int r = 0; r < m; r++) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
          values[i] = (float) rng.nextDouble();
        }
        Score[] s = score(-1, values)[0];
        for (int c = 0; c < k; c++) {
          if (s[c] != null) {
            sums[c][0] += s[c].ap();
            sums[c][1] += s[c].precisionAtCount();
            sums[c][2] += s[c].precisionAt100();
            sums[c][3] += s[c].iou();
          }
        }
      }
      Score[] out = new Score[k];
      for (int c = 0; c < k; c++) {
        if (counts[c] > 0) {
          out[c] = new Score(-1, 1, sums[c][0] / m, sums[c][1] / m, sums[c][2] / m, sums[c][3] / m);
        }
      }
      return out;
    }
  }

  /**
   * One neuron's activations sorted ascending as order-preserving unsigned keys (-0 and +0 equal),
   * with the row labels carried along: an LSD radix sort in three passes of 11 bits, in
   * per-thread scratch arrays.
   */
  static final class Sorted {
    private static final ThreadLocal<Sorted> SCRATCH = new ThreadLocal<>();
    private static final int BITS = 11;
    private static final int BUCKETS = 1 << BITS;
    int[] keys;
    int[] labels;
    private int[] keys2;
    private int[] labels2;
    private final int[] counts = new int[BUCKETS];

    private Sorted(int n) {
      keys = new int[n];
      labels = new int[n];
      keys2 = new int[n];
      labels2 = new int[n];
    }

    /** The order-preserving unsigned key of a float (all NaN excluded by the caller). */
    static int key(float v) {
      int bits = Float.floatToIntBits(v == 0f ? 0f : v);
      return bits ^ ((bits >> 31) | 0x80000000);
    }

    static Sorted of(float[] values, int[] label) {
      int n = values.length;
      Sorted s = SCRATCH.get();
      if (s == null || s.keys.length != n) {
        s = new Sorted(n);
        SCRATCH.set(s);
      }
      for (int i = 0; i < n; i++) {
        s.keys[i] = key(values[i]);
        s.labels[i] = label[i];
      }
      for (int shift = 0; shift < 32; shift += BITS) {
        s.pass(shift, n);
      }
      return s;
    }

    private void pass(int shift, int n) {
      Arrays.fill(counts, 0);
      for (int i = 0; i < n; i++) {
        counts[(keys[i] >>> shift) & (BUCKETS - 1)]++;
      }
      int sum = 0;
      for (int b = 0; b < BUCKETS; b++) {
        int c = counts[b];
        counts[b] = sum;
        sum += c;
      }
      for (int i = 0; i < n; i++) {
        int at = counts[(keys[i] >>> shift) & (BUCKETS - 1)]++;
        keys2[at] = keys[i];
        labels2[at] = labels[i];
      }
      int[] t = keys;
      keys = keys2;
      keys2 = t;
      t = labels;
      labels = labels2;
      labels2 = t;
    }
  }
}
