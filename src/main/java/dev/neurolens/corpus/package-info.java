/**
 * Reading source code into snippets: directories, single files, zip/jar archives (Maven
 * {@code -sources.jar}), JSONL datasets, and the bundled default corpus.
 *
 * <p>{@link dev.neurolens.corpus.Languages} is the language table (file extensions, tree-sitter
 * grammar, which node types are functions, literals, comments, blocks...); adding a language is one
 * entry there. {@link dev.neurolens.corpus.SyntaxTree} flattens a tree-sitter parse into plain Java
 * arrays with UTF-16 character offsets, so no other package touches the native bindings.
 * {@link dev.neurolens.corpus.CorpusReader} cuts files into methods (or keeps whole files), skips
 * binary and non-UTF-8 files, caps snippet length, removes duplicates and samples with a seed; the
 * resulting {@link dev.neurolens.corpus.Corpus} carries its statistics and a stable content hash.
 * {@code SourceFiles} lists a corpus by name (directory walk, zip central directories) and reads
 * one file at a time with a byte cap and a zip-bomb guard, so hostile inputs cost neither memory
 * nor time: what is skipped, and why, is counted.
 *
 * <p>This package imports only {@code util}.
 */
package dev.neurolens.corpus;
