package dev.neurolens.ablation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.model.HookName;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A set of neurons at hook points for model-level ablation: hook -> distinct column indices.
 *
 * <p>Parsed from an inline list ({@code blocks.3.resid_post:17,blocks.3.resid_post:42}), a
 * {@code ranking.json} written by {@code neurolens rank} (its {@code top} entries, each with
 * {@code hook} and {@code index}, optionally only the first {@code limit}), or a text file of
 * lines {@code blocks.3.resid_post 17} ({@code #} comments and blank lines ignored).
 *
 * <p>Usage: {@code Map<HookName, int[]> neurons = NeuronSet.parse("blocks.3.resid_post:17", 0)}
 */
public final class NeuronSet {

  private NeuronSet() {}

  /**
   * Parses {@code spec}: an existing file (ranking.json or text lines), else an inline list.
   *
   * @param limit keep only the first {@code limit} neurons (0 = all)
   */
  public static Map<HookName, int[]> parse(String spec, int limit) {
    if (spec == null || spec.isBlank()) {
      throw new NeuroLensException("--neurons: must name a file or list hook:index pairs, found ''");
    }
    Path p = Path.of(spec);
    List<Map.Entry<HookName, Integer>> pairs;
    if (Files.isRegularFile(p)) {
      String text;
      try {
        text = Files.readString(p);
      } catch (IOException e) {
        throw new NeuroLensException(spec + ": cannot read neuron set (" + e.getMessage() + ")", e);
      }
      pairs = text.stripLeading().startsWith("{") ? fromRanking(spec, text) : fromLines(spec, text);
    } else {
      pairs = new ArrayList<>();
      for (String item : spec.split(",")) {
        int colon = item.lastIndexOf(':');
        if (colon < 0) {
          throw new NeuroLensException(
              "--neurons: entries must be hook:index (or an existing file), found '" + item.trim() + "'");
        }
        pairs.add(pair("--neurons", item.substring(0, colon), item.substring(colon + 1)));
      }
    }
    if (limit > 0 && pairs.size() > limit) {
      pairs = pairs.subList(0, limit);
    }
    if (pairs.isEmpty()) {
      throw new NeuroLensException(spec + ": neuron set is empty");
    }
    return group(pairs);
  }

  /** Groups pairs by hook (first-seen order), dropping duplicate indices. */
  static Map<HookName, int[]> group(List<Map.Entry<HookName, Integer>> pairs) {
    Map<HookName, Set<Integer>> m = new LinkedHashMap<>();
    for (Map.Entry<HookName, Integer> e : pairs) {
      m.computeIfAbsent(e.getKey(), k -> new LinkedHashSet<>()).add(e.getValue());
    }
    Map<HookName, int[]> out = new LinkedHashMap<>();
    m.forEach((h, s) -> out.put(h, s.stream().mapToInt(Integer::intValue).toArray()));
    return out;
  }

  private static List<Map.Entry<HookName, Integer>> fromRanking(String file, String text) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new NeuroLensException(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
    }
    JsonNode top = root.get("top");
    if (top == null || !top.isArray()) {
      throw new NeuroLensException(file + ": not a ranking.json (no \"top\" array)");
    }
    List<Map.Entry<HookName, Integer>> pairs = new ArrayList<>();
    for (JsonNode n : top) {
      if (!n.has("hook") || !n.has("index")) {
        throw new NeuroLensException(file + ": \"top\" entries need hook and index, found " + n);
      }
      pairs.add(pair(file, n.get("hook").asText(), n.get("index").asText()));
    }
    return pairs;
  }

  private static List<Map.Entry<HookName, Integer>> fromLines(String file, String text) {
    List<Map.Entry<HookName, Integer>> pairs = new ArrayList<>();
    for (String line : text.split("\\R")) {
      String s = line.strip();
      if (s.isEmpty() || s.startsWith("#")) {
        continue;
      }
      String[] parts = s.split("[\\s:]+");
      if (parts.length != 2) {
        throw new NeuroLensException(file + ": lines must be 'hook index', found '" + s + "'");
      }
      pairs.add(pair(file, parts[0], parts[1]));
    }
    return pairs;
  }

  private static Map.Entry<HookName, Integer> pair(String where, String hook, String index) {
    HookName h;
    try {
      h = HookName.parse(hook.trim());
    } catch (RuntimeException e) {
      throw new NeuroLensException(where + ": " + e.getMessage(), e);
    }
    int i;
    try {
      i = Integer.parseInt(index.trim());
    } catch (NumberFormatException e) {
      throw new NeuroLensException(where + ": neuron index must be an integer, found '" + index.trim() + "'", e);
    }
    if (i < 0) {
      throw new NeuroLensException(where + ": neuron index must be >= 0, found " + i);
    }
    return Map.entry(h, i);
  }
}
