/**
 * Activations of a model over a labelled corpus, aligned to code tokens and kept on disk.
 *
 * <p>Extraction tokenizes each snippet once, aligns subword pieces to code tokens by character
 * offsets and aggregates them (first / last / average). The result is streamed into an
 * {@link dev.neurolens.activation.ActivationStore}: a directory with a JSON manifest and
 * chunked, little-endian float16/float32 matrices (one file per hook per chunk), written
 * atomically and resumably by {@link dev.neurolens.activation.StoreWriter} and read through
 * memory-mapped {@link dev.neurolens.activation.ActivationMatrix} views of any hooks, neurons and
 * rows, so that a store larger than the Java heap stays usable. Stores move to and from Python
 * tools as NumPy {@code .npy} files and the NeuroX HDF5 layout.
 *
 * <p>Shape legend: N token rows, S snippets, L layers (hooks), W_h width of hook h, D hidden,
 * F features of a view.
 */
package dev.neurolens.activation;
