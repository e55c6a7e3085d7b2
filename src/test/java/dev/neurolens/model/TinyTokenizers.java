package dev.neurolens.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small Hugging Face tokenizer.json files of the decoder families, built in code: a GPT-2
 * byte-level BPE (every byte a token, {@code Ġ} for a space, no specials added; with RoBERTa
 * specials {@code <s> ... </s>} it is CodeT5's tokenizer), and a Llama sentencepiece-converted
 * BPE ({@code ▁} for a space prepended and replacing spaces, byte fallback {@code <0x00>..<0xFF>}
 * for anything outside the vocabulary, {@code <s>} prepended). Merges build a few dozen code
 * words left to right, so that pieces span several characters.
 */
public final class TinyTokenizers {
  /** Words that get merges (in plain text; a leading space becomes Ġ or ▁). */
  private static final String[] WORDS = {
    " int", " return", "public", " static", " void", " class", " if", " else", " for", " while", "  ", "    ",
    " x", " y", " a", " b", " =", " +", " ==", "()", "){", " {", " }", ";", "re", "turn", "get", "Name", " new",
    " String", " self", "def", " i", "++", " 0", " 1", "\t", "\n", "\n    ", " //", " name", " value"
  };

  private TinyTokenizers() {}

  /** GPT-2's byte -> printable character table (bytes_to_unicode). */
  static char[] byteChars() {
    List<Integer> bs = new ArrayList<>();
    for (int b = '!'; b <= '~'; b++) {
      bs.add(b);
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      bs.add(b);
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      bs.add(b);
    }
    char[] out = new char[256];
    for (int b : bs) {
      out[b] = (char) b;
    }
    int n = 0;
    for (int b = 0; b < 256; b++) {
      if (!bs.contains(b)) {
        out[b] = (char) (256 + n++);
      }
    }
    return out;
  }

  private static String byteLevel(String text, char[] table) {
    StringBuilder sb = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      sb.append(table[b & 0xff]);
    }
    return sb.toString();
  }

  /** Left-to-right merges of {@code words} (already in vocabulary characters), adding each prefix to the vocab. */
  private static List<String> merges(List<String> words, Map<String, Integer> vocab) {
    List<String> merges = new ArrayList<>();
    for (String w : words) {
      int[] cps = w.codePoints().toArray();
      String acc = new String(cps, 0, 1);
      for (int i = 1; i < cps.length; i++) {
        String next = new String(cps, i, 1);
        String merged = acc + next;
        if (!vocab.containsKey(merged)) {
          vocab.put(merged, vocab.size());
          merges.add(acc + " " + next);
        }
        acc = merged;
      }
    }
    return merges;
  }

  /** The GPT-2 vocabulary size (256 bytes, merges, {@code <|endoftext|>}; plus 3 with RoBERTa specials). */
  public static int byteLevelVocabSize(boolean robertaSpecials) {
    return ((ObjectNode) read(byteLevelBpe(robertaSpecials)).path("model").path("vocab")).size();
  }

  /**
   * A byte-level BPE tokenizer.json. Without {@code robertaSpecials}: GPT-2 ({@code <|endoftext|>}
   * is the last id, nothing is added when encoding). With: {@code <s>=0, <pad>=1, </s>=2} first and
   * RoBERTa's post-processor ({@code <s> A </s>}), as CodeT5's tokenizer.
   */
  public static String byteLevelBpe(boolean robertaSpecials) {
    ObjectMapper m = new ObjectMapper();
    char[] table = byteChars();
    Map<String, Integer> vocab = new LinkedHashMap<>();
    if (robertaSpecials) {
      for (String s : new String[] {"<s>", "<pad>", "</s>"}) {
        vocab.put(s, vocab.size());
      }
    }
    for (int b = 0; b < 256; b++) {
      vocab.put(String.valueOf(table[b]), vocab.size());
    }
    List<String> words = new ArrayList<>();
    for (String w : WORDS) {
      words.add(byteLevel(w, table));
    }
    List<String> merges = merges(words, vocab);
    vocab.put("<|endoftext|>", vocab.size());
    ObjectNode root = m.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    List<String> specials = robertaSpecials ? List.of("<s>", "<pad>", "</s>", "<|endoftext|>") : List.of("<|endoftext|>");
    for (String s : specials) {
      added.addObject().put("id", vocab.get(s)).put("content", s).put("single_word", false).put("lstrip", false)
          .put("rstrip", false).put("normalized", false).put("special", true);
    }
    root.putNull("normalizer");
    root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true)
        .put("use_regex", true);
    if (robertaSpecials) {
      ObjectNode post = root.putObject("post_processor").put("type", "RobertaProcessing");
      post.putArray("sep").add("</s>").add(2);
      post.putArray("cls").add("<s>").add(0);
      post.put("trim_offsets", true).put("add_prefix_space", false);
    } else {
      root.putObject("post_processor").put("type", "ByteLevel").put("add_prefix_space", true)
          .put("trim_offsets", false).put("use_regex", true);
    }
    root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true)
        .put("use_regex", true);
    ObjectNode model = root.putObject("model").put("type", "BPE").putNull("dropout").putNull("unk_token")
        .put("continuing_subword_prefix", "").put("end_of_word_suffix", "").put("fuse_unk", false)
        .put("byte_fallback", false);
    ObjectNode v = model.putObject("vocab");
    vocab.forEach(v::put);
    ArrayNode mg = model.putArray("merges");
    merges.forEach(mg::add);
    return root.toString();
  }

  /** The Llama vocabulary size. */
  public static int llamaVocabSize() {
    return ((ObjectNode) read(llamaBpe()).path("model").path("vocab")).size();
  }

  /**
   * A Llama/CodeLlama-style tokenizer.json: {@code <unk>=0, <s>=1, </s>=2}, byte tokens
   * {@code <0x00>..<0xFF>}, {@code ▁}, ASCII letters, digits and punctuation, merged code words;
   * normalizer prepends {@code ▁} and replaces spaces by it; {@code <s>} is prepended.
   */
  public static String llamaBpe() {
    ObjectMapper m = new ObjectMapper();
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (String s : new String[] {"<unk>", "<s>", "</s>"}) {
      vocab.put(s, vocab.size());
    }
    for (int b = 0; b < 256; b++) {
      vocab.put(String.format("<0x%02X>", b), vocab.size());
    }
    vocab.put("\u2581", vocab.size());
    for (char c = '!'; c <= '~'; c++) {
      vocab.putIfAbsent(String.valueOf(c), vocab.size());
    }
    List<String> words = new ArrayList<>();
    for (String w : WORDS) {
      if (!w.contains("\t") && !w.contains("\n")) {
        words.add(w.replace(' ', '\u2581'));
      }
    }
    List<String> merges = merges(words, vocab);
    ObjectNode root = m.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (String s : new String[] {"<unk>", "<s>", "</s>"}) {
      added.addObject().put("id", vocab.get(s)).put("content", s).put("single_word", false).put("lstrip", false)
          .put("rstrip", false).put("normalized", false).put("special", true);
    }
    ObjectNode norm = root.putObject("normalizer").put("type", "Sequence");
    ArrayNode ns = norm.putArray("normalizers");
    ns.addObject().put("type", "Prepend").put("prepend", "\u2581");
    ns.addObject().put("type", "Replace").<ObjectNode>set("pattern", m.createObjectNode().put("String", " "))
        .put("content", "\u2581");
    root.putNull("pre_tokenizer");
    ObjectNode post = root.putObject("post_processor").put("type", "TemplateProcessing");
    post.putArray("single").addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
    ((ArrayNode) post.get("single")).addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    ArrayNode pair = post.putArray("pair");
    pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
    pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
    ObjectNode st = post.putObject("special_tokens").putObject("<s>").put("id", "<s>");
    st.putArray("ids").add(1);
    st.putArray("tokens").add("<s>");
    ObjectNode dec = root.putObject("decoder").put("type", "Sequence");
    ArrayNode ds = dec.putArray("decoders");
    ds.addObject().put("type", "Replace").<ObjectNode>set("pattern", m.createObjectNode().put("String", "\u2581"))
        .put("content", " ");
    ds.addObject().put("type", "ByteFallback");
    ds.addObject().put("type", "Fuse");
    ObjectNode model = root.putObject("model").put("type", "BPE").putNull("dropout").put("unk_token", "<unk>")
        .putNull("continuing_subword_prefix").putNull("end_of_word_suffix").put("fuse_unk", true)
        .put("byte_fallback", true);
    ObjectNode v = model.putObject("vocab");
    vocab.forEach(v::put);
    ArrayNode mg = model.putArray("merges");
    merges.forEach(mg::add);
    return root.toString();
  }

  private static com.fasterxml.jackson.databind.JsonNode read(String json) {
    try {
      return new ObjectMapper().readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
