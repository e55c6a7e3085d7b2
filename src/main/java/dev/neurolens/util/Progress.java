package dev.neurolens.util;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of long work on stderr (items, rate, ETA), or nothing when quiet.
 *
 * <p>Use in try-with-resources; {@link #step(long)} after each unit of work.
 */
public final class Progress implements AutoCloseable {
  private final ProgressBar bar;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  /** A bar named {@code task} counting {@code total} items of {@code unit} (total -1 = unknown). */
  public static Progress start(String task, long total, String unit, boolean quiet) {
    if (quiet) {
      return new Progress(null);
    }
    ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(total)
            .setUnit(" " + unit, 1)
            .showSpeed()
            .setStyle(ProgressBarStyle.ASCII)
            .setUpdateIntervalMillis(500)
            .setConsumer(new ConsoleProgressBarConsumer(new PrintStream(System.err, true), 100))
            .build();
    return new Progress(bar);
  }

  public void step(long n) {
    if (bar != null) {
      bar.stepBy(n);
    }
  }

  public void extraMessage(String message) {
    if (bar != null) {
      bar.setExtraMessage(message);
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
