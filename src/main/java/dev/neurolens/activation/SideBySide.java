package dev.neurolens.activation;

import dev.neurolens.model.Torch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Runs a few workers side by side, each with its own PyTorch intra-op thread count: the
 * caller's thread and threads of a pool kept for the JVM's life.
 *
 * <p>Usage: {@code SideBySide.run(2, 1, stop -> { while (!stop.getAsBoolean() && more()) next(); })}
 */
final class SideBySide {
  /**
   * The threads beside the caller's (one per further core), kept for the JVM's life: a thread
   * made afresh each time would build its native per-thread state again (a cached pool does that
   * whenever work starts before the last one's thread is idle again).
   */
  private static final ExecutorService SIDE_THREADS =
      Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors() - 1), r -> {
        Thread t = new Thread(r, "extract-stream");
        t.setDaemon(true);
        return t;
      });

  private SideBySide() {}

  /**
   * Runs {@code n} workers: the caller's thread and n - 1 pool threads, each with {@code threads}
   * intra-op threads (the caller's count comes back afterwards). A worker is handed a stop signal
   * that turns true once any worker has failed; the first failure is rethrown once all have
   * stopped.
   */
  static void run(int n, int threads, Consumer<BooleanSupplier> worker) {
    AtomicBoolean failed = new AtomicBoolean();
    Runnable stream = () -> {
      Torch.setIntraOpThreads(threads);
      try {
        worker.accept(failed::get);
      } catch (RuntimeException | Error e) {
        failed.set(true);
        throw e;
      }
    };
    int before = Torch.threads();
    List<Future<?>> side = new ArrayList<>();
    Throwable first = null;
    try {
      for (int s = 1; s < n; s++) {
        side.add(SIDE_THREADS.submit(stream));
      }
      stream.run();
    } catch (RuntimeException | Error e) {
      first = e;
    } finally {
      for (Future<?> f : side) {
        try {
          f.get();
        } catch (ExecutionException e) {
          first = first == null ? e.getCause() : first;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failed.set(true);
          first = first == null ? e : first;
        }
      }
      Torch.setIntraOpThreads(before);
    }
    if (first instanceof RuntimeException r) {
      throw r;
    }
    if (first instanceof Error e) {
      throw e;
    }
    if (first != null) {
      throw new IllegalStateException("extraction stream interrupted", first);
    }
  }
}
