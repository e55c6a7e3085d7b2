package dev.neurolens.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A small lower-casing WordPiece tokenizer.json for tiny test models: the BERT specials
 * ({@code [PAD]=0, [UNK]=1, [CLS]=2, [SEP]=3, [MASK]=4}), single letters, digits and ASCII
 * punctuation, a few dozen code keywords, and {@code ##}-continuations of letters and digits, so
 * any ASCII code tokenizes without {@code [UNK]}.
 */
final class TinyVocab {
  static final String[] SPECIALS = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  private static final String PUNCT = "(){}[];,.=+-*/<>!&|\"':_#@%^~?\\$`";
  private static final String[] WORDS = {
    "public", "private", "static", "void", "int", "return", "class", "if", "else", "for", "while",
    "new", "this", "null", "true", "false", "string", "import", "def", "self", "function", "var",
    "let", "const", "final", "get", "set", "value", "name", "list", "map", "##s", "##er", "##ing"
  };

  private TinyVocab() {}

  /** The vocabulary in id order. */
  static List<String> tokens() {
    List<String> v = new ArrayList<>(List.of(SPECIALS));
    for (char c = 'a'; c <= 'z'; c++) {
      v.add(String.valueOf(c));
    }
    for (char c = '0'; c <= '9'; c++) {
      v.add(String.valueOf(c));
    }
    for (char c : PUNCT.toCharArray()) {
      v.add(String.valueOf(c));
    }
    for (String w : WORDS) {
      if (!v.contains(w)) {
        v.add(w);
      }
    }
    for (char c = 'a'; c <= 'z'; c++) {
      v.add("##" + c);
    }
    for (char c = '0'; c <= '9'; c++) {
      v.add("##" + c);
    }
    return v;
  }

  /** The tokenizer.json text. */
  static String json() {
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = m.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (int i = 0; i < SPECIALS.length; i++) {
      added.addObject().put("id", i).put("content", SPECIALS[i]).put("single_word", false)
          .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
    }
    root.putObject("normalizer").put("type", "BertNormalizer").put("clean_text", true)
        .put("handle_chinese_chars", true).putNull("strip_accents").put("lowercase", true);
    root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
    ObjectNode post = root.putObject("post_processor").put("type", "BertProcessing");
    post.putArray("sep").add("[SEP]").add(3);
    post.putArray("cls").add("[CLS]").add(2);
    root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", true);
    ObjectNode model = root.putObject("model").put("type", "WordPiece").put("unk_token", "[UNK]")
        .put("continuing_subword_prefix", "##").put("max_input_chars_per_word", 100);
    ObjectNode vocab = model.putObject("vocab");
    List<String> tokens = tokens();
    for (int i = 0; i < tokens.size(); i++) {
      vocab.put(tokens.get(i), i);
    }
    return root.toString();
  }
}
