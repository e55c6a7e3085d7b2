package dev.neurolens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GemmPathTest {
  private static final String ZEN4 = """
      processor\t: 0
      vendor_id\t: AuthenticAMD
      model name\t: AMD EPYC 9R14
      flags\t\t: fpu sse2 avx avx2 fma avx512f avx512dq avx512bw
      
      processor\t: 1
      vendor_id\t: AuthenticAMD
      flags\t\t: fpu
      """;

  @Test
  void of_amdWithoutShim_isReducedAndSaysHowToFixIt() {
    GemmPath g = GemmPath.of(ZEN4, "7f00-7f01 r-xp 0 libtorch_cpu.so\n");
    assertEquals("AuthenticAMD", g.cpuVendor());
    assertEquals("AMD EPYC 9R14", g.cpuModel());
    assertTrue(g.avx512());
    assertTrue(g.avx2());
    assertFalse(g.vendorOverride());
    assertFalse(g.fullWidth());
    assertTrue(g.summary().contains("reduced non-Intel path"), g.summary());
    assertTrue(g.summary().contains("AVX-512 kernels"), g.summary());
  }

  @Test
  void of_amdWithShimMapped_isFullWidth() {
    GemmPath g = GemmPath.of(ZEN4, "7f00-7f01 r-xp 0 /x/target/native/" + GemmPath.SHIM_LIBRARY + "\n");
    assertTrue(g.vendorOverride());
    assertTrue(g.fullWidth());
    assertEquals("avx-512", g.toJson().get("isa"));
  }

  @Test
  void of_intelAvx2Only_isFullWidthWithoutShim() {
    GemmPath g = GemmPath.of("vendor_id : GenuineIntel\nflags : sse avx2 avx512vl\n", "");
    assertFalse(g.avx512(), "avx512vl alone is not avx512f");
    assertTrue(g.avx2());
    assertTrue(g.fullWidth());
    assertEquals("AVX2", g.isa());
  }

  @Test
  void of_unreadableProc_isUnknown() {
    GemmPath g = GemmPath.of("", "");
    assertEquals("unknown", g.cpuVendor());
    assertFalse(g.fullWidth());
    assertEquals("SSE/other", g.isa());
  }

  /** The shim source builds into a library that exports exactly oneMKL's two vendor-test symbols. */
  @Test
  void shimSource_compilesAndExportsTheVendorTests() throws IOException, InterruptedException {
    Path src = Path.of("src/main/native/mkl_vendor_shim.c");
    assertTrue(Files.isRegularFile(src));
    boolean hasCc = new ProcessBuilder("sh", "-c", "command -v cc && command -v nm").start().waitFor() == 0;
    org.junit.jupiter.api.Assumptions.assumeTrue(hasCc, "no C compiler or nm on this machine: shim build not checked");
    Path dir = Files.createTempDirectory("shim");
    Path so = dir.resolve(GemmPath.SHIM_LIBRARY);
    Process cc = new ProcessBuilder("cc", "-shared", "-fPIC", "-O2", "-o", so.toString(), src.toString())
        .redirectErrorStream(true).start();
    assertEquals(0, cc.waitFor(), new String(cc.getInputStream().readAllBytes()));
    Process nm = new ProcessBuilder("nm", "-D", "--defined-only", so.toString()).start();
    String symbols = new String(nm.getInputStream().readAllBytes());
    assertEquals(0, nm.waitFor());
    assertTrue(symbols.contains(" T mkl_serv_intel_cpu_true\n"), symbols);
    assertTrue(symbols.contains(" T mkl_serv_intel_cpu\n"), symbols);
  }
}
