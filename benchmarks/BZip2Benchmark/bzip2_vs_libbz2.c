// nb201's bzip2 decoder (Sources/CBZip2) side by side with libbz2, file by file, interleaved: each file is decoded
// by one, then the other (the order alternating), their outputs compared byte for byte. CPU time per file, one thread.
// Built and run by benchmarks/bzip2_bench.sh.
#include "CBZip2.h"

#include <bzlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { const uint8_t *next; ptrdiff_t left; } memory_input;

static ptrdiff_t read_memory(void *context, uint8_t *buffer, ptrdiff_t capacity) {
    memory_input *m = context;
    ptrdiff_t n = m->left < capacity ? m->left : capacity;
    memcpy(buffer, m->next, (size_t)n);
    m->next += n;
    m->left -= n;
    return n;
}

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static size_t nb201_decode(const uint8_t *in, size_t length, uint8_t *out, size_t capacity) {
    memory_input input = {in, (ptrdiff_t)length};
    nb_bz2_decoder *d = nb_bz2_decoder_create(read_memory, &input);
    size_t total = 0;
    ptrdiff_t n;
    while (total < capacity && (n = nb_bz2_decode(d, out + total, (ptrdiff_t)(capacity - total < 65536 ? capacity - total : 65536))) > 0) total += (size_t)n;
    if (n < 0) {
        fprintf(stderr, "nb201 decoder: %s\n", nb_bz2_error_detail(d));
        exit(1);
    }
    nb_bz2_decoder_destroy(d);
    return total;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s ROUNDS FILE.bz2...\n", argv[0]);
        return 2;
    }
    int rounds = atoi(argv[1]), files = argc - 2;
    size_t capacity = 64u << 20;
    uint8_t *a = malloc(capacity), *b = malloc(capacity);
    double ours = 0, theirs = 0;
    long bytes = 0;
    for (int r = 0; r < rounds; r++) {
        for (int f = 0; f < files; f++) {
            FILE *file = fopen(argv[f + 2], "rb");
            if (!file) { perror(argv[f + 2]); return 1; }
            fseek(file, 0, SEEK_END);
            size_t length = (size_t)ftell(file);
            rewind(file);
            uint8_t *in = malloc(length);
            if (fread(in, 1, length, file) != length) { perror(argv[f + 2]); return 1; }
            fclose(file);
            size_t n1 = 0;
            unsigned n2 = (unsigned)capacity;
            for (int side = 0; side < 2; side++) {
                int nb201_now = ((f + r) % 2 == 0) == (side == 0);
                double t = cpu_seconds();
                if (nb201_now) {
                    n1 = nb201_decode(in, length, a, capacity);
                    ours += cpu_seconds() - t;
                } else {
                    if (BZ2_bzBuffToBuffDecompress((char *)b, &n2, (char *)in, (unsigned)length, 0, 0) != BZ_OK) {
                        fprintf(stderr, "libbz2 failed on %s\n", argv[f + 2]);
                        return 1;
                    }
                    theirs += cpu_seconds() - t;
                }
            }
            if (n1 != n2 || memcmp(a, b, n1) != 0) {
                fprintf(stderr, "outputs differ on %s\n", argv[f + 2]);
                return 1;
            }
            bytes += (long)n1;
            free(in);
        }
    }
    double per = 1e3 / (double)(files * rounds);
    printf("%d files x %d rounds, %.1f MB out: nb201 %.3f ms per file (%.1f MB/s), libbz2 %.3f ms per file (%.1f MB/s): %.2fx\n",
           files, rounds, bytes / 1e6, ours * per, bytes / ours / 1e6, theirs * per, bytes / theirs / 1e6, theirs / ours);
    return 0;
}
