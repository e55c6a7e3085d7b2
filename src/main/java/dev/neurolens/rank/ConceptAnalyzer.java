package dev.neurolens.rank;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.util.NeuroLensException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Concept analysis of single neurons (ALGORITHMS.md section 7, after NeuroX's
 * {@code get_top_words}): what each requested neuron stands for.
 *
 * <p>For each neuron the token-level activations a (N rows) are turned into z-scores with the
 * population mean and standard deviation ({@code z = (a - mean) / std}, z = 0 for a constant
 * neuron). Per token type (the token text, types with fewer than {@code minOccurrences}
 * occurrences left out) the mean |z| is divided by the best type's and types scoring above
 * {@code minScore} are kept, best first. The concept is the majority label of the neuron's
 * {@code conceptRows} top-|z| tokens and the purity its share among the labelled ones. The
 * contexts are the snippets whose peak |a| is highest, with the neuron's raw activation on every
 * token of the snippet.
 *
 * <p>The matrix is streamed twice in row chunks for all requested neurons together (pass 1: mean
 * and variance by Welford plus the per-snippet peaks; pass 2: z-scores), then each chosen snippet
 * is read once. Memory: one chunk of rows, k·T doubles for k neurons and T frequent token types,
 * and k small top-k heaps — never N x F.
 *
 * <p>Usage: {@code List<NeuronProfile> p = new ConceptAnalyzer(ConceptAnalyzer.Options.defaults())
 * .analyze(x, ranking.top(5), new ConceptAnalyzer.TokenTable(texts, labelIds, names, snippetOfRow))}
 */
public final class ConceptAnalyzer {
  private static final int CHUNK_FLOATS = 1 << 22;
  private final Options options;
  private final int chunkFloats;

  public ConceptAnalyzer(Options options) {
    this(options, CHUNK_FLOATS);
  }

  /** With a chosen chunk size in floats (tests use tiny chunks to cross chunk boundaries). */
  ConceptAnalyzer(Options options, int chunkFloats) {
    this.options = Objects.requireNonNull(options, "options");
    check(chunkFloats >= 1, "chunkFloats must be >= 1, found " + chunkFloats);
    this.chunkFloats = chunkFloats;
  }

  /**
   * Settings of the analysis.
   *
   * @param topTokens token types kept per neuron (NeuroX {@code num_tokens}), >= 1
   * @param minScore normalised score a type must exceed to be kept (NeuroX: 0.1), in [0, 1)
   * @param contexts top-activating snippets per neuron, >= 0
   * @param minOccurrences occurrences a token type needs to be scored, >= 1
   * @param conceptRows top-|z| tokens whose labels decide the concept, >= 1
   */
  public record Options(int topTokens, double minScore, int contexts, int minOccurrences, int conceptRows) {
    public Options {
      check(topTokens >= 1, "topTokens must be >= 1, found " + topTokens);
      check(minScore >= 0 && minScore < 1, "minScore must be in [0, 1), found " + minScore);
      check(contexts >= 0, "contexts must be >= 0, found " + contexts);
      check(minOccurrences >= 1, "minOccurrences must be >= 1, found " + minOccurrences);
      check(conceptRows >= 1, "conceptRows must be >= 1, found " + conceptRows);
    }

    /** 10 top tokens, min score 0.1, 3 contexts, types seen at least 3 times, 200 concept rows. */
    public static Options defaults() {
      return new Options(10, 0.1, 3, 3, 200);
    }
  }

  /**
   * The token-level side information of the N matrix rows. Rows of one snippet must be
   * contiguous (as extraction writes them).
   *
   * @param texts token text per row (N)
   * @param labelIds label id per row in [0, C), or -1 for an unlabelled token (N)
   * @param labelNames the C label names
   * @param snippetOfRow snippet id per row (N)
   */
  public record TokenTable(String[] texts, int[] labelIds, List<String> labelNames, int[] snippetOfRow) {
    public TokenTable {
      texts = Objects.requireNonNull(texts, "texts").clone();
      labelIds = Objects.requireNonNull(labelIds, "labelIds").clone();
      labelNames = List.copyOf(labelNames);
      snippetOfRow = Objects.requireNonNull(snippetOfRow, "snippetOfRow").clone();
      int n = texts.length;
      if (labelIds.length != n || snippetOfRow.length != n) {
        throw new NeuroLensException("token table: texts (" + n + "), labelIds (" + labelIds.length
            + ") and snippetOfRow (" + snippetOfRow.length + ") must have one entry per row");
      }
      Set<Integer> finished = new HashSet<>();
      for (int i = 0; i < n; i++) {
        Objects.requireNonNull(texts[i], "texts[" + i + "]");
        if (labelIds[i] < -1 || labelIds[i] >= labelNames.size()) {
          throw new NeuroLensException("token table: labelIds[" + i + "] must be in [-1, "
              + labelNames.size() + "), found " + labelIds[i]);
        }
        if (i > 0 && snippetOfRow[i] != snippetOfRow[i - 1] && !finished.add(snippetOfRow[i - 1])) {
          throw new NeuroLensException("token table: rows of snippet " + snippetOfRow[i - 1]
              + " must be contiguous, found it again before row " + i);
        }
      }
      if (n > 0 && finished.contains(snippetOfRow[n - 1])) {
        throw new NeuroLensException("token table: rows of snippet " + snippetOfRow[n - 1]
            + " must be contiguous, found it again at the end");
      }
    }

