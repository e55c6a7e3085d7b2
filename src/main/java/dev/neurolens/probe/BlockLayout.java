package dev.neurolens.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Where each probe's weights and outputs sit. A probe that reads every block ("full": the
 * oracle, or any probe of a one-block matrix) is a row block of the (Kf, F) weights, used in
 * plain (n, F) products; a probe that reads some blocks has, on each of them, a row block of the
 * (L, Kb, D) weights, used in batched products (Kb = the most outputs a block has; the others
 * are padded with rows whose weights stay 0). All weights are one flat array: the (Kf, F) part,
 * then the (L, Kb, D) part.
 */
final class BlockLayout {
  /** Up to this many full outputs, the product is taken as W X^T (measured faster for thin W). */
  private static final int THIN = 16;
  final int blocks;
  final int width;
  final int[] classes;
  final int[] first;
  final int[] last;
  final boolean[] full;
  /** Full probe p: its first row in the (Kf, F) weights. */
  final int[] fullOffset;
  /** Partial probe p: its first row among block l's Kb rows. */
  final int[][] offset;
  final int kf;
  final int kb;

  BlockLayout(int blocks, int width, int[] classes, int[] first, int[] last) {
    this.blocks = blocks;
    this.width = width;
    this.classes = classes;
    this.first = first;
    this.last = last;
    int probes = classes.length;
    full = new boolean[probes];
    fullOffset = new int[probes];
    offset = new int[probes][blocks];
    int[] k = new int[blocks];
    int f = 0;
    for (int p = 0; p < probes; p++) {
      full[p] = first[p] == 0 && last[p] == blocks - 1;
      if (full[p]) {
        fullOffset[p] = f;
        f += classes[p];
        continue;
      }
      for (int l = first[p]; l <= last[p]; l++) {
        offset[p][l] = k[l];
        k[l] += classes[p];
      }
    }
    kf = f;
    kb = Arrays.stream(k).max().orElse(0);
  }

  int features() {
    return blocks * width;
  }

  /** Length of the flat weight array. */
  int size() {
    return kf * features() + blocks * kb * width;
  }

  boolean thin() {
    return kf <= THIN;
  }

  /** The contiguous runs {from, length} of probe p's weights in the flat array. */
  int[][] segments(int p) {
    if (full[p]) {
      return new int[][] {{fullOffset[p] * features(), classes[p] * features()}};
    }
    int[][] out = new int[last[p] - first[p] + 1][];
    for (int l = first[p]; l <= last[p]; l++) {
      out[l - first[p]] = new int[] {at(p, 0, l), classes[p] * width};
    }
    return out;
  }

  /** Index in the flat array of partial probe p's class c, block l, feature 0. */
  private int at(int p, int c, int l) {
    return kf * features() + (l * kb + offset[p][l] + c) * width;
  }

  /** Writes probe p's weight row of class c (its features in order) into the flat array. */
  void scatter(int p, int c, float[] row, float[] big) {
    if (full[p]) {
      System.arraycopy(row, 0, big, (fullOffset[p] + c) * features(), features());
      return;
    }
    for (int l = first[p]; l <= last[p]; l++) {
      System.arraycopy(row, (l - first[p]) * width, big, at(p, c, l), width);
    }
  }

  /** Reads probe p's weight row of class c out of the flat array. */
  float[] gather(int p, int c, float[] big) {
    if (full[p]) {
      return Arrays.copyOfRange(big, (fullOffset[p] + c) * features(), (fullOffset[p] + c + 1) * features());
    }
    float[] row = new float[(last[p] - first[p] + 1) * width];
    for (int l = first[p]; l <= last[p]; l++) {
      System.arraycopy(big, at(p, c, l), row, (l - first[p]) * width, width);
    }
    return row;
  }

  /**
   * Runs the forward products of a minibatch {@code xb} (n, F) with the weights {@code w} into
   * {@code sf} and {@code sb} (arrays reused across minibatches); the result gives every probe's
   * scores.
   */
  Forward forward(NDArray xb, int n, Weights w, float[] sf, float[] sb) {
    if (kf > 0) {
      Tensors.read(thin() ? w.full.matMul(xb.transpose()) : xb.matMul(w.full.transpose()), sf, 0);
    }
    if (kb > 0) {
      Tensors.read(xb.reshape(n, blocks, width).transpose(1, 0, 2).matMul(w.blocksT), sb, 0);
    }
    return new Forward(this, n, sf, sb);
  }

