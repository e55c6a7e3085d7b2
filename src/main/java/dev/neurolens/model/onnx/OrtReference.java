package dev.neurolens.model.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.neurolens.util.NeuroLensException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime running an encoder's ONNX file: the independent reference for parity checks and
 * the baseline of the forward benchmark. Inputs are padded like NeuroLens pads them (pad id,
 * attention mask 0, token types 0).
 *
 * <p>Usage: {@code try (OrtReference ort = OrtReference.create(Models.bundledOnnx(), 2, 0)) {
 * float[] h = ort.lastHidden(List.of(batch.row(0))); }}
 */
public final class OrtReference implements AutoCloseable {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final int padId;

  private OrtReference(OrtEnvironment env, OrtSession session, int padId) {
    this.env = env;
    this.session = session;
    this.padId = padId;
  }

  /** A session over {@code onnx} using {@code threads} intra-op threads (all optimizations on). */
  public static OrtReference create(byte[] onnx, int threads, int padId) {
    try {
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
        opts.setIntraOpNumThreads(threads);
        opts.setInterOpNumThreads(1);
        opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return new OrtReference(env, env.createSession(onnx, opts), padId);
      }
    } catch (OrtException e) {
      throw new NeuroLensException("ONNX Runtime: cannot open the model (" + e.getMessage() + ")", e);
    }
  }

  /** The last hidden state of a padded batch, row-major (B, T, D) with T the longest row. */
  public float[] lastHidden(List<int[]> rows) {
    int b = rows.size();
    int t = rows.stream().mapToInt(r -> r.length).max().orElse(0);
    long[] ids = new long[b * t];
    long[] mask = new long[b * t];
    java.util.Arrays.fill(ids, padId);
    for (int r = 0; r < b; r++) {
      int[] row = rows.get(r);
      for (int j = 0; j < row.length; j++) {
        ids[r * t + j] = row[j];
        mask[r * t + j] = 1;
      }
    }
    long[] shape = {b, t};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      for (String name : session.getInputNames()) {
        long[] data = switch (name) {
          case "input_ids" -> ids;
          case "attention_mask" -> mask;
          case "token_type_ids" -> new long[b * t];
          default -> throw new NeuroLensException("ONNX Runtime: unexpected model input '" + name + "'");
        };
        inputs.put(name, OnnxTensor.createTensor(env, LongBuffer.wrap(data), shape));
      }
      try (OrtSession.Result result = session.run(inputs)) {
        OnnxTensor out = (OnnxTensor) result.get(0);
        FloatBuffer fb = out.getFloatBuffer();
        float[] values = new float[fb.remaining()];
        fb.get(values);
        return values;
      }
    } catch (OrtException e) {
      throw new NeuroLensException("ONNX Runtime: inference failed (" + e.getMessage() + ")", e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("closing the ONNX Runtime session failed", e);
    }
  }
}
