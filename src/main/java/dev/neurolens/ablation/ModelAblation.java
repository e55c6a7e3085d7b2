package dev.neurolens.ablation;

import dev.neurolens.redundancy.StreamingCka;
import dev.neurolens.util.Shuffle;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Encoding;
import dev.neurolens.model.HookName;
import dev.neurolens.model.Intervention;
import dev.neurolens.model.TokenBatch;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Model-level ablation: removes a neuron set inside the forward pass through hook interventions
 * and measures (a) the change of masked-LM loss where the model has a masked-LM head and (b) the
 * change of the last hidden state (linear CKA and mean cosine over real tokens), optionally next
 * to as many seeded random neurons at the same hooks.
 *
 * <p>Shapes: B batch, T tokens, D hidden, W hook width (D, or M for {@code mlp.pre}), V vocab.
 *
 * <p>Usage: {@code ModelAblationResult r = ModelAblation.run(model, codes, neurons,
 * ModelAblation.Options.defaults(ModelAblation.Mode.ZERO))}
 */
public final class ModelAblation {

  /** How ablated neurons are replaced. */
  public enum Mode {
    /** By 0. */
    ZERO,
    /** By the neuron's mean over the real tokens of the clean pass. */
    MEAN
  }

  /** Whether as many random neurons per hook are also ablated, as a baseline. */
  public enum Baseline {
    /** Also ablate random neurons. */
    RANDOM,
    /** Only the given neurons. */
    NONE
  }

  /**
   * Settings.
   *
   * <p>Usage: {@code new ModelAblation.Options(Mode.ZERO, Baseline.RANDOM, 42, 4, 0.15)}
   *
   * @param mode replacement
   * @param baseline also ablate as many random neurons per hook (RANDOM) or not
   * @param seed seeds the masking and the random neurons
   * @param batchSize snippets per forward pass
   * @param maskFraction fraction of non-special tokens masked for the masked-LM loss
   */
  public record Options(Mode mode, Baseline baseline, long seed, int batchSize, double maskFraction) {
    public Options {
      java.util.Objects.requireNonNull(mode, "mode");
      java.util.Objects.requireNonNull(baseline, "baseline");
      if (batchSize < 1) {
        throw new NeuroLensException("--batch-size: must be >= 1, found " + batchSize);
      }
      if (!(maskFraction > 0 && maskFraction < 1)) {
        throw new NeuroLensException("mask fraction: must be in (0, 1), found " + maskFraction);
      }
    }

    public static Options defaults(Mode mode) {
      return new Options(mode, Baseline.RANDOM, 42, 4, 0.15);
    }
  }

  private ModelAblation() {}

  /**
   * Runs the ablation of {@code neurons} (hook -> column indices) over {@code codes}.
   *
   * @throws NeuroLensException for an unknown hook, an index outside the hook width or no input
   */
  public static ModelAblationResult run(
      EncoderModel model, List<String> codes, Map<HookName, int[]> neurons, Options o) {
    if (codes.isEmpty()) {
      throw new NeuroLensException("ablation input: needs at least one code snippet, found 0");
    }
    Map<HookName, Integer> widths = widths(model, neurons);
    int max = model.tokenizer().maxTokens();
    List<Encoding> encs = new ArrayList<>();
    for (String code : codes) {
      encs.add(trim(model.tokenizer().encode(code), max));
    }
    Random rnd = new Random(o.seed());
    Map<HookName, int[]> randomSet = new LinkedHashMap<>();
    neurons.forEach((h, idx) -> randomSet.put(h, sample(rnd, widths.get(h), idx.length)));
    Map<HookName, float[]> means = o.mode() == Mode.MEAN ? means(model, encs, neurons.keySet(), o.batchSize()) : null;
    Map<HookName, Intervention> target = interventions(neurons, means);
    Map<HookName, Intervention> random = o.baseline() == Baseline.RANDOM ? interventions(randomSet, means) : null;

    int d = model.config().hiddenSize();
    StreamingCka ckaT = new StreamingCka(d);
    StreamingCka ckaR = new StreamingCka(d);
    double cosT = 0;
    double cosR = 0;
    long tokens = 0;
    double[] loss = new double[3];
    int masked = 0;
    boolean mlm = model.hasMaskedLmHead();
    int maskId = mlm ? maskId(model) : -1;
    try (NDManager base = NDManager.newBaseManager()) {
      for (int s = 0; s < encs.size(); s += o.batchSize()) {
        List<Encoding> chunk = encs.subList(s, Math.min(encs.size(), s + o.batchSize()));
        TokenBatch batch = TokenBatch.of(chunk);
        try (NDManager m = base.newSubManager()) {
          float[][][] clean = rows(model.forward(m, batch), batch);
          float[][][] abl = rows(model.runWithHooks(m, batch, target), batch);
          float[][][] ran = random == null ? null : rows(model.runWithHooks(m, batch, random), batch);
          for (int b = 0; b < clean.length; b++) {
            for (int t = 0; t < clean[b].length; t++) {
              ckaT.add(clean[b][t], abl[b][t]);
              cosT += cosine(clean[b][t], abl[b][t]);
              if (ran != null) {
                ckaR.add(clean[b][t], ran[b][t]);
                cosR += cosine(clean[b][t], ran[b][t]);
              }
              tokens++;
            }
          }
          if (mlm) {
            List<int[]> maskedIds = new ArrayList<>();
            List<int[]> positions = new ArrayList<>();
            for (Encoding e : chunk) {
              int[] ids = e.ids();
              int[] pos = maskPositions(e.special(), o.maskFraction(), rnd);
              for (int p : pos) {
                ids[p] = maskId;
              }
              maskedIds.add(ids);
              positions.add(pos);
            }
            TokenBatch mb = new TokenBatch(maskedIds);
            masked += positions.stream().mapToInt(p -> p.length).sum();
            loss[0] += nll(model, m, model.forward(m, mb), chunk, positions);
            loss[1] += nll(model, m, model.runWithHooks(m, mb, target), chunk, positions);
            if (random != null) {
              loss[2] += nll(model, m, model.runWithHooks(m, mb, random), chunk, positions);
            }
          }
        }
      }
    }
    Double clean = mlm && masked > 0 ? loss[0] / masked : null;
    ModelAblationResult.Effect te =
        effect(clean, mlm ? loss[1] / Math.max(1, masked) : 0, ckaT.value(), cosT / tokens);
    ModelAblationResult.Effect re =
        random == null
            ? null
            : effect(clean, mlm ? loss[2] / Math.max(1, masked) : 0, ckaR.value(), cosR / tokens);
    Map<String, Integer> perHook = new LinkedHashMap<>();
    neurons.forEach((h, idx) -> perHook.put(h.toString(), idx.length));
    int total = perHook.values().stream().mapToInt(Integer::intValue).sum();
    return new ModelAblationResult(model.id(), o.mode().name().toLowerCase(java.util.Locale.ROOT), codes.size(),
        tokens, total, perHook, masked, clean, te, re);
  }

