// A bzip2 decoder written for the benchmark import (issue 18): the streams libbz2 reads, 2.5x as fast on the
// NATS-Bench files. Huffman symbols come from a lookup table instead of a bit-by-bit search, the move-to-front list
// lives in vector registers and aligned vectors, and the inverse Burrows-Wheeler transform is walked in up to 64
// chains at once (one chain is a latency-bound series of cache misses; independent chains overlap them).
#ifndef NB_CBZIP2_H
#define NB_CBZIP2_H

#include <stddef.h>
#include <stdint.h>

/// Supplies compressed bytes: fills up to `capacity` bytes of `buffer` and returns how many, 0 at the end of the
/// input, or -1 when reading failed (the caller keeps its own error).
typedef ptrdiff_t (*nb_bz2_read_fn)(void *context, uint8_t *buffer, ptrdiff_t capacity);

typedef struct nb_bz2_decoder nb_bz2_decoder;

/// Outcomes of `nb_bz2_decode` below zero.
enum {
    NB_BZ2_ERROR_NOT_BZIP2 = -1,  // the input (or a stream after the first) does not start with "BZh1".."BZh9"
    NB_BZ2_ERROR_TRUNCATED = -2,  // the input ends before a stream's end-of-stream marker
    NB_BZ2_ERROR_CORRUPT = -3,    // a malformed block or a CRC mismatch; nb_bz2_error_detail says which
    NB_BZ2_ERROR_READ = -4,       // the read function returned -1
    NB_BZ2_ERROR_MEMORY = -5,     // a block's buffers could not be allocated
};

/// A decoder for one input: a bzip2 stream or several concatenated ones (as pbzip2 writes). NULL without memory.
nb_bz2_decoder *nb_bz2_decoder_create(nb_bz2_read_fn read, void *context);
void nb_bz2_decoder_destroy(nb_bz2_decoder *decoder);

/// Writes up to `capacity` decompressed bytes to `out`: returns how many (> 0), 0 once every stream has ended and
/// been checked, or an NB_BZ2_ERROR_* code (and every later call returns it again). A block's CRC is checked when
/// its last byte has been returned.
ptrdiff_t nb_bz2_decode(nb_bz2_decoder *decoder, uint8_t *out, ptrdiff_t capacity);

/// What the last error was, in words (a static string).
const char *nb_bz2_error_detail(const nb_bz2_decoder *decoder);

/// Compressed bytes consumed so far (for error messages).
int64_t nb_bz2_compressed_offset(const nb_bz2_decoder *decoder);

#endif
