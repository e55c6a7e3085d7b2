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
 *
 * <p>Usage: {@code try (Progress bar = quiet ? Progress.silent() : Progress.start("extract", snippets, "snippets")) { bar.step(1); }}
 */
public final class Progress implements AutoCloseable {
  private final ProgressBar bar;
  private final LineConsumer consumer;

  private Progress(ProgressBar bar, LineConsumer consumer) {
    this.bar = bar;
    this.consumer = consumer;
  }

  /**
   * The console consumer, remembering whether it drew the bar and ended its line: the library ends
   * the line only from its refresh thread, which a bar closed before its first refresh never reaches
   * (a message printed next would then continue the bar's line).
   */
  private static final class LineConsumer extends ConsoleProgressBarConsumer {
    private volatile boolean drawn;
    private volatile boolean ended;

    LineConsumer(PrintStream out) {
      super(out, 100);
    }

    @Override
    public void accept(String rendered) {
      super.accept(rendered);
      drawn = true;
    }

    @Override
    public void close() {
      super.close();
      ended = true;
    }
  }

  /** Progress that shows nothing (quiet runs). */
  public static Progress silent() {
    return new Progress(null, null);
  }

  /** A bar named {@code task} counting {@code total} items of {@code unit} (total -1 = unknown). */
  public static Progress start(String task, long total, String unit) {
    LineConsumer consumer = new LineConsumer(new PrintStream(System.err, true));
    ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(total)
            .setUnit(" " + unit, 1)
            .showSpeed()
            .setStyle(ProgressBarStyle.ASCII)
            .setUpdateIntervalMillis(500)
            .setConsumer(consumer)
            .build();
    return new Progress(bar, consumer);
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
      if (consumer.drawn && !consumer.ended) {
        consumer.close();
      }
    }
  }
}
