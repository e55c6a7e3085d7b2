package dev.neurolens.finetune;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.FloatTensor;
import dev.neurolens.model.Models;
import dev.neurolens.model.bert.BertEncoder;
import dev.neurolens.model.bert.TrainableBert;
import dev.neurolens.model.safetensors.Safetensors;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import dev.neurolens.util.ProcStatus;
import dev.neurolens.util.Progress;
import dev.neurolens.util.Shuffle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Fine-tunes a BERT-family encoder on a downstream task with the embeddings and bottom K blocks
 * frozen (Telly-K): AdamW, linear warmup then linear decay, gradient clipping, token-budget
 * batches, early stopping on the dev metric, seeded. After each epoch a checkpoint (trainable
 * weights, head, optimizer moments, learning curve) is written atomically to {@code
 * OUT/checkpoints/epoch-N}; the same call on the same {@code OUT} resumes after the last complete
 * epoch and ends with the same weights as an uninterrupted run. At the end the best epoch's
 * encoder is exported as a Hugging Face directory in {@code OUT} (loadable with
 * {@code --model OUT}), the head as {@code head.safetensors}, and {@code training.json} last.
 *
 * <p>Code search is a bi-encoder: query and code go through the same encoder, pooled, L2
 * normalised; InfoNCE over in-batch negatives (cosine / temperature). Classification: a linear
 * head on the pooled code. Pairs: a linear head on {@code [u, v, |u - v|, u * v]} of the two
 * pooled snippets.
 *
 * <p>Usage: {@code FinetuneResult r = FineTuner.run(model, Datasets.load(task, "default", null, null, Datasets.Sizes.DEFAULT, 42), FinetuneOptions.defaults(), out, System.err::println)}
 */
public final class FineTuner {

  private final EncoderModel model;
  private final Datasets.Dataset data;
  private final FinetuneOptions opt;
  private final Path out;
  private final RunDirectory dir;
  private final Consumer<String> log;
  private final boolean bars;
  private final DownstreamTask.Kind kind;
  private final boolean cls;
  private final List<Item> train;
  private final List<Item> dev;
  private final List<Item> test;
  private final Scorer scorer;

  /** A tokenized example: {@code a}, {@code b} (null for classification), label id (-1 for search). */
  record Item(int[] a, int[] b, int label) {
    int tokens() {
      return a.length + (b == null ? 0 : b.length);
    }
  }

  private FineTuner(EncoderModel model, Datasets.Dataset data, FinetuneOptions opt, Path out, Consumer<String> log,
      boolean bars) {
    this.bars = bars;
    this.model = model;
    this.data = data;
    this.opt = opt;
    this.out = out;
    this.dir = new RunDirectory(out);
    this.log = log;
    this.kind = data.task().kind();
    this.cls = opt.pooling().equals("cls") || (opt.pooling().equals("auto") && model.id().equals(Models.DEFAULT_ID));
    this.train = tokenize(data.train());
    this.dev = tokenize(data.dev());
    this.test = tokenize(data.test());
    this.scorer = new Scorer(kind, cls, opt, bars, data.labels().indexOf("1"));
  }

  /**
   * Trains (or resumes), exports the best weights to {@code out} and returns what
   * {@code training.json} holds.
   *
   * @throws NeuroLensException if {@code out} holds a finished run, unrelated files, or a
   *     checkpoint made with other settings
   */
  public static FinetuneResult run(EncoderModel model, Datasets.Dataset data, FinetuneOptions opt, Path out,
      Consumer<String> log) {
    return run(model, data, opt, out, log, false);
  }

  /** {@link #run(EncoderModel, Datasets.Dataset, FinetuneOptions, Path, Consumer)}, with progress bars on stderr when {@code bars}. */
  public static FinetuneResult run(EncoderModel model, Datasets.Dataset data, FinetuneOptions opt, Path out,
      Consumer<String> log, boolean bars) {
    if (model.tokenizer().tokenizerJson().isEmpty()) {
      throw new NeuroLensException("finetune: the model's tokenizer has no tokenizer.json, so the tuned model could not be exported");
    }
    if (opt.freeze() > model.config().numLayers()) {
      throw new NeuroLensException("--freeze: must be 'none' or 0.." + model.config().numLayers() + " for this "
          + model.config().numLayers() + "-layer model, found " + opt.freeze());
    }
    return new FineTuner(model, data, opt, out, log, bars).train();
  }

