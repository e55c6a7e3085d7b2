package dev.neurolens.cli;

import dev.neurolens.analysis.FreezeSweep;
import dev.neurolens.finetune.Datasets;
import dev.neurolens.finetune.DownstreamTask;
import dev.neurolens.finetune.FineTuner;
import dev.neurolens.finetune.FinetuneOptions;
import dev.neurolens.finetune.FinetuneResult;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Models;
import dev.neurolens.report.SweepReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code neurolens finetune}: Telly-K fine-tuning of one setting; {@code finetune sweep}: several. */
@Command(name = "finetune", description = "Fine-tune with the embeddings and bottom K blocks frozen (Telly-K); "
    + "writes a Hugging Face model directory usable as --model.", subcommands = FinetuneCommand.Sweep.class)
final class FinetuneCommand implements Callable<Integer> {
  @Mixin OutputOptions out;
  @Mixin FinetuneArgs args;

  @Option(names = "--freeze", defaultValue = "none", description = "'none' (full fine-tuning) or K: embeddings + blocks 0..K-1 frozen; 0 = embeddings only (default: ${DEFAULT-VALUE}).")
  String freeze;

  @Override
  public Integer call() {
    DownstreamTask task = args.parsedTask();
    FinetuneOptions opt = args.options(FinetuneArgs.freeze(freeze));
    args.checkInputs();
    try (EncoderModel m = Models.load(args.model)) {
      Datasets.Dataset data = args.load(task);
      out.info("finetune: " + data.describe());
      FinetuneResult r = FineTuner.run(m, data, opt, args.out, out::info, !out.quiet());
      out.emit(summary(r), String.format(Locale.ROOT,
          "freeze %s: %,d of %,d parameters trainable; %.1f s per epoch; dev %s %.4f; test %s %.4f%s; model in %s",
          r.freeze(), r.trainableParameters(), r.totalParameters(), r.secondsPerEpoch(), r.dev().metric(), r.dev().value(),
          r.test().metric(), r.test().value(),
          r.zeroShot() == null ? "" : String.format(Locale.ROOT, " (zero-shot %.4f)", r.zeroShot().value()), r.modelDir()));
    }
    return 0;
  }

  static Map<String, Object> summary(FinetuneResult r) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("task", r.task());
    j.put("freeze", r.freeze());
    j.put("trainable_parameters", r.trainableParameters());
    j.put("total_parameters", r.totalParameters());
    j.put("seconds_per_epoch", r.secondsPerEpoch());
    j.put("seconds_to_best", r.secondsToBest());
    j.put("epochs_run", r.epochsRun());
    j.put("dev", Map.of("metric", r.dev().metric(), "value", r.dev().value()));
    j.put("test", Map.of("metric", r.test().metric(), "value", r.test().value()));
    if (r.zeroShot() != null) {
      j.put("zero_shot", Map.of("metric", r.zeroShot().metric(), "value", r.zeroShot().value()));
    }
    j.put("test_metrics", r.test().all());
    j.put("peak_rss_bytes", r.peakRssBytes());
    j.put("model_dir", r.modelDir());
    return j;
  }

  /** {@code neurolens finetune sweep}: one run per freeze setting, the cost/score table and a report page. */
  @Command(name = "sweep", description = "Fine-tune once per freeze setting; table of trainable parameters, time and "
      + "score against full fine-tuning (sweep.json, sweep.html).")
  static final class Sweep implements Callable<Integer> {
    @Mixin OutputOptions out;
    @Mixin FinetuneArgs args;

    @Option(names = "--freeze", defaultValue = "none,0,4,8,11", split = ",", description = "Settings to run, e.g. none,0,4,8,11 (default: ${DEFAULT-VALUE}).")
    List<String> freeze;

    @Option(names = "--tolerance", defaultValue = "1.0", description = "Points (metric x 100) of full fine-tuning's test score a frozen setting may lose (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Override
    public Integer call() {
      DownstreamTask task = args.parsedTask();
      List<Integer> ks = new ArrayList<>();
      for (String f : freeze) {
        int k = FinetuneArgs.freeze(f);
        if (!ks.contains(k)) {
          ks.add(k);
        }
      }
      FinetuneOptions base = args.options(-1);
      args.checkInputs();
      try (EncoderModel m = Models.load(args.model)) {
        Datasets.Dataset data = args.load(task);
        out.info("finetune sweep: " + data.describe());
        FreezeSweep.Result r = FreezeSweep.run(m, data, base, ks, tolerance, args.out, out::info, !out.quiet());
        SweepReport.write(r, args.out.resolve("sweep.html"));
        StringBuilder human = new StringBuilder(String.format(Locale.ROOT, "%-6s %12s %8s %10s %10s %10s%n", "freeze",
            "trainable", "share", "s/epoch", "test", "delta"));
        for (FreezeSweep.Row row : r.rows()) {
          human.append(String.format(Locale.ROOT, "%-6s %,12d %7.1f%% %10.1f %10.4f %10s%n", row.freeze(),
              row.trainableParameters(), 100 * row.trainableShare(), row.secondsPerEpoch(), row.test(),
              row.deltaVsFull() == null ? "" : String.format(Locale.ROOT, "%+.2f", row.deltaVsFull())));
        }
        human.append(r.finding()).append("\nwrote ").append(args.out.resolve("sweep.json")).append(" and ")
            .append(args.out.resolve("sweep.html"));
        out.emit(r, human.toString());
      }
      return 0;
    }
  }
}
