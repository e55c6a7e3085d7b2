package dev.neurolens.activation;

import dev.neurolens.model.HookName;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Manual scale check (not a unit test): writes a synthetic store of N rows x 13 hooks x 384 and
 * reads it back in row chunks and by single layer under a small heap, printing timings.
 * Run: {@code java -Xmx256m -cp target/classes:target/test-classes:target/lib/* \
 * dev.neurolens.activation.LargeStoreCheck DIR ROWS}.
 */
final class LargeStoreCheck {
  private LargeStoreCheck() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int rows = Integer.parseInt(args[1]);
    int hooks = 13;
    int d = 384;
    StoreSpec.Builder b = StoreSpec.builder().setModel("synthetic", "0");
    List<HookName> hs = new ArrayList<>();
    for (int h = 0; h < hooks; h++) {
      HookName hook = h == 0 ? HookName.embedOut() : HookName.residPost(h - 1);
      hs.add(hook);
      b.addHook(hook, d);
    }
    long t0 = System.nanoTime();
    int perSnippet = 256;
    try (StoreWriter w = StoreWriter.open(dir, b.build(), StoreWriter.Mode.OVERWRITE)) {
      for (int s = 0; s * perSnippet < rows; s++) {
        int t = Math.min(perSnippet, rows - s * perSnippet);
        List<StoredToken> tokens = new ArrayList<>(t);
        float[][] v = new float[hooks][t * d];
        for (int k = 0; k < t; k++) {
          tokens.add(StoredToken.of("t", k, k + 1, 0));
          for (int h = 0; h < hooks; h++) {
            for (int c = 0; c < d; c++) {
              v[h][k * d + c] = ((s * perSnippet + k) % 1000) * 0.001f + h + c * 1e-4f;
            }
          }
        }
        float[][] one = new float[hooks][d];
        w.append(new SnippetActivations("s" + s, "x", tokens, List.of(), v, one, one));
      }
      w.finish();
    }
    long t1 = System.nanoTime();
    try (ActivationStore store = ActivationStore.open(dir)) {
      System.out.printf("wrote %d rows, %.2f GB in %.1f s%n", store.tokenCount(), store.bytes() / 1e9, (t1 - t0) / 1e9);
      ActivationMatrix all = store.view(hs);
      int chunk = 1024;
      float[] buf = new float[chunk * all.cols()];
      double sum = 0;
      for (int r = 0; r < all.rows(); r += chunk) {
        int n = Math.min(chunk, all.rows() - r);
        all.read(r, n, buf);
        for (int i = 0; i < n * all.cols(); i += 97) {
          sum += buf[i];
        }
      }
      long t2 = System.nanoTime();
      ActivationMatrix layer = store.view(List.of(hs.get(6)), new int[] {0, 5, 383});
      float[] col = new float[3 * 4096];
      for (int r = 0; r < layer.rows(); r += 4096) {
        layer.read(r, Math.min(4096, layer.rows() - r), col);
      }
      long t3 = System.nanoTime();
      Runtime rt = Runtime.getRuntime();
      System.out.printf("read all %d x %d in %.1f s (checksum %.1f); 3 neurons of one layer in %.1f s; heap max %d MiB, used %d MiB%n",
          all.rows(), all.cols(), (t2 - t1) / 1e9, sum, (t3 - t2) / 1e9, rt.maxMemory() >> 20,
          (rt.totalMemory() - rt.freeMemory()) >> 20);
    }
  }
}
