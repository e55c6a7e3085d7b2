package dev.neurolens.rank;

import dev.neurolens.util.Shuffle;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.probe.ColumnSubset;
import dev.neurolens.probe.ProbeTask;
import dev.neurolens.util.NeuroLensException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Gaussian-probe greedy dimension selection (Torroba Hennigen, Williams and Cotterell, "Intrinsic
 * probing through dimension selection").
 *
 * <p>Each class c has a Gaussian whose mean and covariance are the MAP estimates under a
 * Normal-Inverse-Wishart prior with mu0 = the overall mean, kappa0 = 0.01, Lambda0 = diag of the
 * overall empirical variance and nu0 = k + 2 for a k-dimensional subset: Sigma_c = Lambda_n / (n_c
 * + nu0 + k + 1). Starting from the empty set, the neuron that most increases the estimated mutual
 * information I(class; x_S) = H(class) + mean_i log p(y_i | x_iS) is added, k times. Adding a
 * dimension updates, per class, the Cholesky-style conditional residuals of every candidate (a
 * rank-one update of a (C, N, F) tensor), so one step costs O(C N F): practical for F up to a few
 * thousand and k up to a few hundred on at most {@code maxRows} sampled rows.
 *
 * <p>Usage: {@code NeuronRanking r = GaussianRanker.rank(x, splits.train(), task,
 * GaussianRanker.Options.of(20, 5000, 42))}
 */
public final class GaussianRanker {
  private static final double KAPPA0 = 0.01;
  private static final int BLOCK = 256;

  /**
   * @param k neurons to select greedily (the rest follow, by their score at the last step)
   * @param maxRows rows sampled (seeded) to fit and score the Gaussians
   * @param pool greedy candidates: the {@code pool} neurons with the best single-neuron score
   *     (0 = all neurons; the pool is never smaller than k)
   * @param seed seeds the row sample
   */
  public record Options(int k, int maxRows, int pool, long seed) {
    public Options {
      if (pool < 0) {
        throw new NeuroLensException("gaussian ranking: pool must be >= 0, found " + pool);
      }
      if (k < 1) {
        throw new NeuroLensException("gaussian ranking: k must be >= 1, found " + k);
      }
      if (maxRows < 2) {
        throw new NeuroLensException("gaussian ranking: maxRows must be >= 2, found " + maxRows);
      }
    }

    /** k = 50, maxRows = 1000, pool = 1024, seed 42. */
    public static Options defaults() {
      return new Options(50, 1000, 1024, 42);
    }

    /** All neurons are candidates (exact greedy). */
    public static Options of(int k, int maxRows, long seed) {
      return new Options(k, maxRows, 0, seed);
    }
  }

  private GaussianRanker() {}

  /** Greedily ranks the features of {@code x} for the classes of {@code task} on {@code rows}. */
  public static NeuronRanking rank(ActivationMatrix x, int[] rows, ProbeTask task, Options options) {
    if (task.isRegression()) {
      throw new NeuroLensException("gaussian ranking: task " + task.name() + " is a regression task; needs classes");
    }
    int f = x.cols();
    int k = Math.min(options.k(), f);
    int[] sample = sample(rows, options.maxRows(), options.seed());
    int n = sample.length;
    int[] all = task.labels();
    // classes present in the sample, renumbered 0..C'-1
    int[] classOf = new int[task.numClasses()];
    java.util.Arrays.fill(classOf, -1);
    int c = 0;
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      int label = all[sample[i]];
      if (classOf[label] < 0) {
        classOf[label] = c++;
      }
      y[i] = classOf[label];
    }
    if (c < 2) {
      throw new NeuroLensException(
          "gaussian ranking: task " + task.name() + " needs >= 2 classes in the rows, found " + c);
    }
    float[] data = new float[n * f];
    int[] at = {0};
    Columns.forEachChunk(x, sample, (ids, chunk, m) -> {
      System.arraycopy(chunk, 0, data, at[0] * f, m * f);
      at[0] += m;
    });
    int poolSize = options.pool() == 0 ? f : Math.min(f, Math.max(k, options.pool()));
    double[] single = null;
    int[] pool = new int[f];
    for (int d = 0; d < f; d++) {
      pool[d] = d;
    }
    float[] poolData = data;
    if (poolSize < f) {
      try (NDManager manager = NDManager.newBaseManager()) {
        single = new State(manager, data, n, f, y, c, 1).candidateScores(1);
      }
      pool = java.util.Arrays.copyOf(Columns.descending(single), poolSize);
      poolData = new float[n * poolSize];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < poolSize; j++) {
          poolData[i * poolSize + j] = data[i * f + pool[j]];
        }
      }
    }
    double[] scores = new double[poolSize];
    int[] selected = new int[k];
    double[] gains = new double[k];
    try (NDManager manager = NDManager.newBaseManager()) {
      State s = new State(manager, poolData, n, poolSize, y, c, k);
      for (int t = 0; t < k; t++) {
        double[] candidate = s.candidateScores(t + 1);
        int best = -1;
        for (int d = 0; d < poolSize; d++) {
          if (!s.chosen[d] && (best < 0 || candidate[d] > candidate[best])) {
            best = d;
          }
        }
        selected[t] = best;
        gains[t] = candidate[best];
        System.arraycopy(candidate, 0, scores, 0, poolSize);
        s.add(best, t);
      }
    }
    int[] ids = ColumnSubset.featureIds(x);
    boolean[] used = new boolean[f];
    int[] ordering = new int[f];
    double[] out = new double[f];
    for (int t = 0; t < k; t++) {
      ordering[t] = ids[pool[selected[t]]];
      out[t] = gains[t];
      used[pool[selected[t]]] = true;
    }
    int pos = k;
    for (int d : Columns.descending(scores)) {
      if (!used[pool[d]]) {
        used[pool[d]] = true;
        ordering[pos] = ids[pool[d]];
        out[pos++] = scores[d];
      }
    }
    if (single != null) {
      for (int d : Columns.descending(single)) {
        if (!used[d]) {
          ordering[pos] = ids[d];
          out[pos++] = single[d];
        }
      }
    }
    Map<String, String> params = new LinkedHashMap<>();
    params.put("task", task.name());
    params.put("k", Integer.toString(k));
    params.put("rows", Integer.toString(n));
    params.put("pool", Integer.toString(poolSize));
    params.put("seed", Long.toString(options.seed()));
    params.put(
        "score",
        "selected: estimated mutual information (nats) after adding the neuron; the rest: the "
            + "last step's score (pool), then the single-neuron score");
    return new NeuronRanking("gaussian", ordering, out, null, null, params);
  }

  private static int[] sample(int[] rows, int max, long seed) {
    if (rows.length == 0) {
      throw new NeuroLensException("gaussian ranking: the row selection is empty; it needs at least one row");
    }
    if (rows.length <= max) {
      return rows.clone();
    }
    int[] out = Shuffle.sample(rows, max, new Random(seed));
    java.util.Arrays.sort(out);
    return out;
  }

  /**
   * Per-class posterior state for the selected set S. Shapes: C classes, N sampled rows, F
   * features, K = k selected so far.
   */
  private static final class State {
    private final NDManager manager;
    private final int n;
    private final int f;
    private final int c;
    private final NDArray x; // (N, F)
    private final NDArray oneHot; // (C, N) class indicator
    private final NDArray classMean; // (C, F) empirical class means
    private final NDArray shift; // (C, F) sqrt(kappa0 n_c / (kappa0 + n_c)) * (xbar_c - mu0)
    private final NDArray priorDiag; // (F) overall variance: Lambda0
    private final NDArray residual; // (C, N, F) x_id - mu_cd, conditioned on S
    private final NDArray condVar; // (C, F) Lambda_c(d, d | S)
    private final NDArray maha; // (C, N) Mahalanobis of x_S under Lambda_c,SS
    private final NDArray logDet; // (C) log det Lambda_c,SS
    private final NDArray basis; // (C, F, k) columns (zero beyond those filled) Lambda_c(., s_j | s_<j) / sqrt(var)
    private final NDArray logPrior; // (C)
    private final double[] counts;
    private final int[] gold;
    final boolean[] chosen;

    State(NDManager manager, float[] data, int n, int f, int[] y, int c, int kmax) {
      this.manager = manager;
      this.n = n;
      this.f = f;
      this.c = c;
      chosen = new boolean[f];
      counts = new double[c];
      gold = y.clone();
      float[] hot = new float[c * n];
      for (int i = 0; i < n; i++) {
        hot[y[i] * n + i] = 1f;
        counts[y[i]]++;
      }
      x = manager.create(data, new Shape(n, f));
      oneHot = manager.create(hot, new Shape(c, n));
      float[] cnt = new float[c];
      float[] lp = new float[c];
      float[] shrink = new float[c];
      float[] post = new float[c];
      for (int k = 0; k < c; k++) {
        cnt[k] = (float) counts[k];
        lp[k] = (float) Math.log(counts[k] / n);
        shrink[k] = (float) Math.sqrt(KAPPA0 * counts[k] / (KAPPA0 + counts[k]));
        post[k] = (float) (counts[k] / (KAPPA0 + counts[k]));
      }
      NDArray count = manager.create(cnt).reshape(c, 1);
      logPrior = manager.create(lp);
      NDArray mu0 = x.mean(new int[] {0}); // (F)
      priorDiag = x.sub(mu0).square().mean(new int[] {0}); // (F)
      classMean = oneHot.matMul(x).div(count); // (C, N) x (N, F) -> (C, F)
      NDArray diff = classMean.sub(mu0); // (C, F)
      shift = diff.mul(manager.create(shrink).reshape(c, 1));
      // MAP mean mu_c = mu0 + n_c / (kappa0 + n_c) * (xbar_c - mu0)
      NDArray mapMean = mu0.add(diff.mul(manager.create(post).reshape(c, 1))); // (C, F)
      residual = x.expandDims(0).sub(mapMean.expandDims(1)); // (1, N, F) - (C, 1, F) -> (C, N, F)
      // within-class scatter diagonal: sum_{i in c} (x_id - xbar_cd)^2
      NDArray within = oneHot.matMul(x.square()).sub(classMean.square().mul(count)); // (C, F)
      condVar = within.add(priorDiag).add(shift.square());
      maha = manager.zeros(new Shape(c, n));
      logDet = manager.zeros(new Shape(c));
      basis = manager.zeros(new Shape(c, f, kmax));
    }

    /** Mean log p(y | x_{S + d}) + H(class) for every candidate d (chosen ones: -inf). */
    double[] candidateScores(int dims) {
      double[] out = new double[f];
      try (NDManager sub = manager.newSubManager()) {
        sub.tempAttachAll(residual, condVar, maha, logDet, logPrior, oneHot);
        float[] alpha = new float[c];
        float[] logAlpha = new float[c];
        for (int k = 0; k < c; k++) {
          alpha[k] = (float) (counts[k] + 2.0 * dims + 3); // n_c + nu0 + dims + 1, nu0 = dims + 2
          logAlpha[k] = (float) (dims * Math.log(alpha[k]));
        }
        NDArray a = sub.create(alpha).reshape(c, 1);
        // joint log p(c, x_{S+d}) = A[c, i] + B[c, d] + G[c, d] * r[c, i, d]^2 with
        // A = log pi_c + dims/2 log alpha_c - 1/2 log det Lambda_c,SS - alpha_c/2 maha_ci,
        // B = -1/2 log v_cd, G = -alpha_c / (2 v_cd)
        NDArray aTerm =
            logPrior.add(sub.create(logAlpha).mul(0.5f)).sub(logDet.mul(0.5f)).reshape(c, 1)
                .sub(maha.mul(a).mul(0.5f))
                .reshape(c, n, 1);
        long[] goldIndex = new long[n];
        for (int i = 0; i < n; i++) {
          goldIndex[i] = (long) gold[i] * n + i;
        }
        NDArray goldRows = sub.create(goldIndex);
        double entropy = 0;
        for (double cnt : counts) {
          entropy -= cnt / n * Math.log(cnt / n);
        }
        for (int d0 = 0; d0 < f; d0 += BLOCK) {
          int d1 = Math.min(f, d0 + BLOCK);
          int width = d1 - d0;
          try (NDManager block = sub.newSubManager()) {
            block.tempAttachAll(residual, condVar, a, aTerm, goldRows);
            NDArray r = residual.get(new NDIndex(":, :, " + d0 + ":" + d1)); // (C, N, b)
            NDArray v = condVar.get(new NDIndex(":, " + d0 + ":" + d1)); // (C, b)
            NDArray g = a.div(v).mul(-0.5f).reshape(c, 1, width);
            NDArray bTerm = v.log().mul(-0.5f).reshape(c, 1, width);
            NDArray joint = r.square().mul(g).add(bTerm).add(aTerm); // (C, N, b)
            NDArray logPost = joint.logSoftmax(0).reshape(c * n, width).get(goldRows); // (N, b)
            float[] mean = logPost.mean(new int[] {0}).toFloatArray();
            for (int d = d0; d < d1; d++) {
              out[d] = chosen[d] ? Double.NEGATIVE_INFINITY : mean[d - d0] + entropy;
            }
          }
        }
      }
      return out;
    }

    /** Adds feature {@code s} as the {@code t}-th selected dimension (0-based). */
    void add(int s, int t) {
      chosen[s] = true;
      try (NDManager sub = manager.newSubManager()) {
        sub.tempAttachAll(residual, condVar, maha, logDet, basis, x, oneHot, classMean, shift, priorDiag);
        // full scatter column Lambda_c(., s) = S_c(., s) + Lambda0(., s) + shift_c shift_cs
        NDArray xs = x.get(new NDIndex(":, " + s)); // (N)
        NDArray centred = oneHot.mul(xs.reshape(1, n)).sub(oneHot.mul(classMean.get(new NDIndex(":, " + s)).reshape(c, 1)));
        NDArray column = centred.matMul(x); // (C, N) x (N, F) -> (C, F)
        column = column.add(shift.mul(shift.get(new NDIndex(":, " + s)).reshape(c, 1)));
        float[] prior = new float[f];
        prior[s] = priorDiag.getFloat(s);
        column = column.add(sub.create(prior));
        // conditional on the earlier selections: subtract sum_j basis_j(.) basis_j(s)
        NDArray basisS = basis.get(new NDIndex(":, " + s + ", :")).reshape(c, -1, 1); // (C, K, 1)
        NDArray cond = column.sub(basis.matMul(basisS).reshape(c, f)); // (C, F)
        NDArray varS = condVar.get(new NDIndex(":, " + s)).reshape(c, 1).duplicate(); // (C, 1), a copy
        NDArray rs = residual.get(new NDIndex(":, :, " + s)).reshape(c, n, 1).duplicate(); // (C, N, 1)
        maha.addi(rs.square().reshape(c, n).div(varS));
        logDet.addi(varS.log().reshape(c));
        NDArray coef = cond.div(varS); // (C, F)
        residual.subi(rs.mul(coef.reshape(c, 1, f)));
        condVar.subi(cond.square().div(varS));
        condVar.set(new NDIndex(":, " + s), 1f);
        NDArray floor = priorDiag.mul(1e-3f).add(1e-12f).reshape(1, f);
        condVar.set(new NDIndex(":, :"), condVar.maximum(floor));
        basis.set(new NDIndex(":, :, " + t), cond.div(varS.sqrt())); // (C, F) into column t
      }
    }
  }
}
