package dev.neurolens.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Runs tasks side by side: the first on the caller's thread, the others on a kept pool. Waits for
 * every task before returning or throwing (none keeps running on data the caller then frees),
 * returns the results in task order, and throws the failure of the first failing task in task
 * order. Callers whose tasks themselves use a pool pass a different pool, or the tasks would
 * wait on each other.
 */
final class InParallel {
  private InParallel() {}

  /**
   * @param what names the work in the error when the caller is interrupted
   * @return the tasks' results, in task order
   */
  static <T> List<T> run(ExecutorService pool, List<Callable<T>> tasks, String what) {
    if (tasks.isEmpty()) {
      return List.of();
    }
    List<Future<T>> others = new ArrayList<>();
    for (int k = 1; k < tasks.size(); k++) {
      others.add(pool.submit(tasks.get(k)));
    }
    List<T> results = new ArrayList<>();
    RuntimeException failure = null;
    try {
      results.add(tasks.get(0).call());
    } catch (RuntimeException e) {
      failure = e;
    } catch (Exception e) {
      failure = new IllegalStateException(e);
    }
    for (Future<T> fu : others) {
      try {
        results.add(fu.get());
      } catch (ExecutionException e) {
        if (failure == null) {
          failure = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = failure != null ? failure : new IllegalStateException("interrupted while " + what, e);
      }
    }
    if (failure != null) {
      throw failure;
    }
    return results;
  }
}
