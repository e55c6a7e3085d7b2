package dev.neurolens.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.util.NeuroLensException;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Locale;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Byte-level mutations of a valid file for property-based fuzzing of parsers (jqwik): bit flips,
 * truncation, insertion of bytes, overwriting a little-endian integer. Each mutation carries a
 * description, which jqwik prints (shrunk) when a try fails.
 */
public final class FuzzBytes {
  private FuzzBytes() {}

  /**
   * Runs {@code parse} on {@code runner} with a 10 s limit and checks the outcome of one try: its
   * value (counted in {@code counts[0]}), or null after a {@link NeuroLensException} of one line
   * starting with {@code prefix} (counted in {@code counts[1]}); any other exception, or no answer
   * (a hang), fails the try.
   */
  public static <T> T outcome(ExecutorService runner, Callable<T> parse, String prefix, int[] counts) {
    Future<T> f = runner.submit(parse);
    try {
      T value = f.get(10, TimeUnit.SECONDS);
      counts[0]++;
      return value;
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new AssertionError("no answer within 10 s (a hang?)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (!(cause instanceof NeuroLensException)) {
        throw new AssertionError("escaped: " + cause, cause);
      }
      String msg = cause.getMessage();
      assertFalse(msg.contains("\n") || msg.contains("\r"), "more than one line: " + msg);
      assertTrue(msg.startsWith(prefix), "does not name the input (" + prefix + "): " + msg);
      counts[1]++;
      return null;
    }
  }

  /** A described change of a byte array; {@link #apply} returns a new array. */
  public record Mutation(String kind, String description, UnaryOperator<byte[]> change) {
    public byte[] apply(byte[] in) {
      return change.apply(in.clone());
    }

    @Override
    public String toString() {
      return description;
    }
  }

  /** 1 to 8 single-bit flips at positions in [from, to). */
  public static Arbitrary<Mutation> bitFlips(String kind, int from, int to) {
    Arbitrary<int[]> flip = Combinators.combine(Arbitraries.integers().between(from, to - 1),
        Arbitraries.integers().between(0, 7)).as((p, bit) -> new int[] {p, bit});
    return flip.list().ofMinSize(1).ofMaxSize(8).map(flips -> new Mutation(kind,
        "flip bits " + flips.stream().map(f -> f[0] + ":" + f[1]).toList(), b -> {
          for (int[] f : flips) {
            if (f[0] < b.length) {
              b[f[0]] ^= (byte) (1 << f[1]);
            }
          }
          return b;
        }));
  }

  /** Cuts the file to a length in [0, length). */
  public static Arbitrary<Mutation> truncation(int length) {
    return Arbitraries.integers().between(0, Math.max(0, length - 1))
        .map(n -> new Mutation("truncate", "truncate to " + n + " bytes", b -> Arrays.copyOf(b, Math.min(n, b.length))));
  }

  /** Inserts 1 to 16 random bytes at a position in [from, to]. */
  public static Arbitrary<Mutation> insertion(int from, int to) {
    return Combinators.combine(Arbitraries.integers().between(from, to), Arbitraries.bytes().array(byte[].class)
        .ofMinSize(1).ofMaxSize(16)).as((at, bytes) -> new Mutation("insert",
            "insert " + bytes.length + " bytes " + Arrays.toString(bytes) + " at " + at, b -> {
              int p = Math.min(at, b.length);
              byte[] out = new byte[b.length + bytes.length];
              System.arraycopy(b, 0, out, 0, p);
              System.arraycopy(bytes, 0, out, p, bytes.length);
              System.arraycopy(b, p, out, p + bytes.length, b.length - p);
              return out;
            }));
  }

  /** Interesting 64-bit values for length and offset fields, around {@code near} and the extremes. */
  public static Arbitrary<Long> lengths(long near) {
    return Arbitraries.oneOf(
        Arbitraries.of(0L, 1L, -1L, 2L, 7L, 8L, Long.MAX_VALUE, Long.MIN_VALUE, (long) Integer.MAX_VALUE,
            Integer.MAX_VALUE + 1L, 1L << 32, 1L << 62, near - 1, near + 1, near - 8, near + 8, 2 * near),
        Arbitraries.longs().between(near - 64, near + 64),
        Arbitraries.longs());
  }

  /** Overwrites the little-endian long at {@code at} with an interesting value. */
  public static Arbitrary<Mutation> littleEndianLong(String kind, int at, long current) {
    return lengths(current).map(v -> new Mutation(kind, String.format(Locale.ROOT, "set the long at %d to %d", at, v),
        b -> {
          for (int i = 0; i < 8 && at + i < b.length; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
          }
          return b;
        }));
  }
}
