package dev.neurolens.activation;

import java.nio.file.Path;

/**
 * Child process of {@link StoreWriterTest}: writes a synthetic store slowly so that the test can
 * kill it with SIGKILL in the middle. Args: dir, dtype, chunkRows, seed, count, sleepMillis.
 */
final class StoreCrashChild {
  private StoreCrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    StoreSpec spec = Synthetic.spec(StoreDtype.parse(args[1]), Integer.parseInt(args[2]));
    Synthetic.write(
        dir, spec, Long.parseLong(args[3]), Integer.parseInt(args[4]), Long.parseLong(args[5]));
  }
}
