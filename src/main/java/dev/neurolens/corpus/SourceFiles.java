package dev.neurolens.corpus;

import dev.neurolens.util.NeuroLensException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/** Enumerates the raw files of a corpus specification, in sorted order, archives opened. */
final class SourceFiles {
  /** Classpath folder of the default corpus ({@code -sources.jar} files copied at build time). */
  static final String DEFAULT_FOLDER = "neurolens/corpus/";

  /** One raw file: its display name ({@code path} or {@code archive!entry}) and bytes. */
  record RawFile(String name, byte[] bytes) {}

  private SourceFiles() {}

  /** All files of {@code spec}: "default", a directory, a file, an archive. */
  static List<RawFile> list(String spec) {
    if (spec.equals("default")) {
      return defaultCorpus();
    }
    Path p = Path.of(spec);
    if (!Files.exists(p)) {
      throw new NeuroLensException("--corpus: no such file or directory: " + spec);
    }
    List<RawFile> out = new ArrayList<>();
    if (Files.isDirectory(p)) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(p)) {
        files = walk.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::toString)).toList();
      } catch (IOException e) {
        throw new NeuroLensException("--corpus: cannot list directory " + spec + " (" + e.getMessage() + ")", e);
      }
      for (Path f : files) {
        addFile(f, out);
      }
    } else {
      addFile(p, out);
    }
    return out;
  }

  private static void addFile(Path f, List<RawFile> out) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(f);
    } catch (IOException e) {
      throw new NeuroLensException(f + ": cannot read file (" + e.getMessage() + ")", e);
    }
    if (isArchive(f.toString())) {
      out.addAll(archive(f.toString(), bytes));
    } else {
      out.add(new RawFile(f.toString(), bytes));
    }
  }

  static boolean isArchive(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".zip") || n.endsWith(".jar");
  }

  /** The entries of a zip/jar archive, sorted by entry name (directories and nested archives skipped). */
  static List<RawFile> archive(String name, byte[] bytes) {
    TreeMap<String, byte[]> entries = new TreeMap<>();
    try (ZipInputStream zin = new ZipInputStream(new ByteArrayInputStream(bytes))) {
      ZipEntry e;
      while ((e = zin.getNextEntry()) != null) {
        if (!e.isDirectory()) {
          entries.put(e.getName(), zin.readAllBytes());
        }
      }
    } catch (ZipException e) {
      throw new NeuroLensException(name + ": unreadable archive (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new NeuroLensException(name + ": unreadable archive (" + e.getMessage() + ")", e);
    }
    if (entries.isEmpty() && bytes.length > 0 && !looksLikeZip(bytes)) {
      throw new NeuroLensException(name + ": unreadable archive (not a zip/jar file)");
    }
    List<RawFile> out = new ArrayList<>();
    entries.forEach((entry, data) -> out.add(new RawFile(name + "!" + entry, data)));
    return out;
  }

  private static boolean looksLikeZip(byte[] b) {
    return b.length >= 4 && b[0] == 'P' && b[1] == 'K';
  }

  private static List<RawFile> defaultCorpus() {
    URL url = SourceFiles.class.getClassLoader().getResource(DEFAULT_FOLDER);
    if (url == null) {
      throw new NeuroLensException(
          "--corpus default: the default corpus (" + DEFAULT_FOLDER + ") is not on the classpath; build with 'mvn package'");
    }
    TreeMap<String, byte[]> jars = new TreeMap<>();
    try {
      if (url.getProtocol().equals("file")) {
        try (Stream<Path> s = Files.list(Path.of(url.toURI()))) {
          for (Path p : s.filter(x -> isArchive(x.toString())).toList()) {
            jars.put(p.getFileName().toString(), Files.readAllBytes(p));
          }
        }
      } else if (url.getProtocol().equals("jar")) {
        JarURLConnection conn = (JarURLConnection) url.openConnection();
        try (JarFile jar = conn.getJarFile()) {
          Enumeration<JarEntry> en = jar.entries();
          while (en.hasMoreElements()) {
            JarEntry e = en.nextElement();
            if (e.getName().startsWith(DEFAULT_FOLDER) && isArchive(e.getName())) {
              try (InputStream in = jar.getInputStream(e)) {
                jars.put(e.getName().substring(DEFAULT_FOLDER.length()), in.readAllBytes());
              }
            }
          }
        }
      }
    } catch (IOException | URISyntaxException e) {
      throw new NeuroLensException("--corpus default: cannot read " + url + " (" + e.getMessage() + ")", e);
    }
    if (jars.isEmpty()) {
      throw new NeuroLensException("--corpus default: no -sources.jar found in " + url);
    }
    List<RawFile> out = new ArrayList<>();
    jars.forEach((n, b) -> out.addAll(archive(n, b)));
    return out;
  }
}
