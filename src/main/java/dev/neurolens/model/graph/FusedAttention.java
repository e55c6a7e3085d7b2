package dev.neurolens.model.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Attention through PyTorch's fused {@code scaled_dot_product_attention}, whose CPU kernel works
 * through the keys in blocks with a running softmax and never holds the (B, H, T, T) scores. DJL
 * 0.32 has no binding for that operator, but it runs TorchScript: this class writes a TorchScript
 * archive of one module whose two methods call the operator (with and without an additive bias),
 * loads it once per JVM and calls it with the per-head tensors. Nothing is downloaded or stored.
 *
 * <p>Measured on 2 cores (Zen4, AVX-512), 12 heads of 32, padding masks, per attention call
 * (fused against matMul + softmax + matMul): 140 x 24 and 105 x 32 pieces the same (4.7, 5.0
 * ms); 70 x 48 4.5 against 5.1 ms; 52 x 64 5.3 against 6.0; 35 x 96 6.3 against 7.3; 26 x 128
 * 7.9 against 8.5; one row of 512 3.5 against 4.2; 6 rows of 512 20.4 against about 25 (the
 * unfused path goes a row at a time there). Whole forward passes of the bundled model: 6 x 400-512
 * pieces 7-13% faster, 26 x 100-128 2-6%, 16 x 128 within noise. So it serves sequences of at
 * least {@value #MIN_KEYS} keys, and only inference: no dropout on the probabilities, no gradient
 * (DJL runs TorchScript without autograd). It also never holds the (B, H, T, T) scores, which
 * for a batch of long rows are the largest arrays of a forward pass. Results agree with the
 * unfused arithmetic to ~1e-6.
 *
 * <p>{@value #ENV}{@code =0} turns it off (every attention unfused), e.g. to compare the two. If the
 * archive cannot be loaded (a PyTorch without the operator), attention stays unfused and
 * {@link #summary()} says why.
 */
public final class FusedAttention {
  /** The environment variable that turns fused attention off ({@code 0}, {@code false}, {@code off}). */
  public static final String ENV = "NEUROLENS_FUSED_ATTENTION";
  /** Shortest key sequence served fused; below it the fused kernel is no faster. */
  public static final long MIN_KEYS = 48;

  private static final Object LOCK = new Object();
  private static volatile State state;

  private record State(PtSymbolBlock module, String summary) {}

  private FusedAttention() {}

  /**
   * softmax(q k^T + bias) v for each head, as {@link Ops#headContext} without dropout, or null
   * when the fused kernel does not apply here (off, unavailable, short sequences, an input that
   * needs a gradient, another engine); the caller then computes it unfused.
   */
  static NDArray tryApply(NDArray q, NDArray k, NDArray v, NDArray bias) {
    if (k.getShape().get(2) < MIN_KEYS || !(q instanceof PtNDArray) || !(k instanceof PtNDArray)
        || !(v instanceof PtNDArray) || (bias != null && !(bias instanceof PtNDArray))) {
      return null;
    }
    PtSymbolBlock module = state().module();
    if (module == null || q.hasGradient() || k.hasGradient() || v.hasGradient()
        || (bias != null && bias.hasGradient())) {
      return null;
    }
    try (IValue iq = IValue.from((PtNDArray) q);
        IValue ik = IValue.from((PtNDArray) k);
        IValue iv = IValue.from((PtNDArray) v);
        IValue ib = bias == null ? null : IValue.from((PtNDArray) bias);
        IValue out = bias == null
            ? IValueUtils.runMethod(module, "forward", iq, ik, iv)
            : IValueUtils.runMethod(module, "biased", iq, ik, iv, ib)) {
      return out.toTensor((PtNDManager) q.getManager());
    }
  }

  /** Whether sequences of {@link #MIN_KEYS} or more keys run fused in this JVM. */
  public static boolean active() {
    return state().module() != null;
  }

  /** One line for people: whether attention runs fused, and if not, why. */
  public static String summary() {
    return state().summary();
  }

  private static State state() {
    State s = state;
    if (s == null) {
      synchronized (LOCK) {
        s = state;
        if (s == null) {
          s = load();
          state = s;
        }
      }
    }
    return s;
  }

  private static State load() {
    String env = System.getenv(ENV);
    if (switchedOff(env)) {
      return new State(null, "attention: unfused (" + ENV + "=" + env.trim() + ")");
    }
    try {
      // a manager of its own that lives as long as the JVM: the module is shared by every model
      PtNDManager manager = (PtNDManager) NDManager.newBaseManager("PyTorch");
      PtSymbolBlock module = JniUtils.loadModule(manager, new ByteArrayInputStream(archive()), false, false);
      return new State(module, "attention: fused (PyTorch scaled_dot_product_attention) for sequences of "
          + MIN_KEYS + "+ pieces, unfused below");
    } catch (IOException | RuntimeException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
      return new State(null, "attention: unfused (the fused kernel could not be loaded: " + why + ")");
    }
  }

  /** Whether a value of {@value #ENV} turns fused attention off: 0, false, off or no, in any case. */
  static boolean switchedOff(String value) {
    return value != null && Set.of("0", "false", "off", "no").contains(value.trim().toLowerCase(Locale.ROOT));
  }

  /** The TorchScript source: queries arrive scaled, so the operator's own scale is 1. */
  static String source() {
    String sig = "(self: __torch__.Attention,\n    q: Tensor,\n    k: Tensor,\n    v: Tensor";
    return "class Attention(Module):\n"
        + "  __parameters__ = []\n"
        + "  __buffers__ = []\n"
        + "  training : bool\n"
        + "  def forward" + sig + ") -> Tensor:\n"
        + "    return torch.scaled_dot_product_attention(q, k, v, None, 0., False, scale=1.)\n"
        + "  def biased" + sig + ",\n    bias: Tensor) -> Tensor:\n"
        + "    return torch.scaled_dot_product_attention(q, k, v, bias, 0., False, scale=1.)\n";
  }

  /**
   * The archive torch.jit.load reads: the module's class source, its pickled instance (an object
   * of class __torch__.Attention whose one attribute, training, is False), no constants, format
   * version 3. Entries are stored uncompressed.
   */
  static byte[] archive() throws IOException {
    ByteArrayOutputStream pickle = new ByteArrayOutputStream();
    pickle.write(new byte[] {(byte) 0x80, 2}); // PROTO 2
    pickle.write("c__torch__\nAttention\n".getBytes(StandardCharsets.US_ASCII)); // GLOBAL
    pickle.write(new byte[] {')', (byte) 0x81, '}', '(', 'X', 8, 0, 0, 0}); // EMPTY_TUPLE NEWOBJ EMPTY_DICT MARK BINUNICODE
    pickle.write("training".getBytes(StandardCharsets.US_ASCII));
    pickle.write(new byte[] {(byte) 0x89, 'u', 'b', '.'}); // NEWFALSE SETITEMS BUILD STOP
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(zip)) {
      stored(z, "attention/data.pkl", pickle.toByteArray());
      stored(z, "attention/code/__torch__.py", source().getBytes(StandardCharsets.UTF_8));
      stored(z, "attention/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // an empty tuple
      stored(z, "attention/version", "3\n".getBytes(StandardCharsets.US_ASCII));
    }
    return zip.toByteArray();
  }

  private static void stored(ZipOutputStream z, String name, byte[] bytes) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(bytes.length);
    e.setCompressedSize(bytes.length);
    CRC32 crc = new CRC32();
    crc.update(bytes);
    e.setCrc(crc.getValue());
    z.putNextEntry(e);
    z.write(bytes);
    z.closeEntry();
  }
}
