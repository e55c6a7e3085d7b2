package dev.neurolens.model;

/**
 * What a loaded model's weights take in native memory, from the shapes and dtypes of its arrays.
 *
 * @param storedDtypes the checkpoint dtypes, e.g. {@code "BF16"}, {@code "F32"}, {@code "F16+F32"}
 * @param residentBytes bytes the weights hold for the model's lifetime
 * @param float32Bytes bytes the same weights take in float32 (4 per parameter)
 * @param blockBytes extra bytes one block needs while it runs: its 16-bit matrices converted to
 *     float32 plus the fused projections (none held between forwards)
 */
public record WeightMemory(String storedDtypes, long residentBytes, long float32Bytes, long blockBytes) {
  public WeightMemory {
    if (residentBytes < 0 || float32Bytes < 0 || blockBytes < 0) {
      throw new IllegalArgumentException("byte counts must be >= 0, found " + residentBytes + ", " + float32Bytes
          + ", " + blockBytes);
    }
  }
}