  /**
   * The gradient of every weight for the score gradients {@code gf} (full probes: (n, Kf), or
   * (Kf, n) when thin) and {@code gb} ((L, n, Kb)), written into {@code out}.
   */
  void backward(NDManager sub, NDArray xb, int n, float[] gf, float[] gb, float[] out) {
    if (kf > 0) {
      NDArray g = sub.create(thin() ? new Shape(kf, n) : new Shape(n, kf));
      Tensors.write(g, gf, 0);
      Tensors.read((thin() ? g : g.transpose()).matMul(xb), out, 0); // (Kf, n) x (n, F) -> (Kf, F)
    }
    if (kb > 0) {
      NDArray x3 = xb.reshape(n, blocks, width).transpose(1, 0, 2);
      NDArray g = sub.create(new Shape(blocks, n, kb));
      Tensors.write(g, gb, 0);
      // (L, Kb, n) x (L, n, D) -> (L, Kb, D)
      Tensors.read(g.transpose(0, 2, 1).matMul(x3), out, kf * features());
    }
  }

  /**
   * The per-step arrays of a pass, allocated once for the largest minibatch (megabytes each with
   * many probes: allocated per step, they made the JVM grow its heap by a gigabyte).
   */
  static final class Buffers {
    final float[] sf;
    final float[] sb;
    final float[] gf;
    final float[] gb;
    private int lastN = -1;

    Buffers(BlockLayout lay, int batch) {
      sf = new float[lay.kf * batch];
      sb = new float[lay.blocks * batch * lay.kb];
      gf = new float[lay.kf * batch];
      gb = new float[lay.blocks * batch * lay.kb];
    }

    /**
     * Gets gb ready for a minibatch of n rows: its padding entries (outputs no probe of a block
     * owns) must be 0, and they move when n changes.
     */
    void startStep(int n) {
      if (n != lastN) {
        Arrays.fill(gb, 0f);
        lastN = n;
      }
    }
  }

  /** The weight tensors of one step: (Kf, F) and the (L, D, Kb) view of (L, Kb, D). */
  record Weights(NDArray full, NDArray blocks, NDArray blocksT) {

    static Weights create(NDManager manager, BlockLayout lay) {
      NDArray f = lay.kf > 0 ? manager.create(new Shape(lay.kf, lay.features())) : null;
      NDArray b = lay.kb > 0 ? manager.create(new Shape(lay.blocks, lay.kb, lay.width)) : null;
      return new Weights(f, b, b == null ? null : b.transpose(0, 2, 1));
    }

    /** Lends the tensors to {@code sub} until it closes (the products' results belong to it). */
    void attachTo(NDManager sub) {
      for (NDArray a : new NDArray[] {full, blocks, blocksT}) {
        if (a != null) {
          sub.tempAttachAll(a);
        }
      }
    }

    /** Copies the flat weights into the tensors. */
    void load(BlockLayout lay, float[] big) {
      if (full != null) {
        Tensors.write(full, big, 0);
      }
      if (blocks != null) {
        Tensors.write(blocks, big, lay.kf * lay.features());
      }
    }
  }

  /** The forward products of one minibatch of n rows. */
  record Forward(BlockLayout lay, int n, float[] sf, float[] sb) {

    /**
     * Probe p's (n, C) scores, row-major, into {@code out}: its bias plus its partial scores of
     * each block, added in block order.
     */
    void scores(int p, float[] bias, float[] out) {
      int c = lay.classes[p];
      for (int i = 0; i < n; i++) {
        System.arraycopy(bias, 0, out, i * c, c);
      }
      if (lay.full[p]) {
        int off = lay.fullOffset[p];
        if (lay.thin()) { // (Kf, n)
          for (int q = 0; q < c; q++) {
            int base = (off + q) * n;
            for (int i = 0; i < n; i++) {
              out[i * c + q] += sf[base + i];
            }
          }
        } else { // (n, Kf)
          for (int i = 0; i < n; i++) {
            int base = i * lay.kf + off;
            for (int q = 0; q < c; q++) {
              out[i * c + q] += sf[base + q];
            }
          }
        }
        return;
      }
      for (int l = lay.first[p]; l <= lay.last[p]; l++) {
        int off = lay.offset[p][l];
        for (int i = 0; i < n; i++) {
          int base = (l * n + i) * lay.kb + off;
          for (int q = 0; q < c; q++) {
            out[i * c + q] += sb[base + q];
          }
        }
      }
    }

    /** Puts probe p's (n, C) score gradients where the backward products read them: gf or gb. */
    void gradients(int p, float[] gs, float[] gf, float[] gb) {
      int c = lay.classes[p];
      if (lay.full[p]) {
        int off = lay.fullOffset[p];
        if (lay.thin()) {
          for (int q = 0; q < c; q++) {
            int base = (off + q) * n;
            for (int i = 0; i < n; i++) {
              gf[base + i] = gs[i * c + q];
            }
          }
        } else {
          for (int i = 0; i < n; i++) {
            System.arraycopy(gs, i * c, gf, i * lay.kf + off, c);
          }
        }
        return;
      }
      for (int l = lay.first[p]; l <= lay.last[p]; l++) {
        int off = lay.offset[p][l];
        for (int i = 0; i < n; i++) {
          System.arraycopy(gs, i * c, gb, (l * n + i) * lay.kb + off, c);
        }
      }
    }
  }
}
