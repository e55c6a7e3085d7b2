package dev.neurolens.cli;

import dev.neurolens.activation.ExistingFile;
import dev.neurolens.activation.ActivationStore;
import dev.neurolens.activation.NeuroxHdf5;
import dev.neurolens.activation.NpyExport;
import dev.neurolens.activation.StoreDtype;
import dev.neurolens.activation.StoreManifest;
import dev.neurolens.activation.StoreWriter;
import dev.neurolens.model.HookName;
import dev.neurolens.util.NeuroLensException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code neurolens store info|export|import}: inspect and convert activation stores. */
@Command(
    name = "store",
    description = "Inspect an activation store, export it (npy, hdf5) or import NeuroX HDF5.",
    subcommands = {
      StoreCommand.Info.class,
      StoreCommand.Export.class,
      StoreCommand.Import.class,
    })
final class StoreCommand {

  /** Summary of a store's manifest. */
  @Command(name = "info", description = "Print the manifest summary of an activation store.")
  static final class Info implements Runnable {
    @Parameters(index = "0", paramLabel = "STORE")
    Path store;

    @Option(names = "--verify",
        description = "Read every file and compare it with the checksum in the manifest (open checks only the small files).")
    boolean verify;

    @Mixin OutputOptions out;

    @Override
    public void run() {
      try (ActivationStore s = ActivationStore.open(store)) {
        StoreManifest m = s.manifest();
        String verified = null;
        Map<String, Object> verifiedJson = null;
        if (verify) {
          java.util.Optional<ActivationStore.Verification> v = s.verifyChecksums();
          verified = v.map(x -> String.format("%d files, %.1f MiB, match their crc32c checksums", x.files(),
              x.bytes() / 1048576.0)).orElse("no checksums recorded (the store was written before NeuroLens recorded them)");
          verifiedJson = new LinkedHashMap<>();
          verifiedJson.put("checksums", v.isPresent() ? "crc32c" : "none recorded");
          verifiedJson.put("files", v.map(ActivationStore.Verification::files).orElse(0));
          verifiedJson.put("bytes", v.map(ActivationStore.Verification::bytes).orElse(0L));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("store", store.toString());
        r.put("format_version", m.formatVersion());
        r.put("model", m.modelId());
        r.put("weight_checksum", m.weightChecksum());
        r.put("hooks", m.hooks());
        r.put("layers", m.layers());
        r.put("widths", m.widths());
        r.put("dtype", m.dtype());
        r.put("aggregation", m.aggregation());
        r.put("tokens", m.tokens());
        r.put("snippets", m.snippets());
        r.put("chunks", m.chunks().size());
        r.put("corpus_hash", m.corpusHash());
        r.put("split", s.split());
        Map<String, Object> tasks = new LinkedHashMap<>();
        for (StoreManifest.TaskEntry t : m.tasks()) {
          tasks.put(
              t.name(),
              Map.of("kind", t.kind().toLowerCase(), "level", t.level().toLowerCase(),
                  "labels", t.labelNames().size()));
        }
        r.put("tasks", tasks);
        r.put("bytes", s.bytes());
        r.put("checksums", m.checksums().isEmpty() ? "none recorded" : m.checksums().size() + " files (crc32c)");
        if (verifiedJson != null) {
          r.put("verified", verifiedJson);
        }
        StringBuilder human = new StringBuilder();
        human.append(String.format("store     %s%n", store));
        human.append(String.format("model     %s (%s)%n", m.modelId(), m.weightChecksum()));
        human.append(String.format("tokens    %d in %d snippets, %d chunks%n", m.tokens(), m.snippets(), m.chunks().size()));
        human.append(String.format("hooks     %d: %s%n", m.hooks().size(), m.hooks()));
        human.append(String.format("widths    %s, %s, aggregation %s%n", m.widths(), m.dtype(), m.aggregation()));
        for (StoreManifest.TaskEntry t : m.tasks()) {
          human.append(String.format("task      %s (%s, %s, %d labels)%n", t.name(),
              t.kind().toLowerCase(), t.level().toLowerCase(), t.labelNames().size()));
        }
        human.append(String.format(java.util.Locale.ROOT, "split     seed %d, dev %.2f, test %.2f of the snippets%s%n",
            s.split().seed(), s.split().dev(), s.split().test(), m.split() == null ? " (default; not recorded)" : ""));
        human.append(String.format("size      %.1f MiB", s.bytes() / 1048576.0));
        if (verified != null) {
          human.append(String.format("%nverified  %s", verified));
        }
        out.emit(r, human.toString());
      }
    }
  }