    @Override
    public String[] texts() {
      return texts.clone();
    }

    @Override
    public int[] labelIds() {
      return labelIds.clone();
    }

    @Override
    public int[] snippetOfRow() {
      return snippetOfRow.clone();
    }

    /** N. */
    public int rows() {
      return texts.length;
    }

    /** Start row of each snippet run, plus N at the end. */
    int[] runStarts() {
      int[] starts = new int[texts.length + 1];
      int r = 0;
      for (int i = 0; i < texts.length; i++) {
        if (i == 0 || snippetOfRow[i] != snippetOfRow[i - 1]) {
          starts[r++] = i;
        }
      }
      starts[r++] = texts.length;
      return Arrays.copyOf(starts, r);
    }
  }

  /**
   * A neuron ranked for a class by an LCA-style per-class ranking, with its profile.
   *
   * @param rankedClass the class the neuron was ranked for
   * @param rank its position in that class's ranking (0 = top)
   * @param profile its concept profile
   */
  public record ClassMatch(String rankedClass, int rank, NeuronProfile profile) {
    public ClassMatch {
      Objects.requireNonNull(rankedClass, "rankedClass");
      Objects.requireNonNull(profile, "profile");
      check(rank >= 0, "rank must be >= 0, found " + rank);
    }

    /** Whether the neuron's own concept is the class it was ranked for. */
    public boolean matches() {
      return rankedClass.equals(profile.concept());
    }
  }

  /** Same as {@link #analyze(ActivationMatrix, int[], TokenTable)} with the parts as arrays. */
  public List<NeuronProfile> analyze(ActivationMatrix x, int[] featureIds, String[] tokenTexts,
      int[] labelIds, List<String> labelNames, int[] snippetOfRow) {
    return analyze(x, featureIds, new TokenTable(tokenTexts, labelIds, labelNames, snippetOfRow));
  }

