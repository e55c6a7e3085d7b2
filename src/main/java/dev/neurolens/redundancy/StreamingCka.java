package dev.neurolens.redundancy;

/**
 * Linear CKA between two sets of D-dimensional vectors given one pair at a time (the same token
 * under two conditions, e.g. clean and ablated), in O(D^2) memory: centred cross-products are
 * accumulated in double precision and the value is {@link LayerSimilarity}'s
 * ||C_xy||^2 / (||C_xx|| ||C_yy||) (Frobenius norms of the centred (cross-)covariances).
 *
 * <p>Usage: {@code StreamingCka c = new StreamingCka(d); c.add(clean, ablated); double v = c.value();}
 */
public final class StreamingCka {
  private final int d;
  private final double[] xx;
  private final double[] yy;
  private final double[] xy;
  private final double[] sx;
  private final double[] sy;
  private long n;

  /** An empty accumulator for vectors of {@code d} components. */
  public StreamingCka(int d) {
    if (d < 1) {
      throw new IllegalArgumentException("CKA: vectors need at least one component, found " + d);
    }
    this.d = d;
    xx = new double[d * d];
    yy = new double[d * d];
    xy = new double[d * d];
    sx = new double[d];
    sy = new double[d];
  }

  /** Adds one pair (both of length d). */
  public void add(float[] x, float[] y) {
    if (x.length != d || y.length != d) {
      throw new IllegalArgumentException("CKA: vectors of " + d + " components, found " + x.length + " and " + y.length);
    }
    for (int i = 0; i < d; i++) {
      double xi = x[i];
      double yi = y[i];
      sx[i] += xi;
      sy[i] += yi;
      int r = i * d;
      for (int j = 0; j < d; j++) {
        xx[r + j] += xi * x[j];
        yy[r + j] += yi * y[j];
        xy[r + j] += xi * y[j];
      }
    }
    n++;
  }

  /** Pairs added so far. */
  public long count() {
    return n;
  }

  /** The CKA in [0, 1]; 0 with fewer than 2 pairs or when either side has no variance. */
  public double value() {
    if (n < 2) {
      return 0;
    }
    double hxy = 0;
    double hxx = 0;
    double hyy = 0;
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        double cxy = xy[i * d + j] - sx[i] * sy[j] / n;
        double cxx = xx[i * d + j] - sx[i] * sx[j] / n;
        double cyy = yy[i * d + j] - sy[i] * sy[j] / n;
        hxy += cxy * cxy;
        hxx += cxx * cxx;
        hyy += cyy * cyy;
      }
    }
    return LayerSimilarity.cka(Math.sqrt(hxy), Math.sqrt(hxx), Math.sqrt(hyy));
  }
}
