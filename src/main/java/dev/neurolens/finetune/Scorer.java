package dev.neurolens.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.model.TokenBatch;
import dev.neurolens.model.bert.TrainableBert;
import dev.neurolens.util.Progress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pooling and scoring for {@link FineTuner}: the pooled representation of a batch (first
 * position, or the mean over real tokens), embeddings of many sequences without autograd in
 * length-sorted batches, and the task's metrics on a split (code search: MRR and recall at 1, 5,
 * 10 over the pool; classification and pairs: accuracy, macro F1, and F1 of label "1" for pairs).
 */
final class Scorer {
  private final DownstreamTask.Kind kind;
  private final boolean cls;
  private final FinetuneOptions opt;
  private final boolean bars;
  private final int positiveLabel;

  /**
   * @param cls pool the first position (else the mean over real tokens)
   * @param bars progress bars on stderr while embedding
   * @param positiveLabel the label id of "1" (pairs' F1), -1 when there is none
   */
  Scorer(DownstreamTask.Kind kind, boolean cls, FinetuneOptions opt, boolean bars, int positiveLabel) {
    this.kind = kind;
    this.cls = cls;
    this.opt = opt;
    this.bars = bars;
    this.positiveLabel = positiveLabel;
  }

  /** The pooled (B, D) representation of {@code seqs}: the first position, or the mean over real tokens. */
  NDArray pooled(NDManager m, TrainableBert enc, List<int[]> seqs, boolean train) {
    NDArray h = enc.forward(m, new TokenBatch(seqs), train);
    if (cls) {
      return h.get(new NDIndex(":, 0, :"));
    }
    long b = seqs.size();
    long t = h.getShape().get(1);
    float[] mask = new float[(int) (b * t)];
    float[] counts = new float[(int) b];
    for (int i = 0; i < b; i++) {
      Arrays.fill(mask, (int) (i * t), (int) (i * t + seqs.get(i).length), 1f);
      counts[i] = seqs.get(i).length;
    }
    NDArray mk = m.create(mask, new Shape(b, t, 1));
    return h.mul(mk).sum(new int[] {1}).div(m.create(counts, new Shape(b, 1)));
  }

  static NDArray pairFeatures(NDArray u, NDArray v) {
    return NDArrays.concat(new NDList(u, v, u.sub(v).abs(), u.mul(v)), 1);
  }

  /** Pooled representations of {@code seqs} without autograd, in length-sorted batches. */
  float[][] embed(TrainableBert enc, List<int[]> seqs, Progress bar) {
    Integer[] order = new Integer[seqs.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> seqs.get(i).length));
    float[][] out = new float[seqs.size()][];
    int k = 0;
    while (k < order.length) {
      List<Integer> idx = new ArrayList<>();
      while (k < order.length && idx.size() < 4 * opt.batchSize()
          && (long) (idx.size() + 1) * seqs.get(order[k]).length <= 2L * opt.batchTokens()) {
        idx.add(order[k++]);
      }
      if (idx.isEmpty()) {
        idx.add(order[k++]);
      }
      try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
        NDArray p = pooled(m, enc, idx.stream().map(seqs::get).toList(), false);
        float[] flat = p.toFloatArray();
        int d = (int) p.getShape().get(1);
        for (int r = 0; r < idx.size(); r++) {
          out[idx.get(r)] = Arrays.copyOfRange(flat, r * d, (r + 1) * d);
        }
      }
      bar.step(idx.size());
    }
    return out;
  }

  /** Scores {@code items} with the current weights. */
  FinetuneResult.Score evaluate(TrainableBert enc, LinearHead head, List<FineTuner.Item> items, String what) {
    int n = items.size() * (kind == DownstreamTask.Kind.CLASSIFY ? 1 : 2);
    try (Progress bar = bars ? Progress.start("evaluating " + what, n, "sequences") : Progress.silent()) {
      float[][] a = embed(enc, items.stream().map(FineTuner.Item::a).toList(), bar);
      Map<String, Double> all = new LinkedHashMap<>();
      if (kind == DownstreamTask.Kind.CODE_SEARCH) {
        float[][] b = embed(enc, items.stream().map(FineTuner.Item::b).toList(), bar);
        int[] ranks = Metrics.ranks(normalize(a), normalize(b));
        all.put("mrr", Metrics.mrr(ranks));
        all.put("recall_at_1", Metrics.recallAt(ranks, 1));
        all.put("recall_at_5", Metrics.recallAt(ranks, 5));
        all.put("recall_at_10", Metrics.recallAt(ranks, 10));
        all.put("pool", (double) items.size());
        return new FinetuneResult.Score("mrr", all.get("mrr"), all);
      }
      float[][] feats = a;
      if (kind == DownstreamTask.Kind.PAIRS) {
        float[][] b = embed(enc, items.stream().map(FineTuner.Item::b).toList(), bar);
        feats = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
          int d = a[i].length;
          float[] f = new float[4 * d];
          for (int j = 0; j < d; j++) {
            f[j] = a[i][j];
            f[d + j] = b[i][j];
            f[2 * d + j] = Math.abs(a[i][j] - b[i][j]);
            f[3 * d + j] = a[i][j] * b[i][j];
          }
          feats[i] = f;
        }
      }
      int[] pred = head.predict(feats);
      int[] gold = items.stream().mapToInt(FineTuner.Item::label).toArray();
      all.put("accuracy", Metrics.accuracy(gold, pred));
      all.put("macro_f1", Metrics.macroF1(gold, pred, head.classes));
      if (kind == DownstreamTask.Kind.PAIRS) {
        all.put("f1", Metrics.f1(gold, pred, positiveLabel));
      }
      String metric = kind.metric();
      return new FinetuneResult.Score(metric, all.get(metric), all);
    }
  }

  private static float[][] normalize(float[][] x) {
    float[][] out = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      double s = 0;
      for (float v : x[i]) {
        s += (double) v * v;
      }
      float inv = (float) (1 / Math.sqrt(s + 1e-12));
      out[i] = new float[x[i].length];
      for (int j = 0; j < x[i].length; j++) {
        out[i][j] = x[i][j] * inv;
      }
    }
    return out;
  }
}