  /**
   * Profiles the given neurons of an N x F matrix.
   *
   * @param x activations, N token rows x F features; read only
   * @param featureIds distinct feature ids in [0, F) to profile
   * @param tokens text, label and snippet of each of the N rows
   * @return one profile per feature id, in the order given
   */
  public List<NeuronProfile> analyze(ActivationMatrix x, int[] featureIds, TokenTable tokens) {
    int n = x.rows();
    int f = x.cols();
    if (tokens.rows() != n) {
      throw new NeuroLensException("token table: has " + tokens.rows()
          + " rows but the activation matrix has " + n + "; labels and activations must come from the same corpus");
    }
    int[] feats = featureIds.clone();
    Set<Integer> seen = new HashSet<>();
    for (int id : feats) {
      if (id < 0 || id >= f) {
        throw new NeuroLensException("neurons: feature id must be in [0, " + f + "), found " + id);
      }
      if (!seen.add(id)) {
        throw new NeuroLensException("neurons: feature ids must be distinct, found " + id + " twice");
      }
    }
    int k = feats.length;
    int[] runStarts = tokens.runStarts();
    int chunk = Math.max(1, chunkFloats / f);
    float[] buf = new float[Math.min(chunk, Math.max(n, 1)) * f];

    // Pass 1: Welford mean / M2 and per-snippet peak |a|.
    double[] mean = new double[k];
    double[] m2 = new double[k];
    double[] runPeak = new double[k];
    Arrays.fill(runPeak, -1);
    NeuronTopK[] ctxHeaps = new NeuronTopK[k];
    for (int j = 0; j < k; j++) {
      ctxHeaps[j] = new NeuronTopK(options.contexts());
    }
    int run = 0;
    for (int r0 = 0; r0 < n; r0 += chunk) {
      int len = Math.min(chunk, n - r0);
      x.read(r0, len, buf);
      for (int i = 0; i < len; i++) {
        int row = r0 + i;
        if (row == runStarts[run + 1]) {
          finishRun(run++, runPeak, ctxHeaps);
        }
        int base = i * f;
        long count = row + 1L;
        for (int j = 0; j < k; j++) {
          double a = buf[base + feats[j]];
          double delta = a - mean[j];
          mean[j] += delta / count;
          m2[j] += delta * (a - mean[j]);
          runPeak[j] = Math.max(runPeak[j], Math.abs(a));
        }
      }
    }
    if (n > 0) {
      finishRun(run, runPeak, ctxHeaps);
    }
    double[] invStd = new double[k];
    for (int j = 0; j < k; j++) {
      double std = n == 0 ? 0 : Math.sqrt(m2[j] / n);
      invStd[j] = std > 0 && Double.isFinite(std) ? 1 / std : 0;
    }

    // Pass 2: |z| summed per frequent token type, top-|z| rows.
    Map<String, Integer> typeIds = new HashMap<>();
    List<String> typeTexts = new ArrayList<>();
    int[] typeOfRow = frequentTypes(tokens.texts, typeIds, typeTexts);
    int types = typeTexts.size();
    int[] typeCount = new int[types];
    for (int t : typeOfRow) {
      if (t >= 0) {
        typeCount[t]++;
      }
    }
    double[][] typeSum = new double[k][types];
    NeuronTopK[] rowHeaps = new NeuronTopK[k];
    for (int j = 0; j < k; j++) {
      rowHeaps[j] = new NeuronTopK(Math.min(options.conceptRows(), n));
    }
    for (int r0 = 0; r0 < n; r0 += chunk) {
      int len = Math.min(chunk, n - r0);
      x.read(r0, len, buf);
      for (int i = 0; i < len; i++) {
        int row = r0 + i;
        int base = i * f;
        int t = typeOfRow[row];
        for (int j = 0; j < k; j++) {
          double z = Math.abs((buf[base + feats[j]] - mean[j]) * invStd[j]);
          if (t >= 0) {
            typeSum[j][t] += z;
          }
          rowHeaps[j].offer(z, row);
        }
      }
    }

    List<List<NeuronProfile.Context>> contexts = readContexts(x, feats, ctxHeaps, runStarts, tokens);
    List<NeuronProfile> out = new ArrayList<>(k);
    for (int j = 0; j < k; j++) {
      List<NeuronProfile.TokenScore> tops = topTokens(typeSum[j], typeCount, typeTexts);
      String concept = null;
      double purity = 0;
      if (invStd[j] > 0) {
        int[] labelCounts = new int[tokens.labelNames.size()];
        int labelled = 0;
        for (int row : rowHeaps[j].idsBestFirst()) {
          int label = tokens.labelIds[row];
          if (label >= 0) {
            labelCounts[label]++;
            labelled++;
          }
        }
        int best = -1;
        for (int c = 0; c < labelCounts.length; c++) {
          if (labelCounts[c] > 0 && (best < 0 || labelCounts[c] > labelCounts[best])) {
            best = c;
          }
        }
        if (best >= 0) {
          concept = tokens.labelNames.get(best);
          purity = labelCounts[best] / (double) labelled;
        }
      }
      out.add(new NeuronProfile(feats[j], concept, purity, tops, contexts.get(j)));
    }
    return List.copyOf(out);
  }

  /**
   * Profiles the top {@code perClass} neurons of each class of a per-class ranking (e.g. LCA
   * weights) in one pass over the matrix and reports whether each neuron's own concept is the
   * class it was ranked for.
   *
   * @param topByClass class name -> feature ids, best first (iteration order is kept)
   * @param perClass neurons taken from the head of each class's ranking, >= 1
   * @return one match per (class, neuron), classes in map order, ranks ascending
   */
  public List<ClassMatch> matchClasses(
      ActivationMatrix x, Map<String, int[]> topByClass, int perClass, TokenTable tokens) {
    check(perClass >= 1, "perClass must be >= 1, found " + perClass);
    Set<Integer> union = new LinkedHashSet<>();
    topByClass.values().forEach(ids -> {
      for (int i = 0; i < Math.min(perClass, ids.length); i++) {
        union.add(ids[i]);
      }
    });
    int[] feats = union.stream().mapToInt(Integer::intValue).toArray();
    Map<Integer, NeuronProfile> byFeature = new HashMap<>();
    for (NeuronProfile p : analyze(x, feats, tokens)) {
      byFeature.put(p.feature(), p);
    }
    List<ClassMatch> out = new ArrayList<>();
    topByClass.forEach((cls, ids) -> {
      for (int i = 0; i < Math.min(perClass, ids.length); i++) {
        out.add(new ClassMatch(cls, i, byFeature.get(ids[i])));
      }
    });
    return List.copyOf(out);
  }

