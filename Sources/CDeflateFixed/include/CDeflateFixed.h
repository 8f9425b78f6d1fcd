// zlib streams for short inputs (the benchmark's per-epoch curves, 48-800 bytes each): LZ77 with one hash candidate
// and deflate's fixed Huffman codes. libdeflate 1.14's fastest level clears a 128 KB hash table per call, about
// 7 of the 7.5 microseconds it spends on a curve; this clears 8 KB and writes the same zlib format (within 4 % of
// its size on NATS-Bench curves).
#ifndef NB_CDEFLATEFIXED_H
#define NB_CDEFLATEFIXED_H

#include <stddef.h>
#include <stdint.h>

/// The most bytes `nb_deflate_fixed_zlib` can write for `length` input bytes.
size_t nb_deflate_fixed_zlib_bound(size_t length);

/// Writes `input` as a zlib stream (one fixed-Huffman deflate block, or stored blocks where those are smaller;
/// Adler-32) to `output`; returns its length (at most 11 bytes over `length` below 64 KB), or 0 when `capacity` is
/// below the bound.
size_t nb_deflate_fixed_zlib(const uint8_t *input, size_t length, uint8_t *output, size_t capacity);

#endif
