package dev.neurolens.model;

import dev.neurolens.model.safetensors.Safetensors;
import dev.neurolens.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Hugging Face directories of tiny GPT-2, Llama and T5-encoder models with seeded random weights,
 * written as the Hugging Face libraries write them (checkpoint names and layouts: GPT-2 Conv1D
 * weights (in, out), {@code transformer.}/{@code model.}/{@code encoder.} prefixes, an
 * {@code lm_head}, T5 decoder tensors that the encoder ignores) with the tokenizers of
 * {@link TinyTokenizers}. Weights: matrices N(0, 0.2²), embeddings N(0, 0.5²), norm gains
 * 1 + N(0, 0.1²), biases N(0, 0.1²); the same seed gives the same directory.
 */
public final class TinyFamilies {
  /**
   * The shape of a tiny model.
   *
   * @param kvHeads key/value heads (Llama; ignored by the others)
   * @param vocab at least this many embedding rows (the tokenizer's size if larger)
   */
  public record Spec(int layers, int hidden, int heads, int inner, int kvHeads, int vocab) {
    /** 2 layers, hidden 32, 4 heads (2 key/value heads), FFN 64. */
    public static Spec small() {
      return new Spec(2, 32, 4, 64, 2, 0);
    }
  }

  private TinyFamilies() {}

  /** A GPT-2 directory (weights under the {@code transformer.} prefix, with an lm_head). */
  public static Path gpt2(Path dir, long seed, Spec s) {
    Random r = new Random(seed);
    int v = Math.max(s.vocab(), TinyTokenizers.byteLevelVocabSize(false));
    int d = s.hidden();
    int m = s.inner();
    int positions = 128;
    Map<String, FloatTensor> w = new LinkedHashMap<>();
    String t = "transformer.";
    w.put(t + "wte.weight", normal(r, 0, 0.5f, v, d));
    w.put(t + "wpe.weight", normal(r, 0, 0.5f, positions, d));
    for (int i = 0; i < s.layers(); i++) {
      String b = t + "h." + i + ".";
      norm(w, r, b + "ln_1.", d, true);
      w.put(b + "attn.c_attn.weight", normal(r, 0, 0.2f, d, 3 * d)); // Conv1D: (in, out)
      w.put(b + "attn.c_attn.bias", normal(r, 0, 0.1f, 3 * d));
      w.put(b + "attn.c_proj.weight", normal(r, 0, 0.2f, d, d));
      w.put(b + "attn.c_proj.bias", normal(r, 0, 0.1f, d));
      norm(w, r, b + "ln_2.", d, true);
      w.put(b + "mlp.c_fc.weight", normal(r, 0, 0.2f, d, m));
      w.put(b + "mlp.c_fc.bias", normal(r, 0, 0.1f, m));
      w.put(b + "mlp.c_proj.weight", normal(r, 0, 0.2f, m, d));
      w.put(b + "mlp.c_proj.bias", normal(r, 0, 0.1f, d));
    }
    norm(w, r, t + "ln_f.", d, true);
    w.put("lm_head.weight", w.get(t + "wte.weight"));
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("architectures", java.util.List.of("GPT2LMHeadModel"));
    c.put("model_type", "gpt2");
    c.put("n_layer", s.layers());
    c.put("n_embd", d);
    c.put("n_head", s.heads());
    c.put("n_inner", m);
    c.put("n_positions", positions);
    c.put("n_ctx", positions);
    c.put("vocab_size", v);
    c.put("layer_norm_epsilon", 1e-5);
    c.put("activation_function", "gelu_new");
    c.put("bos_token_id", v - 1);
    c.put("eos_token_id", v - 1);
    return write(dir, c, w, TinyTokenizers.byteLevelBpe(false));
  }

  /** A Llama directory ({@code model.} prefix, untied lm_head); {@code extra} entries go into config.json. */
  public static Path llama(Path dir, long seed, Spec s, Map<String, Object> extra) {
    Random r = new Random(seed);
    int v = Math.max(s.vocab(), TinyTokenizers.llamaVocabSize());
    int d = s.hidden();
    int m = s.inner();
    int kv = s.kvHeads() * (d / s.heads());
    Map<String, FloatTensor> w = new LinkedHashMap<>();
    w.put("model.embed_tokens.weight", normal(r, 0, 0.5f, v, d));
    for (int i = 0; i < s.layers(); i++) {
      String b = "model.layers." + i + ".";
      norm(w, r, b + "input_layernorm.", d, false);
      w.put(b + "self_attn.q_proj.weight", normal(r, 0, 0.2f, d, d));
      w.put(b + "self_attn.k_proj.weight", normal(r, 0, 0.2f, kv, d));
      w.put(b + "self_attn.v_proj.weight", normal(r, 0, 0.2f, kv, d));
      w.put(b + "self_attn.o_proj.weight", normal(r, 0, 0.2f, d, d));
      norm(w, r, b + "post_attention_layernorm.", d, false);
      w.put(b + "mlp.gate_proj.weight", normal(r, 0, 0.2f, m, d));
      w.put(b + "mlp.up_proj.weight", normal(r, 0, 0.2f, m, d));
      w.put(b + "mlp.down_proj.weight", normal(r, 0, 0.2f, d, m));
    }
    norm(w, r, "model.norm.", d, false);
    w.put("lm_head.weight", normal(r, 0, 0.2f, v, d));
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("architectures", java.util.List.of("LlamaForCausalLM"));
    c.put("model_type", "llama");
    c.put("num_hidden_layers", s.layers());
    c.put("hidden_size", d);
    c.put("num_attention_heads", s.heads());
    c.put("num_key_value_heads", s.kvHeads());
    c.put("intermediate_size", m);
    c.put("max_position_embeddings", 256);
    c.put("vocab_size", v);
    c.put("rms_norm_eps", 1e-6);
    c.put("hidden_act", "silu");
    c.put("rope_theta", 10000.0);
    c.put("bos_token_id", 1);
    c.put("eos_token_id", 2);
    c.put("tie_word_embeddings", false);
    c.putAll(extra);
    return write(dir, c, w, TinyTokenizers.llamaBpe());
  }

