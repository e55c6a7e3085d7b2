package dev.neurolens.corpus;

import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The files of a corpus specification, listed by name in sorted order, then opened one at a time.
 *
 * <p>Listing reads no file content: a directory walk sorted by path, and for each zip/jar archive
 * its central directory through {@link ZipFile} (entries sorted by name; nothing is inflated). The
 * caller decides from the name whether to read a file, then {@link #read} returns at most a given
 * number of bytes; an archive entry is read through a guard that stops inflating when the entry
 * grows past {@value #MAX_RATIO} times its compressed size (once over {@value #RATIO_MIN_BYTES}
 * bytes) or when the archive has inflated more than its budget (default 1 GiB): the entry, and in
 * the second case every later entry of that archive, is then skipped as {@code zip-bomb}.
 * Declared sizes are used only to skip early, never to size a buffer.
 *
 * <p>Skip reasons decided from the listing alone: {@code nested-archive} (an archive inside an
 * archive), {@code duplicate-entry} (a name listed twice in one archive: {@link ZipFile} can read
 * only one of them, the last in the central directory, which is kept). The bundled default corpus
 * ({@code -sources.jar} files inside the application jar) is copied to temporary files, deleted by
 * {@link #close}. At most one archive is open at a time.
 */
final class SourceFiles implements AutoCloseable {
  /** Classpath folder of the default corpus ({@code -sources.jar} files copied at build time). */
  static final String DEFAULT_FOLDER = "neurolens/corpus/";
  /** An entry inflating to more than this many bytes per compressed byte is a zip bomb ... */
  static final int MAX_RATIO = 100;
  /** ... once it has inflated this many bytes (small entries may compress very well). */
  static final long RATIO_MIN_BYTES = 1L << 20;
  /** Bytes one archive may inflate in all, by default (a real -sources.jar inflates to tens of MB). */
  static final long DEFAULT_MAX_ARCHIVE_BYTES = 1L << 30;

  private static final List<String> NESTED =
      List.of(".zip", ".jar", ".war", ".ear", ".aar", ".apk", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".zst", ".7z", ".rar");

  /**
   * One listed file.
   *
   * @param name display name: the path, or {@code archive!entry}
   * @param file the file on disk, or the archive holding the entry
   * @param entry the archive entry, or null for a plain file
   * @param skip why the file is skipped without being read ({@code nested-archive}, {@code
   *     duplicate-entry}), or null
   */
  record Item(String name, Path file, ZipEntry entry, String skip) {}

  /** A file left out while reading it, with the reason counted in {@link CorpusStats#skippedFiles()}. */
  static final class Skip extends IOException {
    private static final long serialVersionUID = 1L;
    private final String reason;

    Skip(String reason) {
      super(reason);
      this.reason = reason;
    }

    String reason() {
      return reason;
    }
  }

  private final List<Item> items;
  private final List<Path> temporary;
  private final long maxArchiveBytes;
  private ZipFile archive;
  private Path archivePath;
  private long archiveInflated;
  private boolean archiveExhausted;

  private SourceFiles(List<Item> items, List<Path> temporary, long maxArchiveBytes) {
    this.items = List.copyOf(items);
    this.temporary = List.copyOf(temporary);
    this.maxArchiveBytes = maxArchiveBytes;
  }

  /**
   * Lists {@code spec}: "default", a directory, a file, an archive; throws {@link
   * NeuroLensException} for a missing path or an archive whose directory cannot be read.
   *
   * @param maxArchiveBytes bytes one archive may inflate in all before its remaining entries are
   *     skipped as {@code zip-bomb}
   */
  static SourceFiles list(String spec, long maxArchiveBytes) {
    List<Item> items = new ArrayList<>();
    List<Path> temporary = new ArrayList<>();
    try {
      if (spec.equals("default")) {
        listDefault(items, temporary);
      } else {
        listPath(spec, items);
      }
    } catch (RuntimeException e) {
      deleteAll(temporary);
      throw e;
    }
    return new SourceFiles(items, temporary, maxArchiveBytes);
  }

  /** The files, in reading order. */
  List<Item> items() {
    return items;
  }

  static boolean isArchive(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".zip") || n.endsWith(".jar");
  }

  /**
   * The bytes of {@code item}, at most {@code maxBytes} of them.
   *
   * @throws Skip {@code too-large} past {@code maxBytes}, {@code zip-bomb} past the ratio or the
   *     archive budget, {@code unreadable} for a corrupt archive entry
   * @throws NeuroLensException a plain file that cannot be read
   */
  byte[] read(Item item, long maxBytes) throws Skip {
    if (item.entry() == null) {
      try {
        if (Files.size(item.file()) > maxBytes) {
          throw new Skip("too-large");
        }
        try (InputStream in = Files.newInputStream(item.file())) {
          return readAtMost(in, maxBytes);
        }
      } catch (Skip s) {
        throw s;
      } catch (IOException e) {
        throw new NeuroLensException(item.file() + ": cannot read file (" + NeuroLensException.reason(e) + ")", e);
      }
    }
    ZipEntry e = item.entry();
    long declared = e.getSize();
    if (declared > RATIO_MIN_BYTES && declared > (long) MAX_RATIO * Math.max(1, e.getCompressedSize())) {
      throw new Skip("zip-bomb");
    }
    if (declared > maxBytes) {
      throw new Skip("too-large");
    }
    try (InputStream in = open(item)) {
      return readAtMost(in, maxBytes);
    } catch (Skip s) {
      throw s;
    } catch (IOException x) {
      throw new Skip("unreadable");
    }
  }

  /**
   * A stream of {@code item}'s bytes, unbounded in length (the caller bounds what it keeps) but,
   * for an archive entry, guarded against zip bombs: reading throws {@link Skip}.
   */
  InputStream open(Item item) throws IOException {
    if (item.entry() == null) {
      return Files.newInputStream(item.file());
    }
    if (!item.file().equals(archivePath)) {
      closeArchive();
      archive = openZip(item.file(), item.name());
      archivePath = item.file();
    }
    if (archiveExhausted) {
      throw new Skip("zip-bomb");
    }
    return new Guard(archive.getInputStream(item.entry()), item.entry().getCompressedSize());
  }

  @Override
  public void close() {
    closeArchive();
    deleteAll(temporary);
  }

  private void closeArchive() {
    if (archive != null) {
      try {
        archive.close();
      } catch (IOException e) {
        // read-only; nothing is lost
      }
    }
    archive = null;
    archivePath = null;
    archiveInflated = 0;
    archiveExhausted = false;
  }

  /** Reads {@code in} to its end, or throws {@code too-large} once it has more than {@code max} bytes. */
  static byte[] readAtMost(InputStream in, long max) throws IOException {
    byte[] buf = new byte[(int) Math.min(max + 1, 64 * 1024)];
    int n = 0;
    while (true) {
      if (n == buf.length) {
        if (n > max) {
          throw new Skip("too-large");
        }
        buf = Arrays.copyOf(buf, (int) Math.min(max + 1, (long) n * 2));
      }
      int r = in.read(buf, n, buf.length - n);
      if (r < 0) {
        return n == buf.length ? buf : Arrays.copyOf(buf, n);
      }
      n += r;
      if (n > max) {
        throw new Skip("too-large");
      }
    }
  }

  /** Counts what an entry inflates, against the ratio and the archive's budget. */
  private final class Guard extends InputStream {
    private final InputStream in;
    private final long compressed;
    private long inflated;

    Guard(InputStream in, long compressed) {
      this.in = in;
      this.compressed = Math.max(1, compressed);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int r = in.read(b, off, len);
      if (r > 0) {
        inflated += r;
        archiveInflated += r;
        if (archiveInflated > maxArchiveBytes) {
          archiveExhausted = true;
          throw new Skip("zip-bomb");
        }
        if (inflated > RATIO_MIN_BYTES && inflated > MAX_RATIO * compressed) {
          throw new Skip("zip-bomb");
        }
      }
      return r;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  private static void listPath(String spec, List<Item> out) {
    Path p = Path.of(spec);
    if (!Files.exists(p)) {
      throw new NeuroLensException("--corpus: no such file or directory: " + spec);
    }
    if (!Files.isDirectory(p)) {
      listFile(p, p.toString(), out);
      return;
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(p)) {
      files = walk.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::toString)).toList();
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new NeuroLensException("--corpus: cannot list directory " + spec + " (" + NeuroLensException.reason(e) + ")", e);
    }
    for (Path f : files) {
      listFile(f, f.toString(), out);
    }
  }

  private static void listFile(Path f, String name, List<Item> out) {
    if (isArchive(name)) {
      listArchive(f, name, out);
    } else {
      out.add(new Item(name, f, null, null));
    }
  }

  /** The entries of an archive on disk from its central directory, sorted by name; nothing inflated. */
  private static void listArchive(Path file, String name, List<Item> out) {
    try {
      if (Files.size(file) == 0) {
        return;
      }
    } catch (IOException e) {
      throw new NeuroLensException(file + ": cannot read file (" + NeuroLensException.reason(e) + ")", e);
    }
    TreeMap<String, List<ZipEntry>> byName = new TreeMap<>();
    try (ZipFile zip = openZip(file, name)) {
      Enumeration<? extends ZipEntry> en = zip.entries();
      while (en.hasMoreElements()) {
        ZipEntry e = en.nextElement();
        if (!e.isDirectory()) {
          byName.computeIfAbsent(e.getName(), k -> new ArrayList<>()).add(e);
        }
      }
    } catch (IOException e) {
      throw new NeuroLensException(name + ": unreadable archive (" + NeuroLensException.reason(e) + ")", e);
    }
    byName.forEach((entry, copies) -> {
      String display = name + "!" + entry;
      for (int k = 0; k < copies.size() - 1; k++) {
        out.add(new Item(display, file, copies.get(k), "duplicate-entry"));
      }
      String skip = nested(entry) ? "nested-archive" : null;
      out.add(new Item(display, file, copies.get(copies.size() - 1), skip));
    });
  }

  private static boolean nested(String entry) {
    String n = entry.toLowerCase(Locale.ROOT);
    return NESTED.stream().anyMatch(n::endsWith);
  }

  private static ZipFile openZip(Path file, String name) throws IOException {
    try {
      return new ZipFile(file.toFile());
    } catch (ZipException e) {
      throw new NeuroLensException(name + ": unreadable archive (" + NeuroLensException.reason(e) + ")", e);
    }
  }

  private static void listDefault(List<Item> out, List<Path> temporary) {
    URL url = SourceFiles.class.getClassLoader().getResource(DEFAULT_FOLDER);
    if (url == null) {
      throw new NeuroLensException(
          "--corpus default: the default corpus (" + DEFAULT_FOLDER + ") is not on the classpath; build with 'mvn package'");
    }
    // jar name -> file on disk (a temporary copy when the corpus is inside the application jar)
    TreeMap<String, Path> jars = new TreeMap<>();
    try {
      if (url.getProtocol().equals("file")) {
        try (Stream<Path> s = Files.list(Path.of(url.toURI()))) {
          s.filter(x -> isArchive(x.toString())).forEach(p -> jars.put(p.getFileName().toString(), p));
        }
      } else if (url.getProtocol().equals("jar")) {
        JarURLConnection conn = (JarURLConnection) url.openConnection();
        conn.setUseCaches(false);
        try (JarFile jar = conn.getJarFile()) {
          Map<String, JarEntry> bundled = new HashMap<>();
          Enumeration<JarEntry> en = jar.entries();
          while (en.hasMoreElements()) {
            JarEntry e = en.nextElement();
            if (e.getName().startsWith(DEFAULT_FOLDER) && isArchive(e.getName())) {
              bundled.put(e.getName().substring(DEFAULT_FOLDER.length()), e);
            }
          }
          for (Map.Entry<String, JarEntry> b : bundled.entrySet()) {
            Path tmp = Files.createTempFile("neurolens-corpus-", ".jar");
            temporary.add(tmp);
            try (InputStream in = jar.getInputStream(b.getValue())) {
              Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            jars.put(b.getKey(), tmp);
          }
        }
      }
    } catch (IOException | URISyntaxException e) {
      throw new NeuroLensException("--corpus default: cannot read " + url + " (" + NeuroLensException.reason(e) + ")", e);
    }
    if (jars.isEmpty()) {
      throw new NeuroLensException("--corpus default: no -sources.jar found in " + url);
    }
    jars.forEach((name, file) -> listArchive(file, name, out));
  }

  private static void deleteAll(List<Path> files) {
    for (Path p : files) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        p.toFile().deleteOnExit();
      }
    }
  }
}
