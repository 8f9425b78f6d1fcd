// The direct convolution kernels, written once and compiled per instruction set: the including file defines
//   KERNEL_TARGET        the target attribute ("avx2,fma", ...)
//   SUFFIX               the suffix of the two entry points it gets (avx2, avx512)
//   CONV_CHANNEL_BLOCK   output channels per forward tile          } accumulators = their product; it must
//   CONV_VECTORS         8-pixel vectors per forward tile (1..3)   } leave registers for the inputs
//   GRAD_CHANNEL_BLOCK   output channels per weight-gradient tile (x 3 taps of a kernel row)
// The network's convolutions have 16-64 output channels, too few rows for OpenBLAS's sgemm to reach its rate,
// and im2col plus sgemm's packing copy every input value about 18 times; here each output tile is held in
// registers while the input is read in place.
#include <immintrin.h>
#include "direct_conv_variants.h"

#define JOIN_(a, b) a##_##b
#define JOIN(a, b) JOIN_(a, b)
#define NAME(name) JOIN(name, SUFFIX)

enum { MAX_TAPS = 49 };
// The remainder dispatch below instantiates tiles up to these sizes.
_Static_assert(CONV_CHANNEL_BLOCK <= 4 && CONV_VECTORS >= 1 && CONV_VECTORS <= 3 && GRAD_CHANNEL_BLOCK <= 6,
               "direct_conv_body.h dispatches forward tiles of at most 4 x 3 and weight-gradient tiles of at most 6");