  /**
   * Scores the test split of {@code data} with {@code model} as it is (a tuned model reloaded
   * from its directory, or a base model for a zero-shot score) and, for classification and
   * pairs, the head in {@code headFile} ({@code head.safetensors} of a run).
   */
  public static FinetuneResult.Score evaluateTest(EncoderModel model, Datasets.Dataset data, FinetuneOptions opt,
      Path headFile) {
    FineTuner ft = new FineTuner(model, data, opt, Path.of("."), s -> { }, false);
    Map<String, FloatTensor> headValues = headFile == null ? Map.of() : Safetensors.read(headFile);
    int hidden = model.config().hiddenSize();
    int features = ft.kind == DownstreamTask.Kind.PAIRS ? 4 * hidden : hidden;
    if (ft.kind != DownstreamTask.Kind.CODE_SEARCH && headValues.get("head.weight") == null) {
      throw new NeuroLensException("finetune: scoring " + data.task() + " needs the run's head.safetensors");
    }
    try (TrainableBert enc = TrainableBert.of(model, model.config().numLayers(), 0f, Map.of());
        LinearHead head = ft.kind == DownstreamTask.Kind.CODE_SEARCH ? null
            : new LinearHead(data.labels().size(), features, opt.seed(), headValues)) {
      return ft.scorer.evaluate(enc, head, ft.test, "test");
    }
  }

  private List<Item> tokenize(List<Example> examples) {
    Map<String, Integer> labelIds = new LinkedHashMap<>();
    for (String l : data.labels()) {
      labelIds.put(l, labelIds.size());
    }
    List<Item> items = new ArrayList<>(examples.size());
    for (Example e : examples) {
      int la = kind == DownstreamTask.Kind.CODE_SEARCH ? opt.maxQueryLength() : opt.maxLength();
      int[] a = truncate(model.tokenizer().encode(e.a()).ids(), la);
      int[] b = e.b() == null ? null : truncate(model.tokenizer().encode(e.b()).ids(), opt.maxLength());
      items.add(new Item(a, b, e.label() == null ? -1 : labelIds.get(e.label())));
    }
    return items;
  }

  /** The first max-1 ids and the last one (the closing special token), when longer than max. */
  static int[] truncate(int[] ids, int max) {
    if (ids.length <= max) {
      return ids;
    }
    int[] t = Arrays.copyOf(ids, max);
    t[max - 1] = ids[ids.length - 1];
    return t;
  }

