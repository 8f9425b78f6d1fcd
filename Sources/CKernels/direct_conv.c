// Run-time choice among the compiled variants of the direct convolution kernels.
#include "CKernels.h"
#include "direct_conv_variants.h"

#if defined(__x86_64__)

int nb_direct_conv_isa(void) {
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return NB_ISA_NONE;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) return NB_ISA_AVX512;
    return NB_ISA_AVX2;
}

void nb_direct_conv_image(int isa, const float *padded, int channels, int paddedWidth, const float *weight,
                          int outChannels, int kernel, int stride, float *output, int outHeight, int outWidth,
                          bool accumulate) {
    if (isa >= NB_ISA_AVX512)
        nb_direct_conv_image_avx512(padded, channels, paddedWidth, weight, outChannels, kernel, stride, output,
                                    outHeight, outWidth, accumulate);
    else
        nb_direct_conv_image_avx2(padded, channels, paddedWidth, weight, outChannels, kernel, stride, output,
                                  outHeight, outWidth, accumulate);
}

void nb_direct_conv3x3_weight_grad(int isa, const float *padded, long paddedImageStride, const float *outputGrad,
                                   long outputImageStride, int images, int channels, int outChannels,
                                   float *weightGrad, int outHeight, int outWidth) {
    if (isa >= NB_ISA_AVX512)
        nb_direct_conv3x3_weight_grad_avx512(padded, paddedImageStride, outputGrad, outputImageStride, images,
                                             channels, outChannels, weightGrad, outHeight, outWidth);
    else
        nb_direct_conv3x3_weight_grad_avx2(padded, paddedImageStride, outputGrad, outputImageStride, images,
                                           channels, outChannels, weightGrad, outHeight, outWidth);
}

#else

int nb_direct_conv_isa(void) { return NB_ISA_NONE; }

// Never called: nb_direct_conv_isa() tells the engine to use im2col + sgemm.
void nb_direct_conv_image(int isa, const float *padded, int channels, int paddedWidth, const float *weight,
                          int outChannels, int kernel, int stride, float *output, int outHeight, int outWidth,
                          bool accumulate) {
    (void)isa; (void)padded; (void)channels; (void)paddedWidth; (void)weight; (void)outChannels; (void)kernel;
    (void)stride; (void)output; (void)outHeight; (void)outWidth; (void)accumulate;
    __builtin_trap();
}

void nb_direct_conv3x3_weight_grad(int isa, const float *padded, long paddedImageStride, const float *outputGrad,
                                   long outputImageStride, int images, int channels, int outChannels,
                                   float *weightGrad, int outHeight, int outWidth) {
    (void)isa; (void)padded; (void)paddedImageStride; (void)outputGrad; (void)outputImageStride; (void)images;
    (void)channels; (void)outChannels; (void)weightGrad; (void)outHeight; (void)outWidth;
    __builtin_trap();
}

#endif