  /** Export to NumPy or NeuroX HDF5. */
  @Command(name = "export", description = "Export a store as .npy files or a NeuroX HDF5 file.")
  static final class Export implements Runnable {
    @Option(names = "--format", required = true, description = "npy or hdf5")
    String format;

    @Option(names = "--layout", defaultValue = "per-hook",
        description = "npy: per-hook (one file per hook) or concat (one [N, L*D] matrix); default ${DEFAULT-VALUE}")
    String layout;

    @Option(names = "--dtype", description = "npy element type: float16 or float32 (default: the store's)")
    String dtype;

    @Option(names = "--hooks", split = ",", description = "hdf5: hooks to export (default: all of the store's residual hooks)")
    List<String> hooks;

    @Option(names = "--overwrite", description = "Replace existing output files.")
    boolean overwrite;

    @Parameters(index = "0", paramLabel = "STORE")
    Path store;

    @Parameters(index = "1", paramLabel = "OUT", description = "npy: a directory; hdf5: a file")
    Path target;

    @Mixin OutputOptions out;

    @Override
    public void run() {
      if (format.equals("npy")) {
        if (hooks != null) {
          throw new NeuroLensException("--hooks: only for --format hdf5 (npy exports every hook), found " + hooks);
        }
        OutPaths.directory("OUT (npy)", target);
      } else {
        OutPaths.file("OUT (hdf5)", target);
      }
      try (ActivationStore s = ActivationStore.open(store)) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("format", format);
        r.put("out", target.toString());
        switch (format) {
          case "npy" -> {
            NpyExport.Layout l = switch (layout) {
              case "per-hook" -> NpyExport.Layout.PER_HOOK;
              case "concat" -> NpyExport.Layout.CONCATENATED;
              default -> throw new NeuroLensException("--layout must be per-hook or concat, found '" + layout + "'");
            };
            StoreDtype d = dtype == null ? s.spec().dtype() : StoreDtype.parse(dtype);
            List<Path> files = NpyExport.export(s, target, l, d, overwrite ? ExistingFile.REPLACE : ExistingFile.FAIL);
            r.put("files", files.size());
            r.put("tokens", s.tokenCount());
          }
          case "hdf5" -> {
            List<HookName> hs = hooks == null
                ? s.hooks().stream().filter(h -> h.site() == HookName.Site.EMBED_OUT
                    || h.site() == HookName.Site.RESID_POST).toList()
                : hooks.stream().map(h -> ExtractCommand.option("--hooks", () -> HookName.parse(h))).toList();
            if (hs.isEmpty()) {
              throw new NeuroLensException("--hooks: the store has no residual hooks; name the hooks to export");
            }
            r.put("sentences", NeuroxHdf5.export(s, hs, target, overwrite ? ExistingFile.REPLACE : ExistingFile.FAIL));
            r.put("layers", hs.size());
          }
          default -> throw new NeuroLensException("--format must be npy or hdf5, found '" + format + "'");
        }
        out.emit(r, "exported " + store + " to " + target + " (" + format + ")");
      }
    }
  }

  /** Import a NeuroX HDF5 file as a new store. */
  @Command(name = "import", description = "Create a store from a NeuroX HDF5 activation file.")
  static final class Import implements Runnable {
    @Option(names = "--format", required = true, description = "hdf5")
    String format;

    @Option(names = "--dtype", defaultValue = "float16", description = "float16 or float32; default ${DEFAULT-VALUE}")
    String dtype;

    @Option(names = "--overwrite", description = "Replace an existing store.")
    boolean overwrite;

    @Parameters(index = "0", paramLabel = "IN")
    Path input;

    @Parameters(index = "1", paramLabel = "STORE")
    Path store;

    @Mixin OutputOptions out;

    @Override
    public void run() {
      if (!format.equals("hdf5")) {
        throw new NeuroLensException("--format must be hdf5, found '" + format + "'");
      }
      OutPaths.directory("STORE", store);
      StoreManifest m = NeuroxHdf5.importFile(input, store, StoreDtype.parse(dtype),
          overwrite ? StoreWriter.Mode.OVERWRITE : StoreWriter.Mode.CREATE_OR_RESUME);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("store", store.toString());
      r.put("snippets", m.snippets());
      r.put("tokens", m.tokens());
      r.put("layers", m.hooks().size());
      r.put("hidden", m.widths().get(0));
      out.emit(r, "imported " + m.snippets() + " sentences, " + m.tokens() + " tokens into " + store);
    }
  }
}