  private FinetuneResult train() {
    String fingerprint = fingerprint();
    RunDirectory.CheckpointState resumed = dir.prepare(fingerprint);
    int classes = data.labels().size();
    int hidden = model.config().hiddenSize();
    int features = kind == DownstreamTask.Kind.PAIRS ? 4 * hidden : hidden;
    Map<String, FloatTensor> saved = resumed == null ? Map.of() : Safetensors.read(dir.checkpoint(resumed.epoch()).resolve("state.safetensors"));
    Map<String, FloatTensor> encSaved = new TreeMap<>();
    Map<String, FloatTensor> headSaved = new TreeMap<>();
    for (Map.Entry<String, FloatTensor> e : saved.entrySet()) {
      if (e.getKey().startsWith("head.")) {
        headSaved.put(e.getKey(), e.getValue());
      } else if (!e.getKey().startsWith("adam.")) {
        encSaved.put(e.getKey(), e.getValue());
      }
    }
    try (TrainableBert enc = TrainableBert.of(model, opt.freeze(), opt.dropout(), encSaved);
        LinearHead head = kind == DownstreamTask.Kind.CODE_SEARCH ? null : new LinearHead(classes, features, opt.seed(), headSaved);
        AdamW adam = new AdamW(opt.weightDecay());
        NDManager base = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
      for (Map.Entry<String, NDArray> e : enc.trainable().entrySet()) {
        adam.add(e.getKey(), e.getValue(), 1f);
      }
      if (head != null) {
        head.params.forEach((n, a) -> adam.add(n, a, opt.headLr() / opt.lr()));
      }
      long headParams = head == null ? 0 : head.count();
      long trainable = enc.trainableCount() + headParams;
      long total = enc.totalCount() + headParams;
      log.accept(String.format("finetune %s, freeze %s: %,d of %,d parameters trainable (%.1f%%); %s; %s pooling",
          data.task(), TrainableBert.describeFreeze(opt.freeze()), trainable, total, 100.0 * trainable / total,
          data.describe(), cls ? "cls" : "mean"));
      List<FinetuneResult.Epoch> curve = new ArrayList<>();
      int startEpoch = 0;
      int bestEpoch = 0;
      double bestDev = Double.NEGATIVE_INFINITY;
      int sinceBest = 0;
      FinetuneResult.Score zeroShot = null;
      if (resumed != null) {
        adam.load(saved, resumed.steps());
        curve.addAll(resumed.curve());
        startEpoch = resumed.epoch();
        bestEpoch = resumed.bestEpoch();
        bestDev = resumed.bestDev();
        sinceBest = resumed.sinceBest();
        zeroShot = resumed.zeroShot();
        log.accept("finetune: resuming " + out + " after epoch " + startEpoch + " (step " + resumed.steps() + ")");
      } else if (kind == DownstreamTask.Kind.CODE_SEARCH) {
        zeroShot = scorer.evaluate(enc, head, test, "zero-shot test");
        log.accept(String.format("finetune: zero-shot test %s %.4f", zeroShot.metric(), zeroShot.value()));
      }
      saved = null;
      int stepsPerEpoch = batches(train, 1).size();
      long totalSteps = (long) stepsPerEpoch * opt.epochs();
      boolean stopped = false;
      for (int epoch = startEpoch + 1; epoch <= opt.epochs() && sinceBest < opt.patience(); epoch++) {
        Engine.getEngine("PyTorch").setRandomSeed((int) (opt.seed() * 1_000_003L + epoch));
        List<List<Item>> batches = batches(train, epoch);
        double lossSum = 0;
        long tokens = 0;
        long t0 = System.nanoTime();
        int done = 0;
        try (Progress bar = bars ? Progress.start("epoch " + epoch + "/" + opt.epochs(), batches.size(), "batches") : Progress.silent()) {
          for (List<Item> batch : batches) {
            long step = adam.steps() + 1;
            float lr = learningRate(step, totalSteps);
            float loss;
            try (NDManager m = base.newSubManager()) {
              try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray l = loss(m, enc, head, batch);
                gc.backward(l);
                loss = l.getFloat();
              }
              adam.step(lr, opt.maxGradNorm());
            }
            if (!Float.isFinite(loss)) {
              throw new NeuroLensException("finetune: the loss became " + loss + " at step " + step + " (epoch " + epoch
                  + "); lower --lr (now " + opt.lr() + ")");
            }
            lossSum += loss;
            for (Item it : batch) {
              tokens += it.tokens();
            }
            done++;
            double secs = (System.nanoTime() - t0) / 1e9;
            bar.step(1);
            bar.extraMessage(String.format("loss %.3f, %,.0f tok/s", lossSum / done, tokens / secs));
          }
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        long e0 = System.nanoTime();
        FinetuneResult.Score devScore = scorer.evaluate(enc, head, dev, "dev");
        double evalSeconds = (System.nanoTime() - e0) / 1e9;
        curve.add(new FinetuneResult.Epoch(epoch, lossSum / batches.size(), devScore, trainSeconds, evalSeconds,
            tokens / trainSeconds, batches.size()));
        if (devScore.value() > bestDev) {
          bestDev = devScore.value();
          bestEpoch = epoch;
          sinceBest = 0;
        } else {
          sinceBest++;
        }
        log.accept(String.format("epoch %d: train loss %.4f, dev %s %.4f%s, %.1f s (%,.0f tok/s)", epoch,
            lossSum / batches.size(), devScore.metric(), devScore.value(), bestEpoch == epoch ? " (best)" : "",
            trainSeconds, tokens / trainSeconds));
        Map<String, FloatTensor> state = new LinkedHashMap<>(enc.trainableValues());
        if (head != null) {
          state.putAll(head.values());
        }
        state.putAll(adam.state());
        dir.save(new RunDirectory.CheckpointState(fingerprint, epoch, adam.steps(), bestEpoch, bestDev, sinceBest, curve,
            zeroShot), state);
        if (sinceBest >= opt.patience() && epoch < opt.epochs()) {
          stopped = true;
          log.accept("finetune: no better dev score for " + sinceBest + " epochs; stopping early (best epoch " + bestEpoch + ")");
        }
      }
      int lastEpoch = curve.get(curve.size() - 1).epoch();
      return finish(enc, head, curve, bestEpoch, lastEpoch, stopped, zeroShot, trainable, total, headParams,
          resumed == null ? 0 : resumed.epoch());
    }
  }

