package dev.neurolens.model;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Settings of the PyTorch engine under DJL that NeuroLens exposes (thread counts).
 *
 * <p>Usage: {@code Torch.setThreads(2); int n = Torch.threads()}
 */
public final class Torch {
  private Torch() {}

  /**
   * Uses {@code threads} intra-op threads for tensor operations (and, when PyTorch still allows
   * it, as many inter-op threads).
   */
  public static void setThreads(int threads) {
    if (threads < 1) {
      throw new dev.neurolens.util.NeuroLensException("--threads must be >= 1, found " + threads);
    }
    ai.djl.engine.Engine.getEngine("PyTorch"); // loads the native library
    JniUtils.setNumThreads(threads);
    try {
      if (JniUtils.getNumInteropThreads() != threads) {
        JniUtils.setNumInteropThreads(threads);
      }
    } catch (RuntimeException e) {
      // PyTorch refuses once parallel work has started; intra-op threads are what matter here.
    }
  }

  /**
   * Runs {@code work} with {@code threads} intra-op threads and restores the previous count
   * afterwards (also when it throws). Probe training uses one thread: its minibatch products are
   * small, so a second thread gains nothing on two cores, and waiting for a descheduled partner
   * makes it several times slower when other work shares the machine.
   */
  public static <T> T withThreads(int threads, java.util.function.Supplier<T> work) {
    if (threads < 1) {
      throw new dev.neurolens.util.NeuroLensException("--threads must be >= 1, found " + threads);
    }
    int before = threads();
    JniUtils.setNumThreads(threads);
    try {
      return work.get();
    } finally {
      JniUtils.setNumThreads(before);
    }
  }

  /**
   * Sets the intra-op thread count only: for the calling thread's next operations (OpenMP and
   * oneMKL keep the count per thread) and as the count that threads which have not run an
   * operation yet start with.
   */
  public static void setIntraOpThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("intra-op threads must be >= 1, found " + threads);
    }
    ai.djl.engine.Engine.getEngine("PyTorch");
    JniUtils.setNumThreads(threads);
  }

  /** The intra-op thread count in use. */
  public static int threads() {
    ai.djl.engine.Engine.getEngine("PyTorch");
    return JniUtils.getNumThreads();
  }
}
