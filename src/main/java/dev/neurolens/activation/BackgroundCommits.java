package dev.neurolens.activation;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One commit at a time on a daemon thread: {@link #submit} waits for the previous commit (and
 * rethrows its failure) before handing over the next, so commits run in order and at most one is
 * in flight while the caller goes on.
 */
final class BackgroundCommits {
  /** A commit's work. */
  interface Work {
    void run() throws IOException;
  }

  private final String what;
  private ExecutorService thread;
  private Future<?> pending;

  /** @param what names the store in messages */
  BackgroundCommits(String what) {
    this.what = what;
  }

  /** Waits for the commit in flight, then starts {@code work} in the background. */
  void submit(Work work) throws IOException {
    await();
    if (thread == null) {
      thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "neurolens-store-commit");
        t.setDaemon(true);
        return t;
      });
    }
    pending = thread.submit(() -> {
      work.run();
      return null;
    });
  }

  /** Waits for the commit in flight, if any; its failure is rethrown here (once). */
  void await() throws IOException {
    if (pending == null) {
      return;
    }
    Future<?> f = pending;
    pending = null;
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while committing a chunk of " + what, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException("committing a chunk of " + what + " failed: " + cause, cause);
    }
  }

  /** Waits for the commit in flight, then lets the thread end. */
  void close() throws IOException {
    try {
      await();
    } finally {
      if (thread != null) {
        thread.shutdown();
        thread = null;
      }
    }
  }
}
