package dev.neurolens.model.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.TokenBatch;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Compares a NeuroLens model's last hidden state with ONNX Runtime's on the same padded batches;
 * only real (unpadded) positions are compared.
 *
 * <p>Usage: {@code ParityCheck.Report r = ParityCheck.run(model, ort, ParityCheck.codeSnippets(64, 2000), 8)}
 */
public final class ParityCheck {
  /** The default corpus jar the snippets come from (a classpath resource). */
  static final String CORPUS_JAR = "neurolens/corpus/commons-lang3-sources.jar";

  private ParityCheck() {}

  /**
   * The result of a parity check.
   *
   * @param maxAbsDiff largest |ours - reference| over all real positions and hidden units
   * @param meanAbsDiff mean |ours - reference|
   * @param inputs number of texts
   * @param tokens number of real tokens compared
   * @param batches number of padded batches
   */
  public record Report(double maxAbsDiff, double meanAbsDiff, int inputs, long tokens, int batches) {
    public Report {
      if (!(maxAbsDiff >= 0) || !(meanAbsDiff >= 0) || inputs < 0 || tokens < 0 || batches < 0) {
        throw new IllegalArgumentException("parity report values must be >= 0, found max " + maxAbsDiff
            + ", mean " + meanAbsDiff);
      }
    }
  }

  /** Runs {@code texts} through both engines in padded batches of {@code batchSize}. */
  public static Report run(EncoderModel model, OrtReference ort, List<String> texts, int batchSize) {
    if (batchSize < 1) {
      throw new NeuroLensException("--batch must be >= 1, found " + batchSize);
    }
    int d = model.config().hiddenSize();
    double max = 0;
    double sum = 0;
    long n = 0;
    long tokens = 0;
    int batches = 0;
    for (int start = 0; start < texts.size(); start += batchSize) {
      List<int[]> rows = new ArrayList<>();
      for (String text : texts.subList(start, Math.min(texts.size(), start + batchSize))) {
        rows.add(model.tokenizer().encode(text).ids());
      }
      TokenBatch batch = new TokenBatch(rows);
      int t = batch.maxLength();
      float[] ours;
      try (NDManager m = NDManager.newBaseManager()) {
        NDArray h = model.forward(m, batch);
        ours = h.toFloatArray();
      }
      float[] ref = ort.lastHidden(rows);
      if (ref.length != ours.length) {
        throw new IllegalStateException("ONNX Runtime returned " + ref.length + " values, NeuroLens " + ours.length);
      }
      for (int r = 0; r < rows.size(); r++) {
        for (int j = 0; j < rows.get(r).length; j++) {
          int base = (r * t + j) * d;
          for (int k = 0; k < d; k++) {
            double diff = Math.abs(ours[base + k] - ref[base + k]);
            max = Math.max(max, diff);
            sum += diff;
            n++;
          }
        }
        tokens += rows.get(r).length;
      }
      batches++;
    }
    return new Report(max, n == 0 ? 0 : sum / n, texts.size(), tokens, batches);
  }

  /**
   * {@code count} real code snippets of varied length (1 to 30 lines) from the Java sources of
   * Apache Commons Lang in the default corpus, each cut to at most {@code maxChars} characters.
   */
  public static List<String> codeSnippets(int count, int maxChars) {
    List<String> files = new ArrayList<>();
    try (InputStream in = ParityCheck.class.getClassLoader().getResourceAsStream(CORPUS_JAR)) {
      if (in == null) {
        throw new NeuroLensException("classpath resource " + CORPUS_JAR + " is missing (build with mvn package first)");
      }
      try (ZipInputStream zip = new ZipInputStream(in)) {
        for (ZipEntry e; (e = zip.getNextEntry()) != null && files.size() < count * 2; ) {
          if (e.getName().endsWith(".java") && !e.getName().endsWith("package-info.java")) {
            files.add(new String(zip.readAllBytes(), StandardCharsets.UTF_8));
          }
        }
      }
    } catch (IOException e) {
      throw new NeuroLensException(CORPUS_JAR + ": cannot read (" + e.getMessage() + ")", e);
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; out.size() < count && i < files.size(); i++) {
      List<String> lines = files.get(i).lines().filter(l -> !l.isBlank()).toList();
      int from = Math.min(lines.size() - 1, 20 + (i * 13) % Math.max(1, lines.size() - 20));
      int len = 1 + (i * 7) % 30;
      String s = String.join("\n", lines.subList(Math.max(0, from), Math.min(lines.size(), from + len)));
      if (!s.isBlank()) {
        out.add(s.length() > maxChars ? s.substring(0, maxChars) : s);
      }
    }
    if (out.size() < count) {
      throw new NeuroLensException(CORPUS_JAR + ": found only " + out.size() + " snippets, need " + count);
    }
    return out;
  }
}