  private static ModelAblationResult.Effect effect(Double clean, double loss, double cka, double cos) {
    return clean == null
        ? new ModelAblationResult.Effect(null, null, cka, cos)
        : new ModelAblationResult.Effect(loss, loss - clean, cka, cos);
  }

  /** Hook widths (W) of the hooks in the set; one-line errors for unknown hooks or indices. */
  static Map<HookName, Integer> widths(EncoderModel model, Map<HookName, int[]> neurons) {
    Map<HookName, Integer> w = new LinkedHashMap<>();
    for (Map.Entry<HookName, int[]> e : neurons.entrySet()) {
      HookName h = e.getKey();
      if (!model.hookNames().contains(h)) {
        throw new NeuroLensException("--neurons: hook " + h + " is not a hook of " + model.id()
            + " (" + model.config().numLayers() + " blocks)");
      }
      int width = h.site() == HookName.Site.MLP_PRE ? model.config().intermediateSize() : model.config().hiddenSize();
      for (int i : e.getValue()) {
        if (i < 0 || i >= width) {
          throw new NeuroLensException("--neurons: index at " + h + " must be in [0, " + width + "), found " + i);
        }
      }
      w.put(h, width);
    }
    return w;
  }

  private static Map<HookName, Intervention> interventions(Map<HookName, int[]> set, Map<HookName, float[]> means) {
    Map<HookName, Intervention> out = new LinkedHashMap<>();
    set.forEach((h, idx) -> {
      if (means == null) {
        out.put(h, Intervention.zero(idx));
      } else {
        float[] v = new float[idx.length];
        for (int i = 0; i < idx.length; i++) {
          v[i] = means.get(h)[idx[i]];
        }
        out.put(h, Intervention.mean(idx, v));
      }
    });
    return out;
  }

  /** Per hook, the mean of every column over all real tokens of the clean pass: hook -> (W). */
  static Map<HookName, float[]> means(EncoderModel model, List<Encoding> encs, java.util.Set<HookName> hooks, int bs) {
    Map<HookName, double[]> sums = new LinkedHashMap<>();
    long n = 0;
    try (NDManager base = NDManager.newBaseManager()) {
      for (int s = 0; s < encs.size(); s += bs) {
        TokenBatch batch = TokenBatch.of(encs.subList(s, Math.min(encs.size(), s + bs)));
        try (NDManager m = base.newSubManager()) {
          Map<HookName, NDArray> cache = model.runWithCache(m, batch, java.util.Set.copyOf(hooks));
          for (HookName h : hooks) {
            float[][][] r = rows(cache.get(h), batch);
            double[] acc = sums.computeIfAbsent(h, k -> new double[r[0][0].length]);
            for (float[][] row : r) {
              for (float[] v : row) {
                for (int j = 0; j < v.length; j++) {
                  acc[j] += v[j];
                }
              }
            }
          }
          n += batch.tokenCount();
        }
      }
    }
    Map<HookName, float[]> out = new LinkedHashMap<>();
    for (Map.Entry<HookName, double[]> e : sums.entrySet()) {
      float[] f = new float[e.getValue().length];
      for (int j = 0; j < f.length; j++) {
        f[j] = (float) (e.getValue()[j] / n);
      }
      out.put(e.getKey(), f);
    }
    return out;
  }

