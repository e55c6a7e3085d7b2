package dev.neurolens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.model.graph.FusedAttention;
import dev.neurolens.model.graph.Ops;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Attention over a batch whose scores exceed 16 MB (20 rows x 4 heads x 256 x 256 floats = 21 MB)
 * against a double-precision transcription, for a score bias per row (padding), one shared by all
 * rows (causal), one per head (position bias), and grouped-query heads; by both paths: PyTorch's
 * fused kernel ({@link Ops#attention} at 256 keys) and matMul/softmax/matMul in parts of 4 rows
 * ({@link Ops#unfusedAttention}).
 */
class AttentionPathsTest {
  /** One of the two attention paths. */
  private interface Attend {
    NDArray apply(NDArray q, NDArray k, NDArray v, NDArray bias);
  }

  private static final int B = 20;
  private static final int H = 4;
  private static final int T = 256;
  private static final int DH = 8;
  private static final float NEG = -1e9f;

  private static float[] normal(Random r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }

  /** Row b of a (B, heads, T, DH) array as RefOps wants it: [t][head * DH + e]. */
  private static double[][] tokens(float[] x, int heads, int b) {
    double[][] out = new double[T][heads * DH];
    for (int h = 0; h < heads; h++) {
      for (int t = 0; t < T; t++) {
        for (int e = 0; e < DH; e++) {
          out[t][h * DH + e] = x[((b * heads + h) * T + t) * DH + e];
        }
      }
    }
    return out;
  }

  /** max |got - reference| over the (B, T, H * DH) context. */
  private static double maxDiff(float[] got, float[] q, float[] k, float[] v, int kvHeads, boolean causal,
      double[][][][] bias) {
    double worst = 0;
    for (int b = 0; b < B; b++) {
      double[][] ref = RefOps.attention(tokens(q, H, b), tokens(k, kvHeads, b), tokens(v, kvHeads, b), H, kvHeads, 1,
          causal, bias == null ? null : bias[b]);
      for (int t = 0; t < T; t++) {
        for (int c = 0; c < H * DH; c++) {
          worst = Math.max(worst, Math.abs(got[(b * T + t) * H * DH + c] - ref[t][c]));
        }
      }
    }
    return worst;
  }

  @Test
  void longBatch_fusedAndByRows_equalDoublePrecisionAttention_forEveryKindOfBias() {
    assertTrue((long) B * H * T * T * Float.BYTES > 16L << 20, "scores above the whole-batch limit");
    Random r = new Random(3);
    float[] q = normal(r, B * H * T * DH);
    float[] k = normal(r, B * H * T * DH);
    float[] v = normal(r, B * H * T * DH);
    float[] kg = normal(r, B * 2 * T * DH);
    float[] vg = normal(r, B * 2 * T * DH);
    // padding: row b keeps its first T - 7 b keys
    float[] pad = new float[B * T];
    double[][][][] padRef = new double[B][H][T][T];
    for (int b = 0; b < B; b++) {
      for (int j = T - 7 * b; j < T; j++) {
        pad[b * T + j] = NEG;
        for (int h = 0; h < H; h++) {
          for (int i = 0; i < T; i++) {
            padRef[b][h][i][j] = NEG;
          }
        }
      }
    }
    float[] causal = new float[T * T];
    for (int i = 0; i < T; i++) {
      for (int j = i + 1; j < T; j++) {
        causal[i * T + j] = NEG;
      }
    }
    float[] pos = normal(r, H * T * T);
    double[][][][] posRef = new double[B][H][T][T];
    for (int b = 0; b < B; b++) {
      for (int h = 0; h < H; h++) {
        for (int i = 0; i < T; i++) {
          for (int j = 0; j < T; j++) {
            posRef[b][h][i][j] = pos[(h * T + i) * T + j];
          }
        }
      }
    }
    assertTrue(FusedAttention.active(), FusedAttention.summary());
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray qa = m.create(q, new Shape(B, H, T, DH));
      NDArray ka = m.create(k, new Shape(B, H, T, DH));
      NDArray va = m.create(v, new Shape(B, H, T, DH));
      NDArray kga = m.create(kg, new Shape(B, 2, T, DH));
      NDArray vga = m.create(vg, new Shape(B, 2, T, DH));
      for (boolean fused : new boolean[] {true, false}) {
        String path = fused ? "fused: " : "by rows: ";
        Attend attend = fused ? Ops::attention : Ops::unfusedAttention;
        float[] byPad = attend.apply(qa, ka, va, m.create(pad, new Shape(B, 1, 1, T))).toFloatArray();
        assertEquals(0, maxDiff(byPad, q, k, v, H, false, padRef), 2e-5, path + "padding mask per row");
        float[] byCausal = attend.apply(qa, ka, va, m.create(causal, new Shape(1, 1, T, T))).toFloatArray();
        assertEquals(0, maxDiff(byCausal, q, k, v, H, true, null), 2e-5, path + "causal mask shared by the rows");
        float[] byPos = attend.apply(qa, ka, va, m.create(pos, new Shape(1, H, T, T))).toFloatArray();
        assertEquals(0, maxDiff(byPos, q, k, v, H, false, posRef), 2e-5, path + "position bias per head");
        float[] grouped = attend.apply(qa, kga, vga, null).toFloatArray();
        assertEquals(0, maxDiff(grouped, q, kg, vg, 2, false, null), 2e-5, path + "grouped-query heads");
      }
    }
  }
}