  /** Share of matches whose neuron's concept is its ranked class; NaN for no matches. */
  public static double matchRate(List<ClassMatch> matches) {
    return matches.isEmpty()
        ? Double.NaN
        : matches.stream().filter(ClassMatch::matches).count() / (double) matches.size();
  }

  private static void finishRun(int run, double[] runPeak, NeuronTopK[] heaps) {
    for (int j = 0; j < heaps.length; j++) {
      heaps[j].offer(runPeak[j], run);
      runPeak[j] = -1;
    }
  }

  /** Type id per row for types seen at least minOccurrences times, -1 for the rest. */
  private int[] frequentTypes(String[] texts, Map<String, Integer> typeIds, List<String> typeTexts) {
    Map<String, Integer> counts = new HashMap<>();
    for (String t : texts) {
      counts.merge(t, 1, Integer::sum);
    }
    int[] typeOfRow = new int[texts.length];
    for (int i = 0; i < texts.length; i++) {
      if (counts.get(texts[i]) < options.minOccurrences()) {
        typeOfRow[i] = -1;
        continue;
      }
      typeOfRow[i] = typeIds.computeIfAbsent(texts[i], s -> {
        typeTexts.add(s);
        return typeTexts.size() - 1;
      });
    }
    return typeOfRow;
  }

  private List<NeuronProfile.TokenScore> topTokens(double[] sum, int[] count, List<String> texts) {
    double max = 0;
    for (int t = 0; t < sum.length; t++) {
      max = Math.max(max, sum[t] / count[t]);
    }
    List<NeuronProfile.TokenScore> kept = new ArrayList<>();
    if (!(max > 0) || !Double.isFinite(max)) {
      return kept;
    }
    for (int t = 0; t < sum.length; t++) {
      double score = sum[t] / count[t] / max;
      if (score > options.minScore()) {
        kept.add(new NeuronProfile.TokenScore(texts.get(t), Math.min(1, score), count[t]));
      }
    }
    kept.sort(Comparator.comparingDouble(NeuronProfile.TokenScore::score).reversed()
        .thenComparing(NeuronProfile.TokenScore::token));
    return kept.subList(0, Math.min(options.topTokens(), kept.size()));
  }

  /** Reads each chosen snippet once and cuts out the values of the neurons that chose it. */
  private static List<List<NeuronProfile.Context>> readContexts(ActivationMatrix x, int[] feats,
      NeuronTopK[] heaps, int[] runStarts, TokenTable tokens) {
    int k = feats.length;
    int f = x.cols();
    int[][] chosen = new int[k][];
    Set<Integer> runs = new java.util.TreeSet<>();
    for (int j = 0; j < k; j++) {
      chosen[j] = heaps[j].idsBestFirst();
      for (int run : chosen[j]) {
        runs.add(run);
      }
    }
    NeuronProfile.Context[][] ctx = new NeuronProfile.Context[k][];
    for (int j = 0; j < k; j++) {
      ctx[j] = new NeuronProfile.Context[chosen[j].length];
    }
    for (int run : runs) {
      int start = runStarts[run];
      int len = runStarts[run + 1] - start;
      float[] rows = new float[len * f];
      x.read(start, len, rows);
      List<String> texts = Arrays.asList(Arrays.copyOfRange(tokens.texts, start, start + len));
      for (int j = 0; j < k; j++) {
        for (int c = 0; c < chosen[j].length; c++) {
          if (chosen[j][c] == run) {
            double[] values = new double[len];
            for (int i = 0; i < len; i++) {
              values[i] = rows[i * f + feats[j]];
            }
            ctx[j][c] = new NeuronProfile.Context(tokens.snippetOfRow[start], start, texts, values);
          }
        }
      }
    }
    List<List<NeuronProfile.Context>> out = new ArrayList<>(k);
    for (NeuronProfile.Context[] c : ctx) {
      out.add(List.of(c));
    }
    return out;
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new NeuroLensException(message);
    }
  }
}
