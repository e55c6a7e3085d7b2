package dev.neurolens.activation;

/**
 * What an extraction produced.
 *
 * <p>Usage: {@code ExtractionResult r = new Extractor(options).extract(model, inputs, storeDir,
 * StoreWriter.Mode.CREATE_OR_RESUME); r.tokensPerSecond()}
 *
 * @param snippets S, snippets in the store
 * @param tokens N, rows in the store
 * @param layers hooks captured
 * @param hidden D, the model's hidden size
 * @param tokensPerSecond code tokens extracted per second in this run (0 when nothing ran)
 * @param bytes size of the store on disk
 * @param resumedSnippets snippets found already complete (0 for a fresh store)
 * @param seconds wall time of this run
 * @param firstSnippetSeconds from the start of this run (model loaded) until the first snippet was
 *     written to the store; NaN when none was written
 */
public record ExtractionResult(
    int snippets, long tokens, int layers, int hidden, double tokensPerSecond, long bytes,
    int resumedSnippets, double seconds, double firstSnippetSeconds) {}
