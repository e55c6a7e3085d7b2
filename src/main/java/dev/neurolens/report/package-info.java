/**
 * Reports: a {@code results.json} tree (Jackson {@code JsonNode}, schema in docs/results-schema.md) to
 * one self-contained HTML page.
 *
 * <p>{@link dev.neurolens.report.HtmlReport} is the entry point ({@code read}, {@code render},
 * {@code write}). The page holds inline CSS, inline SVG charts and a few lines of inline script;
 * it references nothing on the network, so it can be mailed or archived as one file. Charts are
 * drawn by JFreeChart into JFreeSVG ({@code Charts}, headless AWT); the per-task sections live in
 * {@code TaskSection}, the neuron explorer with its heat-maps over code in {@code NeuronExplorer}.
 * This package reads only the JSON tree, never the analysis packages' classes.
 */
package dev.neurolens.report;
