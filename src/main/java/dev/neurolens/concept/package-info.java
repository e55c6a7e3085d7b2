/**
 * Concept labels for code tokens and snippets, computed with tree-sitter: lexical (coarse and
 * fine), syntactic, structural and identifier-role token labels; sentence-level labels (loops,
 * returns-void, complexity, length, name-verb, language, user label); control tasks (Hewitt &amp;
 * Liang) and seeded train/dev/test splits by snippet.
 *
 * <p>{@link dev.neurolens.concept.CodeLabeller} turns a {@link dev.neurolens.corpus.Snippet} into
 * a {@link dev.neurolens.concept.LabelledSnippet}; {@link dev.neurolens.concept.Tasks} names the
 * tasks; {@link dev.neurolens.concept.LabelWriter} writes JSONL and NeuroX-style parallel files.
 * Code tokens are the leaves of the syntax tree (string and character literals whole, comments one
 * token each); their offsets are UTF-16 chars into {@code Snippet.code}.
 *
 * <p>This package imports {@code corpus} and {@code util}.
 */
package dev.neurolens.concept;
