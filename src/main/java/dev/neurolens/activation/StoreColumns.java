package dev.neurolens.activation;

import com.fasterxml.jackson.databind.ObjectReader;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The finishing step of a store: the per-row columns (snippet index, flags) and the label tables
 * (sorted label names, int ids; numeric targets), built by streaming the chunks' JSON lines twice,
 * then the complete manifest.
 */
final class StoreColumns {
  static final ObjectReader TOKEN = Json.MAPPER.readerFor(StoredToken.class);
  static final ObjectReader SNIPPET = Json.MAPPER.readerFor(StoredSnippet.class);

  private StoreColumns() {}

  /** Visits each token (row) or snippet line of a store in order. */
  interface LineVisitor<T> {
    void visit(T value) throws IOException;
  }

  static void forEachToken(Path store, int chunks, LineVisitor<StoredToken> v) throws IOException {
    for (int c = 0; c < chunks; c++) {
      forEachLine(StoreFiles.chunkDir(store, c).resolve(StoreFiles.TOKENS), TOKEN, v);
    }
  }

  static void forEachSnippet(Path store, int chunks, LineVisitor<StoredSnippet> v)
      throws IOException {
    for (int c = 0; c < chunks; c++) {
      forEachLine(StoreFiles.chunkDir(store, c).resolve(StoreFiles.SNIPPETS), SNIPPET, v);
    }
  }

  static <T> void forEachLine(Path file, ObjectReader reader, LineVisitor<T> v) throws IOException {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        T value;
        try {
          value = reader.readValue(line);
        } catch (IOException e) {
          throw new NeuroLensException(file + ":" + n + ": unreadable line (" + NeuroLensException.reason(e) + ")", e);
        }
        v.visit(value);
      }
    }
  }

  /**
   * Writes the columns and label files, then the complete manifest with the checksums of the
   * chunks' files ({@code chunkChecksums}) and of the files written here.
   */
  static StoreManifest write(
      Path store, StoreSpec spec, List<StoreManifest.ChunkEntry> chunks, int rows, int snippets,
      Map<String, String> chunkChecksums, StoreManifest.SplitRecord split)
      throws IOException {
    int nChunks = chunks.size();
    List<TaskSpec> tokenTasks = spec.tokenTasks();
    List<TaskSpec> snippetTasks = spec.snippetTasks();
    Map<String, TreeSet<String>> names = new HashMap<>();
    for (TaskSpec t : spec.tasks()) {
      names.put(t.name(), new TreeSet<>());
    }
    // pass 1: label vocabularies
    forEachToken(store, nChunks, t -> collect(tokenTasks, t.labels(), names));
    forEachSnippet(store, nChunks, s -> collect(snippetTasks, s.labels(), names));
    Map<String, List<String>> sorted = new HashMap<>();
    names.forEach((k, v) -> sorted.put(k, List.copyOf(v)));

    // pass 2: row columns and label files
    LeOutput.atomically(
        StoreFiles.snippetColumn(store),
        out ->
            forEachSnippet(
                store,
                nChunks,
                new LineVisitor<>() {
                  int index;

                  @Override
                  public void visit(StoredSnippet s) throws IOException {
                    for (int i = 0; i < s.rows(); i++) {
                      out.putInt(index);
                    }
                    index++;
                  }
                }));
    LeOutput.atomically(
        StoreFiles.flagsColumn(store),
        out -> forEachToken(store, nChunks, t -> out.putByte(t.flags())));
    for (int i = 0; i < tokenTasks.size(); i++) {
      TaskSpec task = tokenTasks.get(i);
      int at = i;
      List<String> table = sorted.get(task.name());
      LeOutput.atomically(
          StoreFiles.labelFile(store, spec.tasks().indexOf(task), task),
          out -> forEachToken(store, nChunks, t -> putLabel(out, task, table, t.labels().get(at))));
    }
    for (int i = 0; i < snippetTasks.size(); i++) {
      TaskSpec task = snippetTasks.get(i);
      int at = i;
      List<String> table = sorted.get(task.name());
      LeOutput.atomically(
          StoreFiles.labelFile(store, spec.tasks().indexOf(task), task),
          out ->
              forEachSnippet(store, nChunks, s -> putLabel(out, task, table, s.labels().get(at))));
    }
    StoreManifest started = StoreManifest.started(spec);
    List<StoreManifest.TaskEntry> tasks = new ArrayList<>();
    for (StoreManifest.TaskEntry t : started.tasks()) {
      boolean categorical = t.kind().equals(TaskSpec.Kind.CATEGORICAL.name());
      tasks.add(
          new StoreManifest.TaskEntry(
              t.name(), t.kind(), t.level(), categorical ? sorted.get(t.name()) : List.of()));
    }
    Map<String, String> sums = new TreeMap<>(chunkChecksums);
    StoreChecksums.addDirectory(sums, store.resolve(StoreFiles.COLUMNS), StoreFiles.COLUMNS);
    StoreChecksums.addDirectory(sums, store.resolve(StoreFiles.LABELS), StoreFiles.LABELS);
    StoreManifest done = started.completed(tasks, rows, snippets, chunks, sums, split);
    done.write(store);
    return done;
  }

  private static void collect(
      List<TaskSpec> tasks, List<String> labels, Map<String, TreeSet<String>> names) {
    for (int i = 0; i < tasks.size(); i++) {
      TaskSpec t = tasks.get(i);
      String label = labels.get(i);
      if (label != null && t.kind() == TaskSpec.Kind.CATEGORICAL) {
        names.get(t.name()).add(label);
      }
    }
  }

  private static void putLabel(LeOutput out, TaskSpec task, List<String> table, String label)
      throws IOException {
    if (task.kind() == TaskSpec.Kind.CATEGORICAL) {
      out.putInt(label == null ? -1 : java.util.Collections.binarySearch(table, label));
    } else {
      float v;
      try {
        v = label == null ? Float.NaN : Float.parseFloat(label);
      } catch (NumberFormatException e) {
        throw new NeuroLensException(
            "task " + task.name() + ": numeric label expected, found '" + label + "'");
      }
      out.putFloat(v);
    }
  }
}
