// The FMA ceiling the convolution kernels are measured against (issue 16): one thread runs 12 independent chains of
// 8-float (AVX2) fused multiply-adds, enough to cover the FMA latency on both pipes of current x86 cores, and prints
// GFLOP/s (2 per lane per FMA). benchmarks/fma_peak.sh compiles and runs it once per core.
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    const long iterations = argc > 1 ? atol(argv[1]) : 200000000L;
    // Twelve named chains (not an array, which some compilers keep in memory across the asm barrier).
    __m256 c0 = _mm256_set1_ps(0.000f), c1 = _mm256_set1_ps(0.001f), c2 = _mm256_set1_ps(0.002f), c3 = _mm256_set1_ps(0.003f);
    __m256 c4 = _mm256_set1_ps(0.004f), c5 = _mm256_set1_ps(0.005f), c6 = _mm256_set1_ps(0.006f), c7 = _mm256_set1_ps(0.007f);
    __m256 c8 = _mm256_set1_ps(0.008f), c9 = _mm256_set1_ps(0.009f), c10 = _mm256_set1_ps(0.010f), c11 = _mm256_set1_ps(0.011f);
    const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(0.0001f);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long k = 0; k < iterations; k++) {
        c0 = _mm256_fmadd_ps(c0, a, b); c1 = _mm256_fmadd_ps(c1, a, b); c2 = _mm256_fmadd_ps(c2, a, b);
        c3 = _mm256_fmadd_ps(c3, a, b); c4 = _mm256_fmadd_ps(c4, a, b); c5 = _mm256_fmadd_ps(c5, a, b);
        c6 = _mm256_fmadd_ps(c6, a, b); c7 = _mm256_fmadd_ps(c7, a, b); c8 = _mm256_fmadd_ps(c8, a, b);
        c9 = _mm256_fmadd_ps(c9, a, b); c10 = _mm256_fmadd_ps(c10, a, b); c11 = _mm256_fmadd_ps(c11, a, b);
        // Keeps the loop from being folded away.
        __asm__ volatile("" : "+x"(c0), "+x"(c1), "+x"(c2), "+x"(c3), "+x"(c4), "+x"(c5), "+x"(c6), "+x"(c7),
                         "+x"(c8), "+x"(c9), "+x"(c10), "+x"(c11));
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    const double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    const __m256 all = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(c0, c1), _mm256_add_ps(c2, c3)),
                                     _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(c4, c5), _mm256_add_ps(c6, c7)),
                                                   _mm256_add_ps(_mm256_add_ps(c8, c9), _mm256_add_ps(c10, c11))));
    const float sum = _mm256_cvtss_f32(all);
    printf("{\"fma_gflops_one_thread_8_float\": %.1f, \"check\": %.3f}\n", (double)iterations * 12 * 16 / seconds / 1e9, sum);
    return 0;
}
