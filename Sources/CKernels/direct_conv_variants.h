// Entry points of each compiled variant of direct_conv_body.h; direct_conv.c picks one per call.
#include <stdbool.h>

#define DECLARE_VARIANT(SUFFIX)                                                                                     \
    void nb_direct_conv_image_##SUFFIX(const float *padded, int channels, int paddedWidth, const float *weight,    \
                                       int outChannels, int kernel, int stride, float *output, int outHeight,      \
                                       int outWidth, bool accumulate);                                             \
    void nb_direct_conv3x3_weight_grad_##SUFFIX(const float *padded, long paddedImageStride,                      \
                                                const float *outputGrad, long outputImageStride, int images,      \
                                                int channels, int outChannels, float *weightGrad, int outHeight,  \
                                                int outWidth);
DECLARE_VARIANT(avx2)
DECLARE_VARIANT(avx512)
#undef DECLARE_VARIANT
