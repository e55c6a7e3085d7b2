package dev.neurolens.probe;

import dev.neurolens.util.NeuroLensException;

/**
 * Hyper-parameters of probe training; defaults are those of ALGORITHMS.md section 2 (Adam,
 * lr 0.001, 10 epochs, lambda1 = lambda2 = 1e-5, batch 128, no standardisation, no balancing).
 *
 * <p>Usage: {@code ProbeOptions o = ProbeOptions.builder().optEpochs(20).optLambda1(1e-4).optSeed(7).build()}
 *
 * @param epochs passes over the training rows, >= 1
 * @param learningRate Adam step size, > 0
 * @param lambda1 weight of the L1 penalty sum|W|, >= 0
 * @param lambda2 weight of the L2 <em>norm</em> ||W||_2 (not squared), >= 0
 * @param batchSize minibatch size B, >= 1
 * @param seed seeds the weight initialisation, minibatch shuffling and balancing
 * @param standardize z-score every feature with the training mean/std before training
 * @param balance undersample every class to the size of the smallest kept class (seeded)
 * @param smallClasses what to do with a class that has fewer than 2 training rows
 * @param maxInMemoryBytes training rows up to this size are copied once into one tensor; larger
 *     data are streamed in chunks
 * @param layout optional layer layout, used to name the layer in error messages (may be null)
 */
public record ProbeOptions(
    int epochs,
    double learningRate,
    double lambda1,
    double lambda2,
    int batchSize,
    long seed,
    boolean standardize,
    boolean balance,
    SmallClassPolicy smallClasses,
    long maxInMemoryBytes,
    LayerLayout layout) {

  /** Policy for a class with fewer than 2 training examples. */
  public enum SmallClassPolicy {
    /** Drop the class (its rows are not trained on; it is never predicted) and record a warning. */
    DROP_WITH_WARNING,
    /** Fail with a {@link NeuroLensException}. */
    ERROR
  }

  public ProbeOptions {
    check(epochs >= 1, "epochs must be >= 1, found " + epochs);
    check(learningRate > 0 && Double.isFinite(learningRate), "learning rate must be > 0, found " + learningRate);
    check(lambda1 >= 0, "lambda1 must be >= 0, found " + lambda1);
    check(lambda2 >= 0, "lambda2 must be >= 0, found " + lambda2);
    check(batchSize >= 1, "batch size must be >= 1, found " + batchSize);
    check(maxInMemoryBytes >= 0, "maxInMemoryBytes must be >= 0, found " + maxInMemoryBytes);
    if (smallClasses == null) {
      smallClasses = SmallClassPolicy.DROP_WITH_WARNING;
    }
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new NeuroLensException("probe options: " + message);
    }
  }

  /** The defaults of ALGORITHMS.md with seed 42. */
  public static ProbeOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this record's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.epochs = epochs;
    b.learningRate = learningRate;
    b.lambda1 = lambda1;
    b.lambda2 = lambda2;
    b.batchSize = batchSize;
    b.seed = seed;
    b.standardize = standardize;
    b.balance = balance;
    b.smallClasses = smallClasses;
    b.maxInMemoryBytes = maxInMemoryBytes;
    b.layout = layout;
    return b;
  }

  /** Builder with {@code optX} setters; validation happens in {@link #build()}. */
  public static final class Builder {
    private int epochs = 10;
    private double learningRate = 1e-3;
    private double lambda1 = 1e-5;
    private double lambda2 = 1e-5;
    private int batchSize = 128;
    private long seed = 42;
    private boolean standardize;
    private boolean balance;
    private SmallClassPolicy smallClasses = SmallClassPolicy.DROP_WITH_WARNING;
    private long maxInMemoryBytes = 2L << 30;
    private LayerLayout layout;

    private Builder() {}

    public Builder optEpochs(int v) {
      epochs = v;
      return this;
    }

    public Builder optLearningRate(double v) {
      learningRate = v;
      return this;
    }

    public Builder optLambda1(double v) {
      lambda1 = v;
      return this;
    }

    public Builder optLambda2(double v) {
      lambda2 = v;
      return this;
    }

    public Builder optBatchSize(int v) {
      batchSize = v;
      return this;
    }

    public Builder optSeed(long v) {
      seed = v;
      return this;
    }

    public Builder optStandardize(boolean v) {
      standardize = v;
      return this;
    }

    public Builder optBalance(boolean v) {
      balance = v;
      return this;
    }

    public Builder optSmallClasses(SmallClassPolicy v) {
      smallClasses = v;
      return this;
    }

    public Builder optMaxInMemoryBytes(long v) {
      maxInMemoryBytes = v;
      return this;
    }

    public Builder optLayout(LayerLayout v) {
      layout = v;
      return this;
    }

    public ProbeOptions build() {
      return new ProbeOptions(
          epochs, learningRate, lambda1, lambda2, batchSize, seed, standardize, balance,
          smallClasses, maxInMemoryBytes, layout);
    }
  }
}
