package dev.neurolens.util;

/**
 * What the program is reading or computing right now, in words ("reading corpus file src/A.java"),
 * so that a fatal error the code cannot attribute (an {@link OutOfMemoryError} or a
 * {@link StackOverflowError} caught at the top) can still name the input that caused it.
 *
 * <p>Set by the long stages as they move from one input to the next; the last value stays until
 * the next one (a stage that ends does not clear it: the error may surface just after).
 *
 * <p>Usage: {@code Activity.set("loading model " + dir); ... Activity.current()}
 */
public final class Activity {
  private static volatile String current = "starting";

  private Activity() {}

  /** Records what is being done now, e.g. {@code "reading corpus file src/A.java"}. */
  public static void set(String what) {
    current = what;
  }

  /** The last recorded activity ("starting" before any). */
  public static String current() {
    return current;
  }
}
