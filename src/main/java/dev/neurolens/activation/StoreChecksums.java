package dev.neurolens.activation;

import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The per-file checksums of a store: CRC32C (Castagnoli; hardware-accelerated in the JDK) of every
 * file the writer creates except {@code manifest.json}, recorded in the manifest's
 * {@code checksums} map as store-relative path ({@code chunks/000000/embed.out.f16}) to
 * {@code "crc32c:1a2b3c4d"}.
 *
 * <p>A chunk's files are summed when the chunk is committed (read back while still in the page
 * cache), the columns and label files when the store is finished.
 */
final class StoreChecksums {
  static final String PREFIX = "crc32c:";
  static final Pattern VALUE = Pattern.compile("crc32c:[0-9a-f]{8}");

  private StoreChecksums() {}

  /** The checksum of {@code file}'s bytes, as recorded: {@code crc32c:} and 8 hex digits. */
  static String of(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (ch.read(buf) >= 0) {
        buf.flip();
        crc.update(buf);
        buf.clear();
      }
    }
    return String.format(Locale.ROOT, PREFIX + "%08x", crc.getValue());
  }

  /** Adds the checksum of every regular file directly in {@code dir}, keyed {@code keyPrefix/name}. */
  static void addDirectory(Map<String, String> out, Path dir, String keyPrefix) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        if (Files.isRegularFile(f)) {
          out.put(keyPrefix + "/" + f.getFileName(), of(f));
        }
      }
    }
  }

  /**
   * Checks the recorded files whose keys pass {@code which} against their checksums.
   *
   * @throws NeuroLensException naming the first file that is missing or whose bytes changed
   */
  static ActivationStore.Verification verify(Path store, Map<String, String> recorded, Predicate<String> which) {
    int files = 0;
    long bytes = 0;
    for (Map.Entry<String, String> e : recorded.entrySet()) {
      if (!which.test(e.getKey())) {
        continue;
      }
      Path f = store.resolve(e.getKey());
      String actual;
      try {
        actual = of(f);
        bytes += Files.size(f);
      } catch (NoSuchFileException ex) {
        throw new NeuroLensException(f + ": missing (the manifest records its checksum " + e.getValue() + ")", ex);
      } catch (IOException ex) {
        throw new NeuroLensException(f + ": cannot read (" + NeuroLensException.reason(ex) + ")", ex);
      }
      if (!actual.equals(e.getValue())) {
        throw new NeuroLensException(f + ": checksum " + actual + " does not match the manifest's " + e.getValue()
            + " (the file changed after extraction: damaged or edited; re-extract the store)");
      }
      files++;
    }
    return new ActivationStore.Verification(files, bytes);
  }
}
