package dev.neurolens.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.model.FloatTensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** A linear head: logits = x W^T + b over {@code features} inputs, N(0, 0.02^2) init (seeded), zero bias. */
final class LinearHead implements AutoCloseable {
  final int classes;
  final int features;
  final Map<String, NDArray> params = new LinkedHashMap<>();
  private final NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch");

  LinearHead(int classes, int features, long seed, Map<String, FloatTensor> saved) {
    this.classes = classes;
    this.features = features;
    Random r = new Random(seed ^ 0x5DEECE66DL);
    float[] w = new float[classes * features];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (r.nextGaussian() * 0.02);
    }
    FloatTensor sw = saved.get("head.weight");
    FloatTensor sb = saved.get("head.bias");
    NDArray weight = manager.create(sw != null ? sw.data() : w, new Shape(classes, features));
    NDArray bias = manager.create(sb != null ? sb.data() : new float[classes], new Shape(classes));
    weight.setRequiresGradient(true);
    bias.setRequiresGradient(true);
    params.put("head.weight", weight);
    params.put("head.bias", bias);
  }

  /** (B, features) -> (B, classes); temporaries live in {@code x}'s manager. */
  NDArray logits(NDArray x) {
    NDArray wt = params.get("head.weight").transpose();
    wt.attach(x.getManager());
    return x.matMul(wt).add(params.get("head.bias"));
  }

  long count() {
    return (long) classes * features + classes;
  }

  Map<String, FloatTensor> values() {
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    params.forEach((n, a) -> out.put(n, new FloatTensor(a.getShape().getShape(), a.toFloatArray())));
    return out;
  }

  /** Arg-max class of each feature row (double precision). */
  int[] predict(float[][] feats) {
    float[] w = params.get("head.weight").toFloatArray();
    float[] b = params.get("head.bias").toFloatArray();
    int[] out = new int[feats.length];
    for (int i = 0; i < feats.length; i++) {
      double best = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        double s = b[c];
        for (int j = 0; j < features; j++) {
          s += (double) w[c * features + j] * feats[i][j];
        }
        if (s > best) {
          best = s;
          out[i] = c;
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    manager.close();
  }
}