  /** A T5 directory (encoder and a few decoder tensors; CodeT5's byte-level tokenizer). */
  public static Path t5(Path dir, long seed, Spec s, boolean gated) {
    Random r = new Random(seed);
    int v = Math.max(s.vocab(), TinyTokenizers.byteLevelVocabSize(true));
    int d = s.hidden();
    int m = s.inner();
    int buckets = 8;
    Map<String, FloatTensor> w = new LinkedHashMap<>();
    w.put("shared.weight", normal(r, 0, 0.5f, v, d));
    for (int i = 0; i < s.layers(); i++) {
      String b = "encoder.block." + i + ".layer.";
      for (String p : new String[] {"q", "k", "v", "o"}) {
        w.put(b + "0.SelfAttention." + p + ".weight", normal(r, 0, 0.2f, d, d));
      }
      if (i == 0) {
        w.put(b + "0.SelfAttention.relative_attention_bias.weight", normal(r, 0, 0.5f, buckets, s.heads()));
      }
      norm(w, r, b + "0.layer_norm.", d, false);
      if (gated) {
        w.put(b + "1.DenseReluDense.wi_0.weight", normal(r, 0, 0.2f, m, d));
        w.put(b + "1.DenseReluDense.wi_1.weight", normal(r, 0, 0.2f, m, d));
      } else {
        w.put(b + "1.DenseReluDense.wi.weight", normal(r, 0, 0.2f, m, d));
      }
      w.put(b + "1.DenseReluDense.wo.weight", normal(r, 0, 0.2f, d, m));
      norm(w, r, b + "1.layer_norm.", d, false);
    }
    norm(w, r, "encoder.final_layer_norm.", d, false);
    norm(w, r, "decoder.final_layer_norm.", d, false);
    w.put("decoder.block.0.layer.0.SelfAttention.q.weight", normal(r, 0, 0.2f, d, d));
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("architectures", java.util.List.of("T5ForConditionalGeneration"));
    c.put("model_type", "t5");
    c.put("num_layers", s.layers());
    c.put("num_decoder_layers", 1);
    c.put("d_model", d);
    c.put("d_kv", d / s.heads());
    c.put("num_heads", s.heads());
    c.put("d_ff", m);
    c.put("vocab_size", v);
    c.put("relative_attention_num_buckets", buckets);
    c.put("relative_attention_max_distance", 16);
    c.put("layer_norm_epsilon", 1e-6);
    c.put("feed_forward_proj", gated ? "gated-gelu" : "relu");
    c.put("pad_token_id", 1);
    c.put("eos_token_id", 2);
    c.put("is_encoder_decoder", true);
    return write(dir, c, w, TinyTokenizers.byteLevelBpe(true));
  }

  /** The checkpoint of a directory, as stored (checkpoint names and layouts). */
  public static Map<String, FloatTensor> checkpoint(Path dir) {
    return Safetensors.read(dir.resolve("model.safetensors"));
  }

  private static Path write(Path dir, Map<String, Object> config, Map<String, FloatTensor> w, String tokenizer) {
    try {
      Files.createDirectories(dir);
      Json.writeAtomically(dir.resolve("config.json"), config);
      Files.writeString(dir.resolve("tokenizer.json"), tokenizer);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, FloatTensor> unique = new LinkedHashMap<>(w);
    if (unique.get("lm_head.weight") == unique.get("transformer.wte.weight")) {
      unique.remove("lm_head.weight"); // tied: safetensors stores shared tensors once
    }
    Safetensors.write(dir.resolve("model.safetensors"), unique);
    return dir;
  }

  private static void norm(Map<String, FloatTensor> w, Random r, String prefix, int d, boolean bias) {
    w.put(prefix + "weight", normal(r, 1f, 0.1f, d));
    if (bias) {
      w.put(prefix + "bias", normal(r, 0f, 0.1f, d));
    }
  }

  static FloatTensor normal(Random r, float mean, float std, int... shape) {
    int n = 1;
    long[] s = new long[shape.length];
    for (int i = 0; i < shape.length; i++) {
      n *= shape[i];
      s[i] = shape[i];
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = mean + std * (float) r.nextGaussian();
    }
    return new FloatTensor(s, v);
  }
}
