package dev.neurolens.activation;

import dev.neurolens.model.HookName;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a store as NumPy {@code .npy} files, streaming row blocks (never the whole matrix).
 *
 * <p>Layout {@link Layout#PER_HOOK}: {@code {hook}.npy} [N, W_h] and {@code first.{hook}.npy}
 * ({@code last.{hook}.npy} for a store of a causal decoder),
 * {@code mean.{hook}.npy} [S, W_h] per hook. {@link Layout#CONCATENATED}: {@code activations.npy}
 * [N, sum W_h] (hooks in store order, layer-major columns), {@code first.npy}, {@code mean.npy}.
 * Both: {@code snippet.npy} int32 [N] (store snippet of each row), {@code labels.{i}.{task}.npy}
 * (task i: int32 ids or float32 values; {@code :} and other unsafe characters of the name become
 * {@code _}), {@code meta.json} (hooks, label names by task), {@code tokens.jsonl}.
 *
 * <p>Usage: {@code NpyExport.export(store, Path.of("npy"), NpyExport.Layout.PER_HOOK, StoreDtype.FLOAT32, ExistingFile.FAIL)}
 */
public final class NpyExport {
  /** One file per hook, or one [N, L*D] matrix. */
  public enum Layout {
    PER_HOOK,
    CONCATENATED
  }

  private static final int BLOCK_ROWS = 4096;

  private NpyExport() {}

  /**
   * Exports {@code store} into directory {@code out} (created; existing files are replaced only
   * when {@code existing} is {@link ExistingFile#REPLACE}).
   *
   * @param dtype element type of the activation files
   * @return the files written
   */
  public static List<Path> export(
      ActivationStore store, Path out, Layout layout, StoreDtype dtype, ExistingFile existing) {
    try {
      Files.createDirectories(out);
      List<Path> written = new java.util.ArrayList<>();
      List<HookName> hooks = store.hooks();
      if (layout == Layout.PER_HOOK) {
        for (HookName h : hooks) {
          List<HookName> one = List.of(h);
          written.add(matrix(out.resolve(h + ".npy"), store.view(one), dtype, existing));
          written.add(
              matrix(out.resolve(store.sentencePosition().label() + "." + h + ".npy"),
                  store.sentenceView(store.sentencePosition(), one, null), dtype, existing));
          written.add(
              matrix(out.resolve("mean." + h + ".npy"),
                  store.sentenceView(SentenceRep.MEAN, one, null), dtype, existing));
        }
      } else {
        written.add(matrix(out.resolve("activations.npy"), store.view(hooks), dtype, existing));
        written.add(
            matrix(out.resolve(store.sentencePosition().label() + ".npy"),
                store.sentenceView(store.sentencePosition(), hooks, null),
                dtype, existing));
        written.add(
            matrix(out.resolve("mean.npy"), store.sentenceView(SentenceRep.MEAN, hooks, null),
                dtype, existing));
      }
      Path snippet = target(out.resolve("snippet.npy"), existing);
      int[] rowSnippets = store.rowSnippets();
      ints(snippet, rowSnippets);
      written.add(snippet);
      // the store's train/dev/test split per token row (0 train, 1 dev, 2 test): the rows NeuroLens's probes use
      Path split = target(out.resolve("split.npy"), existing);
      dev.neurolens.util.SnippetSplit.Part[] parts = store.splitParts(store.split().seed());
      int[] rowPart = new int[rowSnippets.length];
      for (int r = 0; r < rowPart.length; r++) {
        rowPart[r] = parts[rowSnippets[r]].ordinal();
      }
      ints(split, rowPart);
      written.add(split);
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("model", store.manifest().modelId());
      meta.put("hooks", hooks.stream().map(HookName::toString).toList());
      meta.put("layers", store.manifest().layers());
      meta.put("widths", store.manifest().widths());
      meta.put("split", Map.of("file", "split.npy", "values", "0 train, 1 dev, 2 test (per token row)",
          "seed", store.split().seed(), "dev", store.split().dev(), "test", store.split().test()));
      Map<String, Object> labels = new LinkedHashMap<>();
      for (int i = 0; i < store.tasks().size(); i++) {
        TaskSpec t = store.tasks().get(i);
        String safe = t.name().replaceAll("[^A-Za-z0-9_.\\-]", "_");
        Path f = target(out.resolve("labels." + i + "." + safe + ".npy"), existing);
        if (t.kind() == TaskSpec.Kind.CATEGORICAL) {
          ints(f, store.labels(t.name()));
          labels.put(t.name(), store.labelNames(t.name()));
        } else {
          float[] v = store.targets(t.name());
          LeOutput.atomically(f, o -> {
            o.putBytes(Npy.header("<f4", v.length));
            for (float x : v) {
              o.putFloat(x);
            }
          });
          labels.put(t.name(), "numeric");
        }
        written.add(f);
      }
      meta.put("labels", labels);
      Path metaFile = target(out.resolve("meta.json"), existing);
      Json.writeAtomically(metaFile, meta);
      written.add(metaFile);
      Path tokens = target(out.resolve("tokens.jsonl"), existing);
      try (var w = Files.newBufferedWriter(tokens)) {
        StoreColumns.forEachToken(
            store.dir(), store.chunkCount(), t -> {
              w.write(StoreWriter.LINE.writeValueAsString(t));
              w.write('\n');
            });
      }
      written.add(tokens);
      return written;
    } catch (IOException e) {
      throw new NeuroLensException(out + ": cannot export (" + e + ")", e);
    }
  }

  private static Path target(Path f, ExistingFile existing) {
    if (existing == ExistingFile.FAIL && Files.exists(f)) {
      throw new NeuroLensException(f + ": exists; pass --overwrite to replace it");
    }
    return f;
  }

  private static void ints(Path f, int[] v) throws IOException {
    LeOutput.atomically(f, o -> {
      o.putBytes(Npy.header("<i4", v.length));
      for (int x : v) {
        o.putInt(x);
      }
    });
  }

  /** Streams {@code m} into a 2-D {@code .npy} file, {@link #BLOCK_ROWS} rows at a time. */
  static Path matrix(Path f, ActivationMatrix m, StoreDtype dtype, ExistingFile existing)
      throws IOException {
    target(f, existing);
    int cols = m.cols();
    int block = Math.max(1, Math.min(BLOCK_ROWS, (1 << 24) / cols));
    LeOutput.atomically(f, o -> {
      o.putBytes(Npy.header(dtype.numpyDescr(), m.rows(), cols));
      float[] buf = new float[block * cols];
      for (int r = 0; r < m.rows(); r += block) {
        int n = Math.min(block, m.rows() - r);
        m.read(r, n, buf);
        for (int i = 0; i < n * cols; i++) {
          if (dtype == StoreDtype.FLOAT16) {
            o.putShort(Half.fromFloat(buf[i]));
          } else {
            o.putFloat(buf[i]);
          }
        }
      }
    });
    return f;
  }
}
