package dev.neurolens.finetune;

import dev.neurolens.model.FloatTensor;
import dev.neurolens.model.safetensors.Safetensors;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The output directory of one fine-tuning run: a finished run's {@code training.json}, or the
 * checkpoints of an unfinished one ({@code checkpoints/epoch-N}: {@code state.safetensors} and
 * {@code state.json}), written atomically, of which the last and the best epoch's are kept.
 */
final class RunDirectory {
  static final String CHECKPOINTS = "checkpoints";
  static final String TRAINING_JSON = "training.json";

  private final Path out;

  RunDirectory(Path out) {
    this.out = out;
  }

  /** State saved with each checkpoint (state.json). */
  @com.fasterxml.jackson.databind.annotation.JsonNaming(com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
  record CheckpointState(String fingerprint, int epoch, long steps, int bestEpoch, double bestDev, int sinceBest,
      List<FinetuneResult.Epoch> curve, FinetuneResult.Score zeroShot) {}

  /** The directory of epoch {@code epoch}'s checkpoint. */
  Path checkpoint(int epoch) {
    return out.resolve(CHECKPOINTS).resolve("epoch-" + epoch);
  }

  /** Checks {@code out}; returns the state of the last complete checkpoint to resume from, or null. */
  CheckpointState prepare(String fingerprint) {
    if (Files.exists(out.resolve(TRAINING_JSON))) {
      throw new NeuroLensException("--out " + out + ": holds a finished fine-tuning run (" + TRAINING_JSON
          + "); choose another directory or delete it");
    }
    Path ck = out.resolve(CHECKPOINTS);
    if (Files.isDirectory(ck)) {
      int last = 0;
      try (Stream<Path> s = Files.list(ck)) {
        for (Path p : s.toList()) {
          String n = p.getFileName().toString();
          if (n.matches("epoch-\\d+") && Files.isRegularFile(p.resolve("state.json"))) {
            last = Math.max(last, Integer.parseInt(n.substring(6)));
          }
        }
      } catch (IOException e) {
        throw new NeuroLensException(ck + ": cannot list (" + e.getMessage() + ")", e);
      }
      if (last > 0) {
        CheckpointState st;
        try {
          st = Json.MAPPER.treeToValue(Json.readObject(checkpoint(last).resolve("state.json"), "a checkpoint"), CheckpointState.class);
        } catch (IOException e) {
          throw new NeuroLensException(checkpoint(last).resolve("state.json") + ": not a checkpoint state (" + e.getMessage() + ")", e);
        }
        if (!st.fingerprint().equals(fingerprint)) {
          throw new NeuroLensException("--out " + out + ": its checkpoint (epoch " + last + ") was made with other settings, "
              + "model or data; run the same command to resume, or choose another directory");
        }
        return st;
      }
      return null;
    }
    if (Files.isDirectory(out)) {
      try (Stream<Path> s = Files.list(out)) {
        if (s.findAny().isPresent()) {
          throw new NeuroLensException("--out " + out + ": exists and is not empty (and holds no fine-tuning checkpoint); choose a new directory");
        }
      } catch (IOException e) {
        throw new NeuroLensException(out + ": cannot list (" + e.getMessage() + ")", e);
      }
    } else if (Files.exists(out)) {
      throw new NeuroLensException("--out " + out + ": exists and is not a directory");
    }
    return null;
  }

  /** Saves {@code tensors} and {@code st} as epoch {@code st.epoch()}'s checkpoint; keeps only it and the best epoch's. */
  void save(CheckpointState st, Map<String, FloatTensor> tensors) {
    Path ck = out.resolve(CHECKPOINTS);
    Path tmp = ck.resolve("epoch-" + st.epoch() + ".tmp");
    try {
      deleteTree(tmp);
      Files.createDirectories(tmp);
      Safetensors.write(tmp.resolve("state.safetensors"), tensors);
      Json.writeAtomically(tmp.resolve("state.json"), st);
      Path dest = checkpoint(st.epoch());
      deleteTree(dest);
      Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
      try (Stream<Path> s = Files.list(ck)) {
        for (Path p : s.toList()) {
          String n = p.getFileName().toString();
          if (!n.equals("epoch-" + st.epoch()) && !n.equals("epoch-" + st.bestEpoch())) {
            deleteTree(p);
          }
        }
      }
    } catch (IOException e) {
      throw new NeuroLensException(ck + ": cannot write the checkpoint of epoch " + st.epoch() + " (" + e.getMessage() + ")", e);
    }
  }

  /** Deletes {@code p} and everything below it, if it exists; a failure is one clear line. */
  static void deleteTree(Path p) {
    try {
      dev.neurolens.util.AtomicFiles.deleteTree(p);
    } catch (IOException e) {
      throw new NeuroLensException(p + ": cannot delete (" + e.getMessage() + ")", e);
    }
  }
}
