package dev.neurolens.rank;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What one neuron stands for (ALGORITHMS.md section 7): the majority label of its top-|z| tokens
 * with its purity, its top token types by mean |z|, and the snippets where it fires hardest.
 *
 * <p>Usage: {@code NeuronProfile p = analyzer.analyze(x, new int[] {feature}, tokens).get(0); p.concept()}
 *
 * @param feature the neuron's feature id in the activation matrix (layer position · D + index)
 * @param concept the majority label among the neuron's top-activating tokens; {@code null} when
 *     the neuron is constant (no direction to rank by) or none of those tokens is labelled
 * @param purity the share of that label among the labelled top-activating tokens, in [0, 1]; 0
 *     when {@code concept} is null
 * @param topTokens token types, best first, with normalised scores in (minScore, 1]
 * @param contexts top-activating snippets, best first (highest peak |activation|)
 */
public record NeuronProfile(
    int feature, String concept, double purity, List<TokenScore> topTokens, List<Context> contexts) {

  public NeuronProfile {
    if (feature < 0) {
      throw new IllegalArgumentException("feature must be >= 0, found " + feature);
    }
    if (!(purity >= 0 && purity <= 1)) {
      throw new IllegalArgumentException("purity must be in [0, 1], found " + purity);
    }
    if (concept == null && purity != 0) {
      throw new IllegalArgumentException("purity must be 0 without a concept, found " + purity);
    }
    topTokens = List.copyOf(topTokens);
    contexts = List.copyOf(contexts);
  }

  /** Whether the neuron was assigned a concept. */
  public boolean hasConcept() {
    return concept != null;
  }

  /**
   * One token type's score for a neuron.
   *
   * @param token the token text (the type)
   * @param score mean |z| of the neuron over the type's occurrences, divided by the best type's
   * @param count occurrences of the type in the analysed rows
   */
  public record TokenScore(String token, double score, int count) {
    public TokenScore {
      Objects.requireNonNull(token, "token");
      if (!(score >= 0 && score <= 1)) {
        throw new IllegalArgumentException("score must be in [0, 1], found " + score);
      }
      if (count < 1) {
        throw new IllegalArgumentException("count must be >= 1, found " + count);
      }
    }
  }

  /**
   * One snippet with the neuron's raw activation on each of its tokens, for a heat-map: colour
   * by sign, opacity {@link #opacities()}.
   *
   * @param snippet the snippet id (from the caller's snippet-of-row array)
   * @param firstRow the matrix row of the snippet's first token
   * @param tokens the snippet's token texts, in order
   * @param values the neuron's activation on each token (same length as {@code tokens})
   */
  public record Context(int snippet, int firstRow, List<String> tokens, double[] values) {
    public Context {
      tokens = List.copyOf(tokens);
      values = values.clone();
      if (tokens.size() != values.length) {
        throw new IllegalArgumentException(
            "tokens (" + tokens.size() + ") and values (" + values.length + ") must have equal length");
      }
      if (firstRow < 0) {
        throw new IllegalArgumentException("firstRow must be >= 0, found " + firstRow);
      }
    }

    @Override
    public double[] values() {
      return values.clone();
    }

    /** Largest finite |activation| in the snippet, 0 when there is none. */
    public double maxAbs() {
      double max = 0;
      for (double v : values) {
        if (Double.isFinite(v)) {
          max = Math.max(max, Math.abs(v));
        }
      }
      return max;
    }

    /** Heat-map opacity per token, |a| / max|a| in [0, 1]; all 0 for an all-zero snippet. */
    public double[] opacities() {
      double max = maxAbs();
      double[] o = new double[values.length];
      for (int i = 0; i < o.length; i++) {
        o[i] = max > 0 && Double.isFinite(values[i]) ? Math.abs(values[i]) / max : 0;
      }
      return o;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Context c
          && snippet == c.snippet
          && firstRow == c.firstRow
          && tokens.equals(c.tokens)
          && Arrays.equals(values, c.values);
    }

    @Override
    public int hashCode() {
      return Objects.hash(snippet, firstRow, tokens) * 31 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return "Context[snippet=" + snippet + ", firstRow=" + firstRow + ", tokens=" + tokens
          + ", values=" + Arrays.toString(values) + "]";
    }
  }
}
