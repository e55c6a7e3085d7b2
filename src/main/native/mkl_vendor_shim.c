/*
 * NeuroLens: lets oneMKL (linked into the PyTorch CPU natives) use the widest kernels the CPU
 * supports on non-Intel CPUs.
 *
 * oneMKL chooses its GEMM kernels by the CPU's feature flags only after a vendor test; on AMD
 * CPUs the test fails and it falls back to a narrower path (AVX2 on AVX-512 machines, a generic
 * one on AVX2 machines). Preloaded (LD_PRELOAD) ahead of libtorch_cpu.so, these two functions
 * answer that test with "yes"; the feature flags still decide which instructions are used, so
 * nothing runs that the CPU lacks. The ./neurolens launcher builds this file with the system C
 * compiler on first use and preloads it on AMD CPUs only (NEUROLENS_MKL_SHIM=0 turns it off).
 */
int mkl_serv_intel_cpu_true(void) { return 1; }

int mkl_serv_intel_cpu(void) { return 1; }
