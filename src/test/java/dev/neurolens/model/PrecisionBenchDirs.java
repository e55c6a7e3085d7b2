package dev.neurolens.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the directories of the stored-precision benchmark (a main, not a test): random 12-layer,
 * hidden-384, 12-head, FFN-1536 GPT-2 and Llama models as F32 and as BF16 under {@code args[0]};
 * time them with {@code neurolens bench forward --model DIR} under {@code /usr/bin/time -v}.
 */
public final class PrecisionBenchDirs {
  private PrecisionBenchDirs() {}

  public static void main(String[] args) {
    Path root = Path.of(args.length > 0 ? args[0] : "target/precision-bench");
    TinyFamilies.Spec s = new TinyFamilies.Spec(12, 384, 12, 1536, 12, 2048);
    Path gpt2 = root.resolve("gpt2-f32");
    Path llama = root.resolve("llama-f32");
    if (!Files.isDirectory(gpt2)) {
      TinyFamilies.gpt2(gpt2, 1, s);
      HalfCheckpoints.copyAs(gpt2, root.resolve("gpt2-bf16"), "BF16");
    }
    if (!Files.isDirectory(llama)) {
      TinyFamilies.llama(llama, 1, s, Map.of());
      HalfCheckpoints.copyAs(llama, root.resolve("llama-bf16"), "BF16");
    }
    System.out.println(root.toAbsolutePath());
  }
}
