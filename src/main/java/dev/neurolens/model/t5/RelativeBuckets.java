package dev.neurolens.model.t5;

/**
 * T5's bidirectional relative-position buckets. Half the buckets serve keys after the query
 * (relative position {@code key - query > 0}), half the others; within a half, distances below
 * {@code numBuckets / 4} get a bucket each, larger ones share logarithmically wider buckets up
 * to {@code maxDistance}, beyond which all fall into the last bucket. The logarithm is taken in
 * float32, step by step as Hugging Face's modeling_t5 does, so bucket edges agree with it.
 */
public final class RelativeBuckets {
  private RelativeBuckets() {}

  /** The bucket of relative position {@code key - query}. */
  public static int bucket(int relativePosition, int numBuckets, int maxDistance) {
    int half = numBuckets / 2;
    int base = relativePosition > 0 ? half : 0;
    int n = Math.abs(relativePosition);
    int maxExact = half / 2;
    if (n < maxExact) {
      return base + n;
    }
    float logRatio = (float) Math.log((float) n / maxExact);
    float scaled = logRatio / (float) Math.log((double) maxDistance / maxExact) * (float) (half - maxExact);
    return base + Math.min(maxExact + (int) scaled, half - 1);
  }

  /** Buckets of every (query i, key j) of a T-token input, row-major (T, T). */
  static long[] table(int t, int numBuckets, int maxDistance) {
    long[] out = new long[t * t];
    for (int i = 0; i < t; i++) {
      for (int j = 0; j < t; j++) {
        out[i * t + j] = bucket(j - i, numBuckets, maxDistance);
      }
    }
    return out;
  }
}
