package dev.neurolens.corpus;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Snippets read from one corpus specification, in deterministic order.
 *
 * <p>Usage: {@code Corpus c = CorpusReader.builder().build().read("default"); int n = c.snippets().size()}
 *
 * @param spec what was read ({@code "default"}, a path) plus the reading options
 * @param snippets the snippets, sorted by source then position
 * @param stats counts of what was read and skipped
 */
public record Corpus(String spec, List<Snippet> snippets, CorpusStats stats) {
  public Corpus {
    Objects.requireNonNull(spec, "spec");
    snippets = List.copyOf(snippets);
    Objects.requireNonNull(stats, "stats");
  }

  /** SHA-256 (hex) of the snippet ids and code, in order: equal hashes = same inputs. */
  public String hash() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Snippet s : snippets) {
        md.update(s.id().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(s.code().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
