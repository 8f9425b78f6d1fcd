// Deflate (RFC 1951) with the fixed Huffman codes of BTYPE 01 in a zlib wrapper (RFC 1950): greedy LZ77 matching as
// zlib's fastest level (3-byte hash, up to 4 candidates); stored blocks where that would not be smaller.
#include "CDeflateFixed.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { HASH_BITS = 11, MIN_MATCH = 3, MAX_MATCH = 258, WINDOW = 32768, CANDIDATES = 4, STACK_POSITIONS = 4096 };

static const uint16_t length_base[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                         35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t length_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t distance_base[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
                                           1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t distance_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

// Codes as they enter the LSB-first stream (bit-reversed), with their lengths in bits.
static uint16_t symbol_code[288];
static uint8_t symbol_bits[288];
static uint8_t length_index[MAX_MATCH + 1]; // match length -> index into length_base
static uint8_t distance_code[512];          // d - 1 < 256: [d - 1]; else [256 + ((d - 1) >> 7)]
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static uint32_t reversed(uint32_t code, int n) {
    uint32_t r = 0;
    for (int i = 0; i < n; i++) r |= ((code >> i) & 1u) << (n - 1 - i);
    return r;
}

static void make_tables(void) {
    for (int s = 0; s < 288; s++) {
        uint32_t code;
        int n;
        if (s < 144) code = 0x30 + s, n = 8;
        else if (s < 256) code = 0x190 + s - 144, n = 9;
        else if (s < 280) code = s - 256, n = 7;
        else code = 0xC0 + s - 280, n = 8;
        symbol_code[s] = (uint16_t)reversed(code, n);
        symbol_bits[s] = (uint8_t)n;
    }
    for (int length = MIN_MATCH, l = 0; length <= MAX_MATCH; length++) {
        while (l < 28 && length_base[l + 1] <= length) l++;
        length_index[length] = (uint8_t)l;
    }
    for (int d = 0; d < 30; d++) {
        for (int distance = distance_base[d]; distance < (d < 29 ? distance_base[d + 1] : WINDOW + 1); distance++) {
            if (distance <= 256) distance_code[distance - 1] = (uint8_t)d;
            else distance_code[256 + ((distance - 1) >> 7)] = (uint8_t)d;
        }
    }
}

typedef struct {
    uint8_t *out;
    uint64_t bits;
    int count;
} bit_writer;

/// Appends the low `n` bits of `value`, least significant first (n <= 32); whole bytes go out eight at a time.
static inline void put(bit_writer *w, uint32_t value, int n) {
    w->bits |= (uint64_t)value << w->count;
    w->count += n;
    if (w->count >= 32) {
        memcpy(w->out, &w->bits, 4); // little-endian hosts (x86-64, arm64)
        w->out += 4;
        w->bits >>= 32;
        w->count -= 32;
    }
}

static inline void put_symbol(bit_writer *w, int symbol) { put(w, symbol_code[symbol], symbol_bits[symbol]); }

static inline void put_match(bit_writer *w, int length, int distance) {
    int l = length_index[length];
    put_symbol(w, 257 + l);
    put(w, (uint32_t)(length - length_base[l]), length_extra[l]);
    int d = distance <= 256 ? distance_code[distance - 1] : distance_code[256 + ((distance - 1) >> 7)];
    put(w, reversed((uint32_t)d, 5), 5);
    put(w, (uint32_t)(distance - distance_base[d]), distance_extra[d]);
}

static inline uint32_t hash3(const uint8_t *p) {
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

size_t nb_deflate_fixed_zlib_bound(size_t length) {
    return 2 + (9 * length + 3 + 7 + 7) / 8 + 4 + 8; // header, literals + block header + end, Adler-32, a word of slack
}                                                    // (stored blocks, the fallback, are smaller)

size_t nb_deflate_fixed_zlib(const uint8_t *input, size_t length, uint8_t *output, size_t capacity) {
    if (capacity < nb_deflate_fixed_zlib_bound(length)) return 0;
    pthread_once(&tables_once, make_tables);
    uint32_t stack_previous[STACK_POSITIONS];
    uint32_t *previous = length <= STACK_POSITIONS ? stack_previous : malloc(length * sizeof *previous);
    if (!previous) return 0;
    uint32_t head[1 << HASH_BITS]; // position + 1 of the latest 3 bytes with each hash; 0: none
    memset(head, 0, sizeof head);
    bit_writer w = {output + 2, 0, 0};
    output[0] = 0x78; // deflate, 32 KB window
    output[1] = 0x01; // fastest level; (0x78 << 8 | 0x01) % 31 == 0
    put(&w, 1 | 1 << 1, 3); // the final block, fixed Huffman codes
    size_t i = 0;
    while (i + MIN_MATCH <= length) {
        uint32_t hash = hash3(input + i);
        size_t best = 0, best_from = 0;
        for (uint32_t candidate = head[hash], tries = 0; candidate > 0 && tries < CANDIDATES; tries++) {
            size_t from = candidate - 1;
            if (i - from > WINDOW) break;
            size_t n = 0, limit = length - i < MAX_MATCH ? length - i : MAX_MATCH;
            while (n + 8 <= limit) { // eight bytes per step
                uint64_t x, y;
                memcpy(&x, input + from + n, 8);
                memcpy(&y, input + i + n, 8);
                if (x != y) {
                    n += (size_t)__builtin_ctzll(x ^ y) >> 3;
                    goto compared;
                }
                n += 8;
            }
            while (n < limit && input[from + n] == input[i + n]) n++;
        compared:
            if (n > best) best = n, best_from = from;
            candidate = previous[from];
        }
        previous[i] = head[hash];
        head[hash] = (uint32_t)(i + 1);
        if (best >= MIN_MATCH) {
            put_match(&w, (int)best, (int)(i - best_from));
            for (size_t k = i + 1; k < i + best && k + MIN_MATCH <= length; k++) {
                uint32_t h = hash3(input + k);
                previous[k] = head[h];
                head[h] = (uint32_t)(k + 1);
            }
            i += best;
        } else {
            put_symbol(&w, input[i++]);
        }
    }
    while (i < length) put_symbol(&w, input[i++]);
    put_symbol(&w, 256);
    while (w.count > 0) { // the last partial byte, zero-padded
        *w.out++ = (uint8_t)w.bits;
        w.bits >>= 8;
        w.count -= 8;
    }
    if (previous != stack_previous) free(previous);
    // Incompressible input (fixed codes spend 9 bits on half the byte values): stored blocks instead.
    size_t stored = 2 + length + 5 * (length / 65535 + 1);
    if ((size_t)(w.out - output) > stored) {
        w.out = output + 2;
        size_t at = 0;
        do {
            size_t n = length - at < 65535 ? length - at : 65535;
            *w.out++ = at + n == length ? 1 : 0; // BFINAL, BTYPE 00, padding
            *w.out++ = (uint8_t)n;
            *w.out++ = (uint8_t)(n >> 8);
            *w.out++ = (uint8_t)~n;
            *w.out++ = (uint8_t)(~n >> 8);
            memcpy(w.out, input + at, n);
            w.out += n;
            at += n;
        } while (at < length);
    }
    uint32_t a = 1, b = 0;
    for (size_t k = 0; k < length;) { // sums stay below 2^32 for 5552 bytes between reductions
        size_t stop = k + 5552 < length ? k + 5552 : length;
        for (; k < stop; k++) {
            a += input[k];
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    uint32_t adler = b << 16 | a;
    for (int k = 3; k >= 0; k--) *w.out++ = (uint8_t)(adler >> (8 * k));
    return (size_t)(w.out - output);
}
