package dev.neurolens.activation;

/**
 * What an export does with an output file that exists already.
 *
 * <p>Usage: {@code NeuroxHdf5.export(store, store.hooks(), Path.of("acts.hdf5"), ExistingFile.FAIL)}
 */
public enum ExistingFile {
  /** Refuse to write (one-line error naming the file). */
  FAIL,
  /** Replace it. */
  REPLACE
}
