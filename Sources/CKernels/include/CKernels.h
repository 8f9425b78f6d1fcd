// Hand-vectorised kernels the engine calls where OpenBLAS is slow for its shapes (small channel counts).
#ifndef NB201_CKERNELS_H
#define NB201_CKERNELS_H
#include <stdbool.h>

/// True when this CPU runs the AVX2/FMA kernels below; where it is false the engine uses im2col + sgemm.
bool nb_direct_conv_available(void);

/// Stride-1 convolution of one image, direct (no im2col):
///   output[m][y][x] (+)= sum_c sum_{ky,kx} weight[m][c][ky][kx] * padded[c][y + ky][x + kx]
/// `padded` is [channels][paddedHeight][paddedWidth] with the zero border already in place, so
/// paddedHeight = outHeight + kernel - 1 and paddedWidth = outWidth + kernel - 1; weights are PyTorch's
/// [outChannels][channels][kernel][kernel]; output is [outChannels][outHeight][outWidth].
/// Requires outWidth % 8 == 0 and nb_direct_conv_available().
void nb_direct_conv_image(const float *padded, int channels, int paddedWidth,
                          const float *weight, int outChannels, int kernel,
                          float *output, int outHeight, int outWidth, bool accumulate);

/// Weight gradient of a stride-1 3x3 convolution over `images` images, added into weightGrad:
///   weightGrad[m][c][ky][kx] += sum_i sum_{y,x} outputGrad_i[m][y][x] * padded_i[c][y + ky][x + kx]
/// padded_i = padded + i * paddedImageStride (layout as above, paddedWidth = outWidth + 2), outputGrad_i =
/// outputGrad + i * outputImageStride ([outChannels][outHeight][outWidth]); weightGrad is
/// [outChannels][channels][3][3]. Sums images in order. Requires outWidth % 8 == 0 and nb_direct_conv_available().
void nb_direct_conv3x3_weight_grad(const float *padded, long paddedImageStride, const float *outputGrad,
                                   long outputImageStride, int images, int channels, int outChannels,
                                   float *weightGrad, int outHeight, int outWidth);

#endif
