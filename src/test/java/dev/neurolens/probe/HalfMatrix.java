package dev.neurolens.probe;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.activation.Half;

/** Activations held as float16, as a store's view holds them (a test double). */
record HalfMatrix(short[] h, int rows, int cols) implements ActivationMatrix {

  /** {@code values} (rows x cols, row-major) rounded to float16. */
  static HalfMatrix of(float[] values, int rows, int cols) {
    short[] h = new short[values.length];
    for (int i = 0; i < values.length; i++) {
      h[i] = Half.fromFloat(values[i]);
    }
    return new HalfMatrix(h, rows, cols);
  }

  /** All of {@code x} rounded to float16. */
  static HalfMatrix of(ActivationMatrix x) {
    float[] buf = new float[x.rows() * x.cols()];
    x.read(0, x.rows(), buf);
    return of(buf, x.rows(), x.cols());
  }

  @Override
  public void read(int rowStart, int rowCount, float[] dst) {
    for (int i = 0; i < rowCount * cols; i++) {
      dst[i] = Half.toFloat(h[rowStart * cols + i]);
    }
  }

  @Override
  public boolean storesHalf() {
    return true;
  }

  @Override
  public void readRowsHalf(int[] rowIds, short[] dst) {
    for (int i = 0; i < rowIds.length; i++) {
      System.arraycopy(h, rowIds[i] * cols, dst, i * cols, cols);
    }
  }
}
