// OpenBLAS's cblas.h, plus its thread-control entry points (declared there too).
#include <cblas.h>
