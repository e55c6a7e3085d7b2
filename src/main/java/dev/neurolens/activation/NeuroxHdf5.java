package dev.neurolens.activation;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.neurolens.model.HookName;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import io.jhdf.HdfFile;
import io.jhdf.exceptions.HdfException;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The NeuroX HDF5 activation layout, read and written with jhdf.
 *
 * <p>One float32 dataset per sentence, named by its index ({@code "0"}, {@code "1"}, ...), shaped
 * [L, T, D]; and {@code sentence_to_index}, a one-element string dataset holding the JSON object
 * {sentence text: index as string}, in index order (NeuroX's {@code load_activations} iterates
 * it in that order). A sentence's text is its code tokens joined by single spaces, so that
 * NeuroX's {@code split(' ')} gives the tokens back; whitespace inside a token is written as
 * U+2581 and an empty token as U+2581. A sentence that repeats an earlier one gets the suffix
 * {@code " \u241f<index>"} so that no dictionary key is lost. Snippets without code tokens are
 * not exported (NeuroX cannot hold an empty sentence). NeuroLens adds root attributes
 * {@code neurolens_model}, {@code neurolens_checksum} and {@code neurolens_hooks}.
 *
 * <p>jhdf 0.9.4 keeps datasets in memory until the file is closed, so an export must fit in
 * the heap; {@link #export} checks this first (use NPY export for large stores).
 *
 * <p>Usage: {@code int sentences = NeuroxHdf5.export(store, store.hooks(), Path.of("acts.hdf5"), ExistingFile.FAIL)}
 */
public final class NeuroxHdf5 {
  static final String INDEX = "sentence_to_index";
  private static final String BLANK = "\u2581";

  private NeuroxHdf5() {}

  /**
   * Writes {@code hooks} of {@code store} (all of equal width D) to {@code file}.
   *
   * @return the number of sentences written
   */
  public static int export(ActivationStore store, List<HookName> hooks, Path file, ExistingFile existing) {
    if (existing == ExistingFile.FAIL && Files.exists(file)) {
      throw new NeuroLensException(file + ": exists; pass --overwrite to replace it");
    }
    int d = store.width(hooks.get(0));
    for (HookName h : hooks) {
      if (store.width(h) != d) {
        throw new NeuroLensException(
            "hdf5 export: NeuroX needs equal widths per layer, hook " + h + " has "
                + store.width(h) + ", " + hooks.get(0) + " has " + d + "; choose hooks with --hooks");
      }
    }
    long bytes = (long) store.tokenCount() * hooks.size() * d * 4;
    long heap = Runtime.getRuntime().maxMemory();
    if (bytes > heap / 2) {
      throw new NeuroLensException(
          "hdf5 export: " + (bytes >> 20) + " MiB of activations must fit in half the Java heap ("
              + (heap >> 20) + " MiB) because jhdf writes on close; use --format npy or a larger "
              + "heap (NEUROLENS_HEAP=-Xmx...)");
    }
    ActivationMatrix m = store.view(hooks);
    List<StoredSnippet> snippets = store.snippets();
    Map<String, String> index = new LinkedHashMap<>();
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    int written = 0;
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      try (WritableHdfFile out = HdfFile.write(tmp)) {
        int f = m.cols();
        for (int s = 0; s < snippets.size(); s++) {
          StoredSnippet sn = snippets.get(s);
          if (sn.rows() == 0) {
            continue;
          }
          float[] rows = new float[sn.rows() * f];
          m.read(sn.firstRow(), sn.rows(), rows);
          float[][][] data = new float[hooks.size()][sn.rows()][d];
          for (int t = 0; t < sn.rows(); t++) {
            for (int l = 0; l < hooks.size(); l++) {
              System.arraycopy(rows, t * f + l * d, data[l][t], 0, d);
            }
          }
          String key = String.valueOf(s);
          out.putDataset(key, data);
          String sentence = sentence(store.tokens(sn.firstRow(), sn.rows()));
          if (index.containsKey(sentence)) {
            sentence = sentence + " \u241f" + s;
          }
          index.put(sentence, key);
          written++;
        }
        out.putDataset(INDEX, new String[] {StoreWriter.LINE.writeValueAsString(index)});
        out.putAttribute("neurolens_model", store.manifest().modelId());
        out.putAttribute("neurolens_checksum", store.manifest().weightChecksum());
        out.putAttribute(
            "neurolens_hooks", String.join(",", hooks.stream().map(HookName::toString).toList()));
      }
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new NeuroLensException(file + ": cannot write HDF5 (" + e + ")", e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort
      }
    }
    return written;
  }

  /** The NeuroX sentence text of some code tokens. */
  static String sentence(List<StoredToken> tokens) {
    List<String> words = new ArrayList<>(tokens.size());
    for (StoredToken t : tokens) {
      String w = t.text().replaceAll("\\s", BLANK);
      words.add(w.isEmpty() ? BLANK : w);
    }
    return String.join(" ", words);
  }

  /**
   * Reads a NeuroX HDF5 file into a new store at {@code storeDir}.
   *
   * <p>Layer l of the file becomes hook {@code embed.out} (l = 0) or {@code blocks.{l-1}.resid_post}
   * unless the file names its hooks ({@code neurolens_hooks}); tokens come from the sentence text;
   * the FIRST sentence vector is the first token's, MEAN the mean of the tokens'.
   *
   * @return the manifest of the new store
   */
  public static StoreManifest importFile(
      Path file, Path storeDir, StoreDtype dtype, StoreWriter.Mode mode) {
    if (!Files.isRegularFile(file)) {
      throw new NeuroLensException(file + ": no such HDF5 file");
    }
    try (HdfFile in = new HdfFile(file)) {
      Node indexNode = in.getChild(INDEX);
      if (!(indexNode instanceof Dataset indexSet)) {
        throw new NeuroLensException(file + ": no '" + INDEX + "' dataset (not a NeuroX activation file)");
      }
      Map<String, String> index = Json.MAPPER.readValue(firstString(file, indexSet.getData()),
          new TypeReference<LinkedHashMap<String, String>>() {});
      StoreSpec spec = null;
      StoreWriter writer = null;
      try {
        for (Map.Entry<String, String> e : index.entrySet()) {
          Node node = in.getChild(e.getValue());
          if (!(node instanceof Dataset ds)) {
            throw new NeuroLensException(file + ": sentence_to_index names dataset '" + e.getValue() + "' which is missing");
          }
          int[] dims = ds.getDimensions();
          if (dims.length != 3) {
            throw new NeuroLensException(file + ": dataset " + e.getValue() + " has shape "
                + java.util.Arrays.toString(dims) + ", expected [layers, tokens, hidden]");
          }
          String text = e.getKey();
          int cut = text.indexOf(" \u241f");
          String[] words = (cut >= 0 ? text.substring(0, cut) : text).split(" ", -1);
          if (words.length != dims[1]) {
            throw new NeuroLensException(file + ": dataset " + e.getValue() + " has " + dims[1]
                + " tokens but its sentence has " + words.length + " words");
          }
          if (spec == null) {
            spec = importSpec(in, file, dims[0], dims[2], dtype);
            writer = StoreWriter.open(storeDir, spec, mode);
            if (writer.completedSnippets() > 0) {
              throw new NeuroLensException(storeDir + ": an unfinished store exists; pass --overwrite");
            }
          } else if (dims[0] != spec.hooks().size() || dims[2] != spec.widths().get(0)) {
            throw new NeuroLensException(file + ": dataset " + e.getValue() + " has shape "
                + java.util.Arrays.toString(dims) + ", the first dataset had " + spec.hooks().size()
                + " layers of width " + spec.widths().get(0));
          }
          writer.append(snippet(e.getValue(), file, words, toFloats(ds.getData(), dims, file)));
        }
        if (writer == null) {
          throw new NeuroLensException(file + ": no sentences in " + INDEX);
        }
        return writer.finish();
      } finally {
        if (writer != null) {
          writer.close();
        }
      }
    } catch (IOException e) {
      throw new NeuroLensException(file + ": cannot read HDF5 (" + e + ")", e);
    } catch (HdfException e) {
      throw new NeuroLensException(file + ": not a readable HDF5 file (" + NeuroLensException.reason(e) + ")", e);
    }
  }

  private static String firstString(Path file, Object data) {
    if (data instanceof String s) {
      return s;
    }
    if (data instanceof String[] a && a.length > 0) {
      return a[0];
    }
    throw new NeuroLensException(file + ": " + INDEX + " must hold one JSON string, found " + data);
  }

  private static StoreSpec importSpec(HdfFile in, Path file, int layers, int width, StoreDtype dtype) {
    String model = attribute(in, "neurolens_model", "neurox-hdf5:" + file.getFileName());
    String checksum = attribute(in, "neurolens_checksum", "");
    String hookText = attribute(in, "neurolens_hooks", null);
    List<HookName> hooks = new ArrayList<>();
    if (hookText != null) {
      for (String h : hookText.split(",")) {
        hooks.add(HookName.parse(h));
      }
    } else {
      hooks.add(HookName.embedOut());
      for (int l = 1; l < layers; l++) {
        hooks.add(HookName.residPost(l - 1));
      }
    }
    if (hooks.size() != layers) {
      throw new NeuroLensException(file + ": neurolens_hooks names " + hooks.size() + " hooks, datasets have " + layers + " layers");
    }
    StoreSpec.Builder b = StoreSpec.builder().setModel(model, checksum).optDtype(dtype)
        .optCorpusHash("hdf5:" + file.getFileName());
    hooks.forEach(h -> b.addHook(h, width));
    return b.build();
  }

  private static String attribute(HdfFile in, String name, String fallback) {
    Attribute a = in.getAttribute(name);
    if (a == null) {
      return fallback;
    }
    Object v = a.getData();
    return v instanceof String[] arr ? arr[0] : String.valueOf(v);
  }

  /** [L][T][D] float or double data as L arrays of T x D. */
  private static float[][] toFloats(Object data, int[] dims, Path file) {
    float[][] out = new float[dims[0]][dims[1] * dims[2]];
    for (int l = 0; l < dims[0]; l++) {
      for (int t = 0; t < dims[1]; t++) {
        Object row = ((Object[]) ((Object[]) data)[l])[t];
        for (int k = 0; k < dims[2]; k++) {
          if (row instanceof float[] f) {
            out[l][t * dims[2] + k] = f[k];
          } else if (row instanceof double[] dd) {
            out[l][t * dims[2] + k] = (float) dd[k];
          } else {
            throw new NeuroLensException(file + ": activations must be float32 or float64");
          }
        }
      }
    }
    return out;
  }

  private static SnippetActivations snippet(String id, Path file, String[] words, float[][] rows) {
    List<StoredToken> tokens = new ArrayList<>();
    int pos = 0;
    for (String w : words) {
      tokens.add(StoredToken.of(w, pos, pos + w.length(), 0));
      pos += w.length() + 1;
    }
    int t = words.length;
    float[][] first = new float[rows.length][];
    float[][] mean = new float[rows.length][];
    for (int l = 0; l < rows.length; l++) {
      int d = rows[l].length / t;
      first[l] = java.util.Arrays.copyOf(rows[l], d);
      mean[l] = new float[d];
      for (int i = 0; i < t; i++) {
        for (int k = 0; k < d; k++) {
          mean[l][k] += rows[l][i * d + k];
        }
      }
      for (int k = 0; k < d; k++) {
        mean[l][k] /= t;
      }
    }
    return new SnippetActivations(id, file.getFileName().toString(), tokens, List.of(), rows, first, mean);
  }
}
