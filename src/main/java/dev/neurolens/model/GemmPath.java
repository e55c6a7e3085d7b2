package dev.neurolens.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Which matrix-product path the PyTorch CPU natives take on this machine, so that a user can see
 * why throughput differs between machines.
 *
 * <p>The natives use oneMKL, which picks its kernels by the CPU's feature flags only after a vendor
 * test: on a non-Intel x86 CPU it falls back to a narrower path (measured on 2 cores: about half
 * of ONNX Runtime on an AVX-512 Zen4, 0.77x on an AVX2 Zen3). The {@code ./neurolens} launcher
 * preloads a shim ({@code src/main/native/mkl_vendor_shim.c}) on AMD CPUs that answers the test,
 * restoring the full width; this record says whether it is loaded. Usage:
 * {@code GemmPath.detect().summary()}.
 *
 * @param cpuVendor {@code vendor_id} of /proc/cpuinfo ("AuthenticAMD", "GenuineIntel"), or
 *     "unknown"
 * @param cpuModel {@code model name} of /proc/cpuinfo, or "unknown"
 * @param avx512 the CPU has AVX-512F
 * @param avx2 the CPU has AVX2
 * @param vendorOverride the oneMKL vendor shim is loaded into this process
 */
public record GemmPath(String cpuVendor, String cpuModel, boolean avx512, boolean avx2, boolean vendorOverride) {

  /** The file name of the shim library that the launcher builds and preloads. */
  public static final String SHIM_LIBRARY = "libneurolens_mkl_shim.so";

  /** This process on this machine (from /proc/cpuinfo and /proc/self/maps). */
  public static GemmPath detect() {
    return of(read(Path.of("/proc/cpuinfo")), read(Path.of("/proc/self/maps")));
  }

  /** The path described by the text of /proc/cpuinfo and /proc/self/maps (either may be empty). */
  static GemmPath of(String cpuinfo, String maps) {
    String vendor = "unknown";
    String model = "unknown";
    String flags = "";
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (key.equals("vendor_id") && vendor.equals("unknown")) {
        vendor = value;
      } else if (key.equals("model name") && model.equals("unknown")) {
        model = value;
      } else if (key.equals("flags") && flags.isEmpty()) {
        flags = " " + value + " ";
      }
    }
    return new GemmPath(vendor, model, flags.contains(" avx512f "), flags.contains(" avx2 "),
        maps.contains(SHIM_LIBRARY));
  }

  /** Whether oneMKL runs the widest kernels this CPU has. */
  public boolean fullWidth() {
    return cpuVendor.equals("GenuineIntel") || (cpuVendor.equals("AuthenticAMD") && vendorOverride);
  }

  /** The widest vector extension the CPU offers oneMKL. */
  public String isa() {
    return avx512 ? "AVX-512" : avx2 ? "AVX2" : "SSE/other";
  }

  /** One line for people: CPU, vector width and whether oneMKL uses it. */
  public String summary() {
    String cpu = cpuModel + " (" + cpuVendor + ", " + (avx512 ? "AVX-512" : "no AVX-512")
        + (avx2 ? ", AVX2" : "") + ")";
    if (cpuVendor.equals("GenuineIntel")) {
      return "GEMM: oneMKL " + isa() + " kernels on " + cpu;
    }
    if (cpuVendor.equals("AuthenticAMD")) {
      return vendorOverride
          ? "GEMM: oneMKL " + isa() + " kernels on " + cpu + ", vendor check overridden by " + SHIM_LIBRARY
          : "GEMM: oneMKL's reduced non-Intel path on " + cpu + "; run through ./neurolens with a C compiler "
              + "installed, or preload the shim (README, 'Speed and threads'), for the " + isa() + " kernels";
    }
    return "GEMM: PyTorch CPU kernels on " + cpu;
  }

  /** The fields for JSON output. */
  public Map<String, Object> toJson() {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("cpu_vendor", cpuVendor);
    j.put("cpu_model", cpuModel);
    j.put("avx512", avx512);
    j.put("avx2", avx2);
    j.put("mkl_vendor_override", vendorOverride);
    j.put("full_width", fullWidth());
    j.put("isa", isa().toLowerCase(Locale.ROOT));
    return j;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
