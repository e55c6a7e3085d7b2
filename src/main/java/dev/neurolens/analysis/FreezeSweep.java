package dev.neurolens.analysis;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.neurolens.finetune.Datasets;
import dev.neurolens.finetune.FineTuner;
import dev.neurolens.finetune.FinetuneOptions;
import dev.neurolens.finetune.FinetuneResult;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.bert.TrainableBert;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The Telly study on one model and dataset: fine-tune once per freeze setting (full, K = 0, ...),
 * each into {@code OUT/freeze-K}, and tabulate trainable parameters, time per epoch, time to the
 * best dev score and the test score against full fine-tuning. A run whose {@code training.json}
 * exists is read, not repeated, and an interrupted one resumes from its checkpoint, so the same
 * command continues a sweep. The recommendation is the largest K whose test score is within
 * {@code tolerance} points (metric x 100) of full fine-tuning.
 *
 * <p>Usage: {@code FreezeSweep.Result r = FreezeSweep.run(model, data, FinetuneOptions.defaults().withEpochs(1), List.of(-1, 0, 4, 8, 11), 1.0, out, System.err::println, true)}
 */
public final class FreezeSweep {
  private FreezeSweep() {}

  /**
   * One freeze setting.
   *
   * @param freeze "none" or K
   * @param deltaVsFull test score minus full fine-tuning's, in points (x 100); null without a full run
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Row(String freeze, long trainableParameters, long totalParameters, double trainableShare,
      double secondsPerEpoch, double secondsToBest, int epochsRun, int bestEpoch, String metric, double dev,
      double test, Double zeroShot, Double deltaVsFull, long peakRssBytes, String modelDir) {}

  /**
   * The sweep table (sweep.json).
   *
   * @param recommendedFreeze the largest K within the tolerance of full fine-tuning, or null
   * @param rsaAdvice the freeze advice of {@code compare --sweep} (RSA of base vs tuned), or null
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Result(int schemaVersion, String model, String task, String data, int train, int dev, int test,
      String metric, Double zeroShot, double tolerancePoints, List<Row> rows, String recommendedFreeze, String finding,
      @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
      ComparisonResult.FreezeAdvice rsaAdvice) {

    /** The same table with the freeze advice of a comparison of the base and the fully tuned model. */
    public Result withRsaAdvice(ComparisonResult.FreezeAdvice advice) {
      return new Result(schemaVersion, model, task, data, train, dev, test, metric, zeroShot, tolerancePoints, rows,
          recommendedFreeze, finding, advice);
    }

    /** Reads a sweep.json. */
    public static Result read(Path file) {
      try {
        return Json.MAPPER.treeToValue(Json.readObject(file, "run `neurolens finetune sweep` first"), Result.class);
      } catch (IOException e) {
        throw new NeuroLensException(file + ": not a sweep.json (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
      }
    }
  }

  /** Runs (or reads) each freeze setting in order, writes {@code OUT/sweep.json}, returns the table. */
  public static Result run(EncoderModel model, Datasets.Dataset data, FinetuneOptions base, List<Integer> freezes,
      double tolerancePoints, Path out, Consumer<String> log, boolean bars) {
    if (freezes.isEmpty()) {
      throw new NeuroLensException("--freeze: give at least one setting, e.g. none,0,4,8,11");
    }
    if (!(tolerancePoints >= 0)) {
      throw new NeuroLensException("--tolerance: must be >= 0 points, found " + tolerancePoints);
    }
    List<FinetuneResult> runs = new ArrayList<>();
    for (int k : freezes) {
      Path dir = out.resolve("freeze-" + TrainableBert.describeFreeze(k));
      Path done = dir.resolve("training.json");
      FinetuneResult r;
      if (Files.isRegularFile(done)) {
        r = FinetuneResult.read(done);
        if (!r.settings().equals(base.withFreeze(k)) || !r.modelChecksum().equals(model.weightChecksum())) {
          throw new NeuroLensException(done + ": a finished run with other settings or another model; "
              + "use another --out or delete " + dir);
        }
        log.accept("sweep: freeze " + r.freeze() + " already done (" + done + ")");
      } else {
        log.accept("sweep: freeze " + TrainableBert.describeFreeze(k) + " (" + (runs.size() + 1) + " of " + freezes.size() + ")");
        r = FineTuner.run(model, data, base.withFreeze(k), dir, log, bars);
      }
      runs.add(r);
    }
    Result result = tabulate(model.id(), data, runs, tolerancePoints);
    Json.writeAtomically(out.resolve("sweep.json"), result);
    return result;
  }

  /** The table of finished runs (the first with freeze "none" is the reference). */
  static Result tabulate(String modelId, Datasets.Dataset data, List<FinetuneResult> runs, double tolerancePoints) {
    FinetuneResult full = runs.stream().filter(r -> r.freeze().equals("none")).findFirst().orElse(null);
    List<Row> rows = new ArrayList<>();
    String recommended = null;
    int bestK = -1;
    for (FinetuneResult r : runs) {
      Double delta = full == null ? null : 100 * (r.test().value() - full.test().value());
      rows.add(new Row(r.freeze(), r.trainableParameters(), r.totalParameters(),
          r.trainableParameters() / (double) r.totalParameters(), r.secondsPerEpoch(), r.secondsToBest(), r.epochsRun(),
          r.bestEpoch(), r.test().metric(), r.dev().value(), r.test().value(),
          r.zeroShot() == null ? null : r.zeroShot().value(), delta, r.peakRssBytes(), r.modelDir()));
      if (delta != null && !r.freeze().equals("none") && delta >= -tolerancePoints && Integer.parseInt(r.freeze()) > bestK) {
        bestK = Integer.parseInt(r.freeze());
        recommended = r.freeze();
      }
    }
    String metric = runs.get(0).test().metric();
    Double zeroShot = runs.get(0).zeroShot() == null ? null : runs.get(0).zeroShot().value();
    String finding;
    if (full == null) {
      finding = "no full fine-tuning run (freeze none) in the sweep, so no setting is compared with it";
    } else if (recommended == null) {
      finding = String.format("every frozen setting scores more than %.1f points of test %s below full fine-tuning (%.4f)",
          tolerancePoints, metric, full.test().value());
    } else {
      String k = recommended;
      Row rec = rows.stream().filter(x -> x.freeze().equals(k)).findFirst().orElseThrow();
      Row fullRow = rows.stream().filter(x -> x.freeze().equals("none")).findFirst().orElseThrow();
      finding = String.format("freezing the embeddings and the bottom %s blocks keeps test %s within %.1f points of full "
              + "fine-tuning (%.4f vs %.4f) with %.0f%% fewer trainable parameters and %.0f%% less time per epoch",
          recommended, metric, tolerancePoints, rec.test(), fullRow.test(),
          100 * (1 - rec.trainableParameters() / (double) fullRow.trainableParameters()),
          100 * (1 - rec.secondsPerEpoch() / fullRow.secondsPerEpoch()));
    }
    return new Result(1, modelId, data.task().toString(), data.source(), data.train().size(), data.dev().size(),
        data.test().size(), metric, zeroShot, tolerancePoints, rows, recommended, finding, null);
  }
}
