// Hand-vectorised kernels the engine calls where OpenBLAS is slow for its shapes (small channel counts).
#ifndef NB201_CKERNELS_H
#define NB201_CKERNELS_H
#include <stdbool.h>

/// Instruction sets the direct kernels are compiled for: AVX2 + FMA with 16 vector registers, and the same
/// 8-float vectors with AVX-512VL's 32 registers (larger register tiles).
enum { NB_ISA_NONE = 0, NB_ISA_AVX2 = 1, NB_ISA_AVX512 = 2 };

/// The best of the above this CPU runs (NB_ISA_NONE: the engine uses im2col + sgemm).
int nb_direct_conv_isa(void);

/// Stride-1 or stride-2 convolution of one image, direct (no im2col):
///   output[m][y][x] (+)= sum_c sum_{ky,kx} weight[m][c][ky][kx] * padded[c][y * stride + ky][x * stride + kx]
/// `padded` is [channels][(outHeight - 1) * stride + kernel][paddedWidth] with the zero border already in place
/// (paddedWidth = (outWidth - 1) * stride + kernel); at stride 2 each of its rows is stored as its even columns
/// followed by its odd columns. Weights are PyTorch's [outChannels][channels][kernel][kernel]; output is
/// [outChannels][outHeight][outWidth]. Requires outWidth % 8 == 0, kernel <= 7, stride 1 or 2 and
/// NB_ISA_NONE < isa <= nb_direct_conv_isa().
void nb_direct_conv_image(int isa, const float *padded, int channels, int paddedWidth,
                          const float *weight, int outChannels, int kernel, int stride,
                          float *output, int outHeight, int outWidth, bool accumulate);

/// Weight gradient of a stride-1 3x3 convolution over `images` images, added into weightGrad:
///   weightGrad[m][c][ky][kx] += sum_i sum_{y,x} outputGrad_i[m][y][x] * padded_i[c][y + ky][x + kx]
/// padded_i = padded + i * paddedImageStride (layout as above, paddedWidth = outWidth + 2), outputGrad_i =
/// outputGrad + i * outputImageStride ([outChannels][outHeight][outWidth]); weightGrad is
/// [outChannels][channels][3][3]. Same requirements on outWidth and isa.
void nb_direct_conv3x3_weight_grad(int isa, const float *padded, long paddedImageStride, const float *outputGrad,
                                   long outputImageStride, int images, int channels, int outChannels,
                                   float *weightGrad, int outHeight, int outWidth);

#endif
