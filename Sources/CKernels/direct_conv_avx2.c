// AVX2 + FMA, 16 ymm registers: 4 channels x 2 vectors = 8 accumulators reach ~90 % of one core's FMA peak;
// 4 x 3 fills all 16 registers and clang then spills and shuffles them every step (half the rate, measured).
#if defined(__x86_64__)
#define KERNEL_TARGET "avx2,fma"
#define SUFFIX avx2
#define CONV_CHANNEL_BLOCK 4
#define CONV_VECTORS 2
#define GRAD_CHANNEL_BLOCK 3
#include "direct_conv_body.h"
#endif
