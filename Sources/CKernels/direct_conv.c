// Direct stride-1 convolution with AVX2/FMA. The network's convolutions have 16-64 output channels, which is
// too few rows for OpenBLAS's sgemm to reach its rate, and im2col plus sgemm's own packing copy every input
// value about 18 times; here each output tile is held in registers while the input is read in place.
#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

bool nb_direct_conv_available(void) {
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/// Largest tile: 4 output channels x 2 vectors of 8 output pixels = 8 accumulators. It reaches ~90 % of one
/// core's FMA peak; 4 x 3 would fill all 16 ymm registers, and clang then spills and shuffles them every step
/// (half the rate, measured).
enum { MAX_CHANNEL_BLOCK = 4, MAX_VECTORS = 2, MAX_TAPS = 49 };

/// One tile: output channels m0..<m0+channelBlock at the pixel vectors starting at pixels[0..<vectors]
/// (each 8 consecutive output pixels of one row). Called with constant channelBlock and vectors, so the loops
/// over them unroll and the accumulators live in registers.
__attribute__((target("avx2,fma"), always_inline))
static inline void conv_tile(const float *padded, int channels, int paddedPlane, const int *tapOffsets, int taps,
                             const float *weight, int m0, int channelBlock, const int *inputBase, const int *pixels,
                             int vectors, float *output, int outPlane, bool accumulate) {
    __m256 acc[MAX_CHANNEL_BLOCK][MAX_VECTORS];
    for (int o = 0; o < channelBlock; o++)
        for (int v = 0; v < vectors; v++) acc[o][v] = _mm256_setzero_ps();
    const int weightStride = channels * taps; // between output channels
    const float *w = weight + m0 * weightStride;
    for (int c = 0; c < channels; c++) {
        const float *plane = padded + c * paddedPlane;
        for (int t = 0; t < taps; t++) {
            const float *tap = plane + tapOffsets[t];
            __m256 x[MAX_VECTORS];
            for (int v = 0; v < vectors; v++) x[v] = _mm256_loadu_ps(tap + inputBase[v]);
            for (int o = 0; o < channelBlock; o++) {
                const __m256 wv = _mm256_broadcast_ss(w + o * weightStride + t);
                for (int v = 0; v < vectors; v++) acc[o][v] = _mm256_fmadd_ps(wv, x[v], acc[o][v]);
            }
        }
        w += taps;
    }
    for (int o = 0; o < channelBlock; o++) {
        float *out = output + (m0 + o) * outPlane;
        for (int v = 0; v < vectors; v++) {
            float *dst = out + pixels[v];
            _mm256_storeu_ps(dst, accumulate ? _mm256_add_ps(acc[o][v], _mm256_loadu_ps(dst)) : acc[o][v]);
        }
    }
}

#define TILE(CB, NV) conv_tile(padded, channels, paddedPlane, tapOffsets, taps, weight, m0, CB, inputBase, pixels, \
                               NV, output, outPlane, accumulate)

__attribute__((target("avx2,fma")))
void nb_direct_conv_image(const float *padded, int channels, int paddedWidth,
                          const float *weight, int outChannels, int kernel,
                          float *output, int outHeight, int outWidth, bool accumulate) {
    const int taps = kernel * kernel, outPlane = outHeight * outWidth;
    const int paddedPlane = (outHeight + kernel - 1) * paddedWidth;
    int tapOffsets[MAX_TAPS];
    for (int t = 0; t < taps && t < MAX_TAPS; t++) tapOffsets[t] = (t / kernel) * paddedWidth + t % kernel;
    const int vectorCount = outPlane / 8;
    // Pixel vectors outer, channel blocks inner: a strip of input rows stays in L1 while every output channel
    // reads it.
    for (int first = 0; first < vectorCount; first += MAX_VECTORS) {
        const int vectors = vectorCount - first < MAX_VECTORS ? vectorCount - first : MAX_VECTORS;
        int pixels[MAX_VECTORS], inputBase[MAX_VECTORS];
        for (int v = 0; v < vectors; v++) {
            const int p = (first + v) * 8;
            pixels[v] = p;
            inputBase[v] = (p / outWidth) * paddedWidth + p % outWidth;
        }
        int m0 = 0;
        for (; m0 + MAX_CHANNEL_BLOCK <= outChannels; m0 += MAX_CHANNEL_BLOCK) {
            if (vectors == 2) TILE(4, 2); else TILE(4, 1);
        }
        const int rest = outChannels - m0;
        if (rest == 3) { if (vectors == 2) TILE(3, 2); else TILE(3, 1); }
        if (rest == 2) { if (vectors == 2) TILE(2, 2); else TILE(2, 1); }
        if (rest == 1) { if (vectors == 2) TILE(1, 2); else TILE(1, 1); }
    }
}