  /** (B, T, W) -> per row its real tokens only: [b][t < len_b][w]. */
  private static float[][][] rows(NDArray a, TokenBatch batch) {
    long[] shape = a.getShape().getShape();
    int t = (int) shape[1];
    int w = (int) shape[2];
    float[] flat = a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
    float[][][] out = new float[batch.size()][][];
    for (int b = 0; b < batch.size(); b++) {
      int len = batch.ids().get(b).length;
      out[b] = new float[len][w];
      for (int i = 0; i < len; i++) {
        System.arraycopy(flat, (b * t + i) * w, out[b][i], 0, w);
      }
    }
    return out;
  }

  /** Sum over masked positions of -log p(original token). */
  private static double nll(EncoderModel model, NDManager m, NDArray hidden, List<Encoding> chunk, List<int[]> pos) {
    NDArray logp = model.maskedLmLogits(m, hidden).logSoftmax(-1);
    long[] shape = logp.getShape().getShape();
    long t = shape[1];
    long v = shape[2];
    List<Long> idx = new ArrayList<>();
    for (int b = 0; b < chunk.size(); b++) {
      int[] ids = chunk.get(b).ids();
      for (int p : pos.get(b)) {
        idx.add((b * t + p) * v + ids[p]);
      }
    }
    if (idx.isEmpty()) {
      return 0;
    }
    long[] flat = idx.stream().mapToLong(Long::longValue).toArray();
    float[] got = logp.flatten().take(m, m.create(flat)).toFloatArray();
    double s = 0;
    for (float g : got) {
      s -= g;
    }
    return s;
  }

  /** Seeded choice of about {@code fraction} of the non-special positions, at least one if any. */
  static int[] maskPositions(boolean[] special, double fraction, Random rnd) {
    List<Integer> cand = new ArrayList<>();
    List<Integer> chosen = new ArrayList<>();
    for (int i = 0; i < special.length; i++) {
      if (!special[i]) {
        cand.add(i);
        if (rnd.nextDouble() < fraction) {
          chosen.add(i);
        }
      }
    }
    if (chosen.isEmpty() && !cand.isEmpty()) {
      chosen.add(cand.get(rnd.nextInt(cand.size())));
    }
    return chosen.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The mask token id, from the tokenizer.json's added tokens ([MASK] or &lt;mask&gt;). */
  static int maskId(EncoderModel model) {
    String json = model.tokenizer().tokenizerJson().orElseThrow(() -> new NeuroLensException(
        model.id() + ": has a masked-LM head but no tokenizer.json to find the mask token"));
    try {
      JsonNode root = Json.MAPPER.readTree(json);
      for (JsonNode n : root.path("added_tokens")) {
        String c = n.path("content").asText();
        if (c.equals("[MASK]") || c.equals("<mask>")) {
          return n.path("id").asInt();
        }
      }
      JsonNode vocab = root.path("model").path("vocab");
      for (String c : new String[] {"[MASK]", "<mask>"}) {
        if (vocab.has(c)) {
          return vocab.get(c).asInt();
        }
      }
    } catch (IOException e) {
      throw new NeuroLensException(model.id() + ": tokenizer.json is not valid JSON (" + NeuroLensException.reason(e) + ")", e);
    }
    throw new NeuroLensException(model.id() + ": tokenizer.json has no [MASK] or <mask> token");
  }

  /** Keeps at most {@code max} tokens: the first max - 1 and the last (the closing special). */
  static Encoding trim(Encoding e, int max) {
    int n = e.length();
    if (n <= max) {
      return e;
    }
    int[] ids = new int[max];
    int[] cs = new int[max];
    int[] ce = new int[max];
    boolean[] sp = new boolean[max];
    int[] oi = e.ids();
    int[] os = e.charStart();
    int[] oe = e.charEnd();
    boolean[] osp = e.special();
    for (int i = 0; i < max; i++) {
      int src = i < max - 1 ? i : n - 1;
      ids[i] = oi[src];
      cs[i] = os[src];
      ce[i] = oe[src];
      sp[i] = osp[src];
    }
    return new Encoding(ids, cs, ce, sp);
  }

  /** {@code k} distinct seeded indices in [0, width). */
  static int[] sample(Random rnd, int width, int k) {
    int[] all = new int[width];
    for (int i = 0; i < width; i++) {
      all[i] = i;
    }
    return Shuffle.sample(all, k, rnd);
  }

  static double cosine(float[] a, float[] b) {
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int i = 0; i < a.length; i++) {
      ab += (double) a[i] * b[i];
      aa += (double) a[i] * a[i];
      bb += (double) b[i] * b[i];
    }
    return aa == 0 || bb == 0 ? 0 : ab / Math.sqrt(aa * bb);
  }
}