  private FinetuneResult finish(TrainableBert enc, LinearHead head, List<FinetuneResult.Epoch> curve, int bestEpoch,
      int lastEpoch, boolean stopped, FinetuneResult.Score zeroShot, long trainable, long total, long headParams,
      int resumedFrom) {
    Map<String, FloatTensor> weights;
    FinetuneResult.Score testScore;
    Map<String, FloatTensor> headValues = head == null ? Map.of() : head.values();
    if (bestEpoch == lastEpoch) {
      weights = enc.weights();
      testScore = scorer.evaluate(enc, head, test, "test");
    } else {
      Map<String, FloatTensor> saved = Safetensors.read(dir.checkpoint(bestEpoch).resolve("state.safetensors"));
      Map<String, FloatTensor> encBest = new TreeMap<>();
      Map<String, FloatTensor> headBest = new TreeMap<>();
      saved.forEach((k, v) -> {
        if (k.startsWith("head.")) {
          headBest.put(k, v);
        } else if (!k.startsWith("adam.")) {
          encBest.put(k, v);
        }
      });
      try (TrainableBert best = TrainableBert.of(model, opt.freeze(), 0f, encBest);
          LinearHead bestHead = head == null ? null : new LinearHead(head.classes, head.features, opt.seed(), headBest)) {
        weights = best.weights();
        testScore = scorer.evaluate(best, bestHead, test, "test");
        headValues = bestHead == null ? Map.of() : bestHead.values();
      }
    }
    Models.export(model.config(), weights, enc.hasMaskedLmHead(), model.tokenizer().tokenizerJson().orElseThrow(), out);
    if (!headValues.isEmpty()) {
      Safetensors.write(out.resolve("head.safetensors"), headValues);
    }
    double trainSecs = curve.stream().mapToDouble(FinetuneResult.Epoch::trainSeconds).sum();
    double toBest = curve.stream().filter(e -> e.epoch() <= bestEpoch).mapToDouble(FinetuneResult.Epoch::trainSeconds).sum();
    long trainTokens = train.stream().mapToLong(Item::tokens).sum();
    FinetuneResult.Score devBest = curve.stream().filter(e -> e.epoch() == bestEpoch).findFirst().orElseThrow().dev();
    FinetuneResult result = new FinetuneResult(FinetuneResult.SCHEMA_VERSION, model.id(), model.weightChecksum(),
        data.task().toString(),
        new FinetuneResult.DataInfo(data.source(), data.train().size(), data.dev().size(), data.test().size(),
            data.available(), data.labels(), trainTokens),
        opt, cls ? "cls" : "mean", TrainableBert.describeFreeze(opt.freeze()), trainable, total, headParams,
        curve.size(), bestEpoch, stopped, curve, trainSecs / curve.size(), toBest, zeroShot, devBest, testScore,
        ProcStatus.bytes("VmHWM"), BertEncoder.checksumOf(weights), out.toAbsolutePath().toString(), resumedFrom);
    Json.writeAtomically(out.resolve(RunDirectory.TRAINING_JSON), result);
    RunDirectory.deleteTree(out.resolve(RunDirectory.CHECKPOINTS));
    log.accept(String.format("finetune: test %s %.4f (best epoch %d); model in %s", testScore.metric(), testScore.value(),
        bestEpoch, out));
    return result;
  }