/// Sum of the 8 lanes.
__attribute__((target("avx2,fma"), always_inline))
static inline float lane_sum(__m256 v) {
    __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    x = _mm_add_ps(x, _mm_movehl_ps(x, x));
    x = _mm_add_ss(x, _mm_movehdup_ps(x));
    return _mm_cvtss_f32(x);
}

/// One tile of the weight gradient: output channels m0..<m0+channelBlock x the 3 taps of kernel row ky of input
/// channel c, summed over every pixel vector of every image (lanes summed at the end).
__attribute__((target("avx2,fma"), always_inline))
static inline void weight_grad_tile(const float *padded, long paddedImageStride, const float *outputGrad,
                                    long outputImageStride, int images, int channels, int m0, int channelBlock,
                                    int c, int ky, float *weightGrad, int outHeight, int outWidth) {
    const int paddedWidth = outWidth + 2, outPlane = outHeight * outWidth;
    const long paddedPlane = (long)(outHeight + 2) * paddedWidth;
    __m256 acc[MAX_CHANNEL_BLOCK][3];
    for (int o = 0; o < channelBlock; o++)
        for (int kx = 0; kx < 3; kx++) acc[o][kx] = _mm256_setzero_ps();
    for (int i = 0; i < images; i++) {
        const float *dy = outputGrad + i * outputImageStride + (long)m0 * outPlane;
        const float *row = padded + i * paddedImageStride + c * paddedPlane + ky * paddedWidth;
        for (int y = 0; y < outHeight; y++, row += paddedWidth, dy += outWidth) {
            for (int x = 0; x < outWidth; x += 8) {
                __m256 g[MAX_CHANNEL_BLOCK];
                for (int o = 0; o < channelBlock; o++) g[o] = _mm256_loadu_ps(dy + o * outPlane + x);
                for (int kx = 0; kx < 3; kx++) {
                    const __m256 in = _mm256_loadu_ps(row + x + kx);
                    for (int o = 0; o < channelBlock; o++) acc[o][kx] = _mm256_fmadd_ps(g[o], in, acc[o][kx]);
                }
            }
        }
    }
    for (int o = 0; o < channelBlock; o++) {
        float *dw = weightGrad + ((long)(m0 + o) * channels + c) * 9 + ky * 3;
        for (int kx = 0; kx < 3; kx++) dw[kx] += lane_sum(acc[o][kx]);
    }
}

__attribute__((target("avx2,fma")))
void nb_direct_conv3x3_weight_grad(const float *padded, long paddedImageStride, const float *outputGrad,
                                   long outputImageStride, int images, int channels, int outChannels,
                                   float *weightGrad, int outHeight, int outWidth) {
#define WG_TILE(CB) weight_grad_tile(padded, paddedImageStride, outputGrad, outputImageStride, images, channels, \
                                     m0, CB, c, ky, weightGrad, outHeight, outWidth)
    // Output-channel blocks outer: their output-gradient planes stay in L1 while every input channel passes.
    int m0 = 0;
    for (; m0 + 3 <= outChannels; m0 += 3)
        for (int c = 0; c < channels; c++)
            for (int ky = 0; ky < 3; ky++) WG_TILE(3);
    const int rest = outChannels - m0;
    for (int c = 0; c < channels; c++)
        for (int ky = 0; ky < 3; ky++) {
            if (rest == 2) WG_TILE(2);
            if (rest == 1) WG_TILE(1);
        }
#undef WG_TILE
}

#else

bool nb_direct_conv_available(void) { return false; }

void nb_direct_conv_image(const float *padded, int channels, int paddedWidth, const float *weight, int outChannels,
                          int kernel, float *output, int outHeight, int outWidth, bool accumulate) {
    (void)padded; (void)channels; (void)paddedWidth; (void)weight; (void)outChannels; (void)kernel;
    (void)output; (void)outHeight; (void)outWidth; (void)accumulate;
    __builtin_trap(); // callers check nb_direct_conv_available() first
}

void nb_direct_conv3x3_weight_grad(const float *padded, long paddedImageStride, const float *outputGrad,
                                   long outputImageStride, int images, int channels, int outChannels,
                                   float *weightGrad, int outHeight, int outWidth) {
    (void)padded; (void)paddedImageStride; (void)outputGrad; (void)outputImageStride; (void)images;
    (void)channels; (void)outChannels; (void)weightGrad; (void)outHeight; (void)outWidth;
    __builtin_trap();
}

#endif