/// One tile: output channels m0..<m0+channelBlock at the pixel vectors starting at pixels[0..<vectors]
/// (each 8 consecutive output pixels of one row). Called with constant channelBlock and vectors, so the loops
/// over them unroll and the accumulators live in registers.
__attribute__((target(KERNEL_TARGET), always_inline))
static inline void NAME(conv_tile)(const float *padded, int channels, int paddedPlane, const int *tapOffsets, int taps,
                                   const float *weight, int m0, int channelBlock, const int *inputBase,
                                   const int *pixels, int vectors, float *output, int outPlane, bool accumulate) {
    __m256 acc[CONV_CHANNEL_BLOCK][CONV_VECTORS];
    for (int o = 0; o < channelBlock; o++)
        for (int v = 0; v < vectors; v++) acc[o][v] = _mm256_setzero_ps();
    const int weightStride = channels * taps; // between output channels
    const float *w = weight + m0 * weightStride;
    for (int c = 0; c < channels; c++) {
        const float *plane = padded + c * paddedPlane;
        for (int t = 0; t < taps; t++) {
            const float *tap = plane + tapOffsets[t];
            __m256 x[CONV_VECTORS];
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

#define TILE(CB, NV) NAME(conv_tile)(padded, channels, paddedPlane, tapOffsets, taps, weight, m0, CB, inputBase, \
                                     pixels, NV, output, outPlane, accumulate)
#if CONV_VECTORS >= 3
#define TILES(CB) do { if (vectors == 3) TILE(CB, 3); else if (vectors == 2) TILE(CB, 2); else TILE(CB, 1); } while (0)
#else
#define TILES(CB) do { if (vectors == 2) TILE(CB, 2); else TILE(CB, 1); } while (0)
#endif

__attribute__((target(KERNEL_TARGET)))
void NAME(nb_direct_conv_image)(const float *padded, int channels, int paddedWidth, const float *weight,
                                int outChannels, int kernel, int stride, float *output, int outHeight, int outWidth,
                                bool accumulate) {
    const int taps = kernel * kernel, outPlane = outHeight * outWidth;
    const int paddedPlane = ((outHeight - 1) * stride + kernel) * paddedWidth;
    // At stride 2 each row holds its even columns, then its odd ones: the 8 inputs of a tap are consecutive.
    const int evenColumns = (paddedWidth + 1) / 2;
    int tapOffsets[MAX_TAPS];
    for (int t = 0; t < taps && t < MAX_TAPS; t++) {
        const int kx = t % kernel;
        tapOffsets[t] = (t / kernel) * paddedWidth + (stride == 1 ? kx : (kx % 2) * evenColumns + kx / 2);
    }
    const int vectorCount = outPlane / 8;
    // Pixel vectors outer, channel blocks inner: a strip of input rows stays in L1 while every output channel
    // reads it.
    for (int first = 0; first < vectorCount; first += CONV_VECTORS) {
        const int vectors = vectorCount - first < CONV_VECTORS ? vectorCount - first : CONV_VECTORS;
        int pixels[CONV_VECTORS], inputBase[CONV_VECTORS];
        for (int v = 0; v < vectors; v++) {
            const int p = (first + v) * 8;
            pixels[v] = p;
            inputBase[v] = (p / outWidth) * stride * paddedWidth + p % outWidth;
        }
        int m0 = 0;
        for (; m0 + CONV_CHANNEL_BLOCK <= outChannels; m0 += CONV_CHANNEL_BLOCK) TILES(CONV_CHANNEL_BLOCK);
        switch (outChannels - m0) { // CONV_CHANNEL_BLOCK <= 4
        case 3: TILES(3); break;
        case 2: TILES(2); break;
        case 1: TILES(1); break;
        default: break;
        }
    }
}
#undef TILES
#undef TILE

/// Sum of the 8 lanes.
__attribute__((target(KERNEL_TARGET), always_inline))
static inline float NAME(lane_sum)(__m256 v) {
    __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    x = _mm_add_ps(x, _mm_movehl_ps(x, x));
    x = _mm_add_ss(x, _mm_movehdup_ps(x));
    return _mm_cvtss_f32(x);
}

/// One tile of the weight gradient: output channels m0..<m0+channelBlock x the 3 taps of kernel row ky of input
/// channel c, summed over every pixel vector of every image (lanes summed at the end).
__attribute__((target(KERNEL_TARGET), always_inline))
static inline void NAME(weight_grad_tile)(const float *padded, long paddedImageStride, const float *outputGrad,
                                          long outputImageStride, int images, int channels, int m0, int channelBlock,
                                          int c, int ky, float *weightGrad, int outHeight, int outWidth) {
    const int paddedWidth = outWidth + 2, outPlane = outHeight * outWidth;
    const long paddedPlane = (long)(outHeight + 2) * paddedWidth;
    __m256 acc[GRAD_CHANNEL_BLOCK][3];
    for (int o = 0; o < channelBlock; o++)
        for (int kx = 0; kx < 3; kx++) acc[o][kx] = _mm256_setzero_ps();
    for (int i = 0; i < images; i++) {
        const float *dy = outputGrad + i * outputImageStride + (long)m0 * outPlane;
        const float *row = padded + i * paddedImageStride + c * paddedPlane + ky * paddedWidth;
        for (int y = 0; y < outHeight; y++, row += paddedWidth, dy += outWidth) {
            for (int x = 0; x < outWidth; x += 8) {
                __m256 g[GRAD_CHANNEL_BLOCK];
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
        for (int kx = 0; kx < 3; kx++) dw[kx] += NAME(lane_sum)(acc[o][kx]);
    }
}

__attribute__((target(KERNEL_TARGET)))
void NAME(nb_direct_conv3x3_weight_grad)(const float *padded, long paddedImageStride, const float *outputGrad,
                                         long outputImageStride, int images, int channels, int outChannels,
                                         float *weightGrad, int outHeight, int outWidth) {
#define GRAD_TILE(CB) NAME(weight_grad_tile)(padded, paddedImageStride, outputGrad, outputImageStride, images, \
                                             channels, m0, CB, c, ky, weightGrad, outHeight, outWidth)
    // Output-channel blocks outer: their output-gradient planes stay in L1 while every input channel passes.
    int m0 = 0;
    for (; m0 + GRAD_CHANNEL_BLOCK <= outChannels; m0 += GRAD_CHANNEL_BLOCK)
        for (int c = 0; c < channels; c++)
            for (int ky = 0; ky < 3; ky++) GRAD_TILE(GRAD_CHANNEL_BLOCK);
    const int rest = outChannels - m0; // GRAD_CHANNEL_BLOCK <= 6
    for (int c = 0; c < channels && rest > 0; c++)
        for (int ky = 0; ky < 3; ky++) {
            switch (rest) {
            case 5: GRAD_TILE(5); break;
            case 4: GRAD_TILE(4); break;
            case 3: GRAD_TILE(3); break;
            case 2: GRAD_TILE(2); break;
            default: GRAD_TILE(1); break;
            }
        }
#undef GRAD_TILE
}