  private float learningRate(long step, long totalSteps) {
    long warm = Math.max(1, Math.round(opt.warmup() * totalSteps));
    if (opt.warmup() > 0 && step <= warm) {
      return opt.lr() * step / warm;
    }
    long rest = Math.max(1, totalSteps - (opt.warmup() > 0 ? warm : 0));
    long done = step - (opt.warmup() > 0 ? warm : 0);
    return (float) (opt.lr() * Math.max(0.0, 1.0 - (double) done / rest));
  }

  /**
   * Batches of one epoch: a seeded shuffle, windows of 64 batches sorted by length (less
   * padding), cut when the next example would exceed the rows or padded-token budget; batch
   * order shuffled again.
   */
  List<List<Item>> batches(List<Item> items, int epoch) {
    Random r = new Random(opt.seed() * 1_000_003L + epoch);
    int[] order = Shuffle.permutation(items.size(), r);
    List<List<Item>> out = new ArrayList<>();
    int window = 64 * opt.batchSize();
    for (int w = 0; w < order.length; w += window) {
      List<Item> chunk = new ArrayList<>();
      for (int k = w; k < Math.min(order.length, w + window); k++) {
        chunk.add(items.get(order[k]));
      }
      chunk.sort(Comparator.comparingInt(Item::tokens));
      List<Item> cur = new ArrayList<>();
      int maxA = 0;
      int maxB = 0;
      for (Item it : chunk) {
        int na = Math.max(maxA, it.a().length);
        int nb = Math.max(maxB, it.b() == null ? 0 : it.b().length);
        if (!cur.isEmpty() && (cur.size() >= opt.batchSize() || (long) (cur.size() + 1) * (na + nb) > opt.batchTokens())) {
          out.add(cur);
          cur = new ArrayList<>();
          na = it.a().length;
          nb = it.b() == null ? 0 : it.b().length;
        }
        cur.add(it);
        maxA = na;
        maxB = nb;
      }
      if (!cur.isEmpty()) {
        out.add(cur);
      }
    }
    Shuffle.inPlace(out, r);
    return out;
  }

  /** The training loss of one batch (under the caller's gradient collector). */
  NDArray loss(NDManager m, TrainableBert enc, LinearHead head, List<Item> batch) {
    List<int[]> a = batch.stream().map(Item::a).toList();
    int[] labels = batch.stream().mapToInt(Item::label).toArray();
    switch (kind) {
      case CODE_SEARCH: {
        NDArray q = Losses.l2Normalize(scorer.pooled(m, enc, a, true));
        NDArray c = Losses.l2Normalize(scorer.pooled(m, enc, batch.stream().map(Item::b).toList(), true));
        return Losses.infoNce(q, c, opt.temperature());
      }
      case CLASSIFY:
        return Losses.crossEntropy(head.logits(scorer.pooled(m, enc, a, true)), labels);
      default: {
        List<int[]> both = new ArrayList<>(a);
        both.addAll(batch.stream().map(Item::b).toList());
        NDArray x = scorer.pooled(m, enc, both, true);
        int n = batch.size();
        NDArray u = x.get(new NDIndex("0:{}", n));
        NDArray v = x.get(new NDIndex("{}:", n));
        return Losses.crossEntropy(head.logits(Scorer.pairFeatures(u, v)), labels);
      }
    }
  }

  /** Everything the trained weights depend on: model, data, settings. */
  private String fingerprint() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update((model.weightChecksum() + "\n" + data.task() + "\n" + Json.line(opt) + "\n").getBytes(StandardCharsets.UTF_8));
      for (List<Example> part : List.of(data.train(), data.dev(), data.test())) {
        for (Example e : part) {
          md.update((e.id() + "\0" + e.a() + "\0" + e.b() + "\0" + e.label() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        md.update((byte) 1);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
