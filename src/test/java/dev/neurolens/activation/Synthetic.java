package dev.neurolens.activation;

import dev.neurolens.model.HookName;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Deterministic synthetic snippets for store tests: snippet i depends only on (seed, i). */
final class Synthetic {
  static final List<HookName> HOOKS =
      List.of(HookName.embedOut(), HookName.residPost(0), HookName.of(0, HookName.Site.MLP_PRE));
  static final int[] WIDTHS = {4, 4, 6};
  static final String[] KINDS = {"identifier", "keyword", "number", "operator"};

  private Synthetic() {}

  static StoreSpec spec(StoreDtype dtype, int chunkRows) {
    StoreSpec.Builder b =
        StoreSpec.builder()
            .setModel("tiny-test", "sha256:abc")
            .optDtype(dtype)
            .optCorpusHash("corpus-1")
            .optChunkRows(chunkRows)
            .addTask(TaskSpec.tokenTask("kind"))
            .addTask(new TaskSpec("depth", TaskSpec.Kind.NUMERIC, TaskSpec.Level.TOKEN))
            .addTask(new TaskSpec("has_loop", TaskSpec.Kind.CATEGORICAL, TaskSpec.Level.SNIPPET));
    for (int h = 0; h < HOOKS.size(); h++) {
      b.addHook(HOOKS.get(h), WIDTHS[h]);
    }
    return b.build();
  }

  /** Snippet {@code i}: 0..6 tokens, values in [-4, 4). */
  static SnippetActivations snippet(long seed, int i) {
    SplittableRandom r = new SplittableRandom(seed * 1_000_003L + i);
    int t = i % 7 == 3 ? 0 : 1 + r.nextInt(6);
    List<StoredToken> tokens = new ArrayList<>();
    int pos = 0;
    for (int k = 0; k < t; k++) {
      String text = "t" + i + "_" + k;
      String kind = k == 2 ? null : KINDS[r.nextInt(KINDS.length)];
      String depth = k == 1 ? null : Integer.toString(r.nextInt(5));
      int flags = r.nextInt(10) == 0 ? StoredToken.ZERO_PIECES : 0;
      tokens.add(new StoredToken(text, pos, pos + text.length(), flags, Arrays.asList(kind, depth)));
      pos += text.length() + 1;
    }
    float[][] rows = new float[HOOKS.size()][];
    float[][] first = new float[HOOKS.size()][];
    float[][] mean = new float[HOOKS.size()][];
    for (int h = 0; h < HOOKS.size(); h++) {
      rows[h] = values(r, t * WIDTHS[h]);
      first[h] = values(r, WIDTHS[h]);
      mean[h] = values(r, WIDTHS[h]);
    }
    List<String> labels = Arrays.asList(i % 5 == 0 ? null : (i % 2 == 0 ? "yes" : "no"));
    return new SnippetActivations("s" + i, "src/F" + (i / 10) + ".java", tokens, labels, rows, first, mean);
  }

  private static float[] values(SplittableRandom r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextDouble() * 8 - 4);
    }
    return v;
  }

  /** Writes snippets [0, count) of {@code seed} (skipping those already stored) and finishes. */
  static void write(Path dir, StoreSpec spec, long seed, int count, long sleepMillisPerSnippet)
      throws InterruptedException {
    try (StoreWriter w = StoreWriter.open(dir, spec, StoreWriter.Mode.CREATE_OR_RESUME)) {
      for (int i = w.completedSnippets(); i < count; i++) {
        w.append(snippet(seed, i));
        if (sleepMillisPerSnippet > 0) {
          Thread.sleep(sleepMillisPerSnippet);
        }
      }
      w.finish();
    }
  }
}
