package dev.neurolens.model;

import dev.neurolens.util.NeuroLensException;
import java.util.Objects;

/**
 * The typed name of an activation that can be captured or replaced during a forward pass.
 *
 * <p>Printed as {@code embed.out} for the embedding output (layer 0 of {@code hidden_states}) and
 * {@code blocks.{i}.{site}} for a site inside encoder block {@code i} (0-based). The layer
 * representations used by default are {@code embed.out} and each {@code blocks.{i}.resid_post},
 * which equal Hugging Face's {@code hidden_states[0..L]}.
 *
 * <p>Usage: {@code HookName h = HookName.of(3, HookName.Site.MLP_PRE); HookName r = HookName.residPost(3)}
 *
 * @param block the encoder block index, or -1 for {@link Site#EMBED_OUT}
 * @param site where in the block
 */
public record HookName(int block, Site site) {

  /** The places in the network that have a hook point. */
  public enum Site {
    EMBED_OUT("embed.out"),
    RESID_PRE("resid_pre"),
    ATTN_OUT("attn.out"),
    RESID_MID("resid_mid"),
    /** After the feed-forward activation function: the "neurons" of the MLP, width M. */
    MLP_PRE("mlp.pre"),
    MLP_OUT("mlp.out"),
    RESID_POST("resid_post");

    private final String label;

    Site(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }

    static Site ofLabel(String label) {
      for (Site s : values()) {
        if (s.label.equals(label) && s != EMBED_OUT) {
          return s;
        }
      }
      return null;
    }
  }

  public HookName {
    Objects.requireNonNull(site, "site");
    if (site == Site.EMBED_OUT ? block != -1 : block < 0) {
      throw new IllegalArgumentException(
          "hook " + site.label + ": block must be " + (site == Site.EMBED_OUT ? "-1" : ">= 0")
              + ", found " + block);
    }
  }

  /** The embedding output ({@code hidden_states[0]}). */
  public static HookName embedOut() {
    return new HookName(-1, Site.EMBED_OUT);
  }

  /** The output of block {@code i} ({@code hidden_states[i + 1]}). */
  public static HookName residPost(int i) {
    return new HookName(i, Site.RESID_POST);
  }

  public static HookName of(int block, Site site) {
    return new HookName(block, site);
  }

  /**
   * The hidden-state layer index of this hook (0 = embeddings, i + 1 = block i), used as the
   * "layer" of analyses.
   */
  public int layer() {
    return site == Site.EMBED_OUT ? 0 : block + 1;
  }

  /** Parses the printed form ({@code embed.out}, {@code blocks.3.mlp.pre}); for CLI input only. */
  public static HookName parse(String text) {
    if ("embed.out".equals(text)) {
      return embedOut();
    }
    String[] parts = text.split("\\.", 3);
    if (parts.length == 3 && parts[0].equals("blocks")) {
      Site site = Site.ofLabel(parts[2]);
      try {
        int block = Integer.parseInt(parts[1]);
        if (site != null && block >= 0) {
          return new HookName(block, site);
        }
      } catch (NumberFormatException e) {
        // fall through to the error below
      }
    }
    throw new NeuroLensException(
        "hook name '" + text + "' must be embed.out or blocks.{i}.{resid_pre|attn.out|resid_mid|"
            + "mlp.pre|mlp.out|resid_post}");
  }

  @Override
  public String toString() {
    return site == Site.EMBED_OUT ? "embed.out" : "blocks." + block + "." + site.label;
  }
}
