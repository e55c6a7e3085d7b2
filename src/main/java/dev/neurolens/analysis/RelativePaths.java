package dev.neurolens.analysis;

import dev.neurolens.analysis.AnalysisResult.CorpusInfo;
import dev.neurolens.analysis.AnalysisResult.Example;
import dev.neurolens.analysis.AnalysisResult.ExtractionInfo;
import dev.neurolens.analysis.AnalysisResult.ModelInfo;
import dev.neurolens.analysis.AnalysisResult.ProfiledNeuron;
import dev.neurolens.util.PathText;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Results as written for sharing: the paths they name (model directory, corpus, store, compared
 * models, snippet ids) made relative to the folder they are written to (see {@link PathText}).
 *
 * <p>Usage: {@code RelativePaths.of(result, outDir).write(outDir.resolve("results.json"))}
 */
public final class RelativePaths {
  private RelativePaths() {}

  /** {@code r} with its paths relative to {@code dir}. */
  public static AnalysisResult of(AnalysisResult r, Path dir) {
    UnaryOperator<String> rel = t -> PathText.relativeTo(dir, t);
    ModelInfo m = r.model();
    ModelInfo mi = new ModelInfo(rel.apply(m.id()), m.type(), m.layers(), m.hidden(), m.heads(), m.parameters(),
        m.weightChecksum());
    CorpusInfo c = r.corpus();
    String spec = rel.apply(c.spec());
    String hash = c.hash() == null || c.spec().equals(spec) ? c.hash() : c.hash().replace(c.spec(), spec);
    CorpusInfo ci = new CorpusInfo(spec, c.lang(), c.snippets(), c.tokens(), hash);
    ExtractionInfo e = r.extraction();
    ExtractionInfo ei = new ExtractionInfo(e.aggregation(), e.dtype(), e.tokensPerS(), e.seconds(), e.reused(),
        rel.apply(e.store()));
    // snippet ids begin with the corpus path as given ("/home/ana/src/A.java#twice@2"): the same prefix, relative
    String given = c.spec();
    try {
      given = Path.of(c.spec()).toString();
    } catch (InvalidPathException ex) {
      // not a path: ids are left as they are
    }
    String prefix = given;
    UnaryOperator<String> id = sid ->
        sid != null && !spec.equals(c.spec()) && sid.startsWith(prefix) ? spec + sid.substring(prefix.length()) : sid;
    List<ProfiledNeuron> ns = r.neurons().stream().map(n -> new ProfiledNeuron(n.layer(), n.index(), n.hook(),
        n.concept(), n.purity(), n.topTokens(), n.examples().stream().map(x -> new Example(id.apply(x.snippet()),
        x.first(), x.tokens(), x.values())).toList(), n.rankedFor(), n.task(), n.detected())).toList();
    List<ConceptSection> cs = r.concepts().stream().map(s -> s.withSnippetIds(id)).toList();
    return new AnalysisResult(r.schemaVersion(), r.neurolensVersion(), r.created(), r.seed(), mi, ci, ei, r.tasks(),
        ns, cs, r.clustering(), r.cka(), r.comparison() == null ? null : of(r.comparison(), dir), r.timings());
  }

  /** {@code c} with its model paths relative to {@code dir}. */
  public static ComparisonResult of(ComparisonResult c, Path dir) {
    return new ComparisonResult(c.schemaVersion(), PathText.relativeTo(dir, c.base()), PathText.relativeTo(dir, c.tuned()),
        c.baseChecksum(), c.tunedChecksum(), c.tokens(), c.snippets(), c.rsaSnippets(), c.layers(), c.tasks(),
        c.relocation(), c.freezeAdvice());
  }
}
