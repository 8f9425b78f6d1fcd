// bzip2 decoding: stream and block headers, Huffman-coded move-to-front symbols, the inverse Burrows-Wheeler
// transform, the initial run-length code and both CRCs, as in the format libbz2 writes (the reference for the
// tests: every stream libbz2 writes decodes to the same bytes, and damage gives an error, never a crash).
#include "CBZip2.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSSE3__)
#include <tmmintrin.h>
#endif

enum {
    MAX_GROUPS = 6,
    MAX_ALPHABET = 258,      // 256 byte values + RUNA/RUNB - 1 + end of block
    MAX_CODE_LENGTH = 20,
    GROUP_SIZE = 50,         // symbols coded with one selector
    MAX_SELECTORS = 18002,   // libbz2 reads more but uses only these (2 + 900000 / GROUP_SIZE)
    FAST_BITS = 10,          // codes up to this length decode with one table lookup
    MAX_CHAINS = 64,         // chains of the inverse transform's walk
    CHAIN_SPACING = 4096,    // a chain per this many bytes of a block, up to MAX_CHAINS
    CHUNK = 4096 + 64,       // chains write their bytes in chunks of this size (not a multiple of 4 KB: the chains,
                             // which advance in step, would all write into one L1 cache set)
    INPUT_CAPACITY = 1 << 16,
};
static const uint32_t POSITION_MASK = 0xFFFFF; // a block has at most 900,000 bytes < 2^20 (rows, ranks)
static const uint32_t START_FLAG = 1u << 31;     // a row where a chain starts
static const uint64_t BLOCK_MAGIC = 0x314159265359ull, END_MAGIC = 0x177245385090ull;

enum state { STREAM_HEADER, BLOCK_HEADER, BLOCK_OUTPUT, FINISHED, FAILED };

struct huffman {
    uint16_t fast[1 << FAST_BITS];          // (symbol << 5) | length for codes of up to FAST_BITS bits; 0: longer code
    uint32_t first[MAX_CODE_LENGTH + 1];    // first canonical code of each length
    uint16_t count[MAX_CODE_LENGTH + 1];    // codes of each length
    uint16_t offset[MAX_CODE_LENGTH + 1];   // index in `symbols` of the first code of each length
    uint16_t symbols[MAX_ALPHABET];         // symbols in code order (by length, then symbol)
    int max_length;
};

struct nb_bz2_decoder {
    nb_bz2_read_fn read;
    void *context;
    uint8_t *input;
    ptrdiff_t input_pos, input_len;
    int input_ended;
    int64_t input_before; // bytes of the buffers read before the current one
    uint64_t bits;        // next bits of the input, most significant first; bits below bit_count are zero or
    int bit_count;        // the correct following bits (the refill reads whole words ahead)

    enum state state;
    int error;
    const char *detail;
    int streams;          // streams whose end-of-stream marker has been read
    uint32_t block_limit; // bytes a block may hold: 100,000 x the level in the stream header
    uint32_t stream_crc, expected_block_crc, block_crc;

    uint32_t *tt;         // per row of the transform: its last byte (bits 0-7), that byte's rank among equal bytes
                          // before it (8-27), START_FLAG
    uint8_t *block;       // the block's bytes after the inverse transform, before the run-length decoding
    uint8_t *chunks;      // walk output of the chains
    int32_t *chunk_next;
    uint32_t capacity;    // block_limit the buffers were allocated for

    uint32_t block_len, block_pos;  // run-length decoding of `block`
    int previous, same;             // the last byte (or 256) and how many times in a row it came
    uint32_t run_left;              // copies of run_byte still to write
    uint8_t run_byte;

    struct huffman tables[MAX_GROUPS];
    uint8_t selectors[MAX_SELECTORS];
};

// MARK: - CRC (bzip2's is the big-endian CRC-32, polynomial 0x04C11DB7): carry-less multiplication where the CPU
// has it, else eight bytes per step by tables

static uint32_t crc_tables[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static inline uint32_t load_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t crc_update_tables(uint32_t crc, const uint8_t *p, size_t n) {
    const uint32_t (*t)[256] = crc_tables;
    for (; n >= 8; n -= 8, p += 8) {
        uint32_t high = crc ^ load_be32(p), low = load_be32(p + 4);
        crc = t[7][high >> 24] ^ t[6][(high >> 16) & 0xff] ^ t[5][(high >> 8) & 0xff] ^ t[4][high & 0xff] ^
              t[3][low >> 24] ^ t[2][(low >> 16) & 0xff] ^ t[1][(low >> 8) & 0xff] ^ t[0][low & 0xff];
    }
    for (; n > 0; n--) crc = (crc << 8) ^ t[0][(crc >> 24) ^ *p++];
    return crc;
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

static int have_clmul;
/// x^n mod P for the folds: by 128 bits (n = 128, 192) and by 512 (n = 512, 576).
static uint32_t x128, x192, x512, x576;

static uint32_t x_power_mod(unsigned n) {
    uint32_t r = 1;
    while (n--) r = (r & 0x80000000u) ? (r << 1) ^ 0x04C11DB7u : r << 1;
    return r;
}

/// The message read as a polynomial, 16 bytes at a time (a 16-byte block reversed is its polynomial, bit i the
/// coefficient of x^i), is folded: X * x^128 + B = H * x^192 + L * x^128 + B == H * (x^192 mod P) + L * (x^128 mod P)
/// + B (mod P), X = H x^64 + L, with four blocks in flight (folds by 512 bits) so the multiplications overlap. The
/// running CRC enters as the message's first 32 bits; the 128-bit remainder and the bytes past the last whole block
/// finish through the tables. Needs n >= 64.
__attribute__((target("pclmul,ssse3"))) static uint32_t crc_update_clmul(uint32_t crc, const uint8_t *p, size_t n) {
    const __m128i reverse = _mm_setr_epi8(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const __m128i by128 = _mm_set_epi64x(x192, x128), by512 = _mm_set_epi64x(x576, x512);
#define BLOCK(q) _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(q)), reverse)
#define FOLD(x, k) _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x11), _mm_clmulepi64_si128(x, k, 0x00))
    __m128i a0 = _mm_xor_si128(BLOCK(p), _mm_set_epi32((int)crc, 0, 0, 0));
    __m128i a1 = BLOCK(p + 16), a2 = BLOCK(p + 32), a3 = BLOCK(p + 48);
    for (p += 64, n -= 64; n >= 64; p += 64, n -= 64) {
        a0 = _mm_xor_si128(FOLD(a0, by512), BLOCK(p));
        a1 = _mm_xor_si128(FOLD(a1, by512), BLOCK(p + 16));
        a2 = _mm_xor_si128(FOLD(a2, by512), BLOCK(p + 32));
        a3 = _mm_xor_si128(FOLD(a3, by512), BLOCK(p + 48));
    }
    __m128i x = _mm_xor_si128(FOLD(a0, by128), a1);
    x = _mm_xor_si128(FOLD(x, by128), a2);
    x = _mm_xor_si128(FOLD(x, by128), a3);
    for (; n >= 16; p += 16, n -= 16) x = _mm_xor_si128(FOLD(x, by128), BLOCK(p));
#undef BLOCK
#undef FOLD
    uint8_t remainder[16];
    _mm_storeu_si128((__m128i *)remainder, _mm_shuffle_epi8(x, reverse));
    return crc_update_tables(crc_update_tables(0, remainder, 16), p, n);
}
#endif

static void make_crc_tables(void) {
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t c = b << 24;
        for (int k = 0; k < 8; k++) c = (c & 0x80000000u) ? (c << 1) ^ 0x04C11DB7u : c << 1;
        crc_tables[0][b] = c;
    }
    for (int t = 1; t < 8; t++)
        for (uint32_t b = 0; b < 256; b++) {
            uint32_t c = crc_tables[t - 1][b];
            crc_tables[t][b] = (c << 8) ^ crc_tables[0][c >> 24];
        }
#if defined(__x86_64__)
    unsigned a, b, c, d;
    have_clmul = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_PCLMUL) && (c & bit_SSSE3);
    x128 = x_power_mod(128);
    x192 = x_power_mod(192);
    x512 = x_power_mod(512);
    x576 = x_power_mod(576);
#endif
}

static uint32_t crc_update(uint32_t crc, const uint8_t *p, size_t n) {
#if defined(__x86_64__)
    if (have_clmul && n >= 64) return crc_update_clmul(crc, p, n);
#endif
    return crc_update_tables(crc, p, n);
}

// MARK: - Errors and bits

static int fail(nb_bz2_decoder *d, int code, const char *detail) {
    d->state = FAILED;
    d->error = code;
    d->detail = detail;
    return code;
}

static int refill_slow(nb_bz2_decoder *d, uint64_t *bits, int *count);

/// Tops `bits` up to at least 57 valid bits while the input lasts; a read failure is an error.
__attribute__((always_inline)) static inline int refill(nb_bz2_decoder *d, uint64_t *bits, int *count) {
    if (d->input_len - d->input_pos >= 8) {
        const uint8_t *p = d->input + d->input_pos;
        uint64_t word = (uint64_t)load_be32(p) << 32 | load_be32(p + 4);
        *bits |= word >> *count;
        d->input_pos += (63 - *count) >> 3;
        *count |= 56;
        return 0;
    }
    return refill_slow(d, bits, count);
}

static int refill_slow(nb_bz2_decoder *d, uint64_t *bits, int *count) {
    while (*count <= 56) {
        if (d->input_len - d->input_pos >= 8) return refill(d, bits, count);
        if (d->input_pos < d->input_len) {
            *bits |= (uint64_t)d->input[d->input_pos++] << (56 - *count);
            *count += 8;
            continue;
        }
        if (d->input_ended) return 0;
        d->input_before += d->input_len;
        ptrdiff_t n = d->read(d->context, d->input, INPUT_CAPACITY);
        d->input_pos = 0;
        d->input_len = n > 0 ? n : 0;
        if (n < 0) return fail(d, NB_BZ2_ERROR_READ, "reading the compressed input failed");
        if (n == 0) d->input_ended = 1;
    }
    return 0;
}

/// The next `n` (1...32) bits as a number.
static int get_bits(nb_bz2_decoder *d, int n, uint32_t *value) {
    if (d->bit_count < n) {
        int rc = refill(d, &d->bits, &d->bit_count);
        if (rc) return rc;
        if (d->bit_count < n) return fail(d, NB_BZ2_ERROR_TRUNCATED, "the input ends inside a block");
    }
    *value = (uint32_t)(d->bits >> (64 - n));
    d->bits <<= n;
    d->bit_count -= n;
    return 0;
}

#define TRY(expression)                 \
    do {                                \
        int status_ = (expression);     \
        if (status_) return status_;    \
    } while (0)

// MARK: - Huffman tables

/// Canonical codes from code lengths (shorter codes first, equal lengths by symbol), as libbz2 assigns them.
static int build_table(nb_bz2_decoder *d, struct huffman *h, const uint8_t *lengths, int alphabet) {
    uint16_t count[MAX_CODE_LENGTH + 1] = {0};
    for (int s = 0; s < alphabet; s++) count[lengths[s]]++;
    uint32_t available = 1;
    for (int l = 1; l <= MAX_CODE_LENGTH; l++) {
        available <<= 1;
        if (count[l] > available) return fail(d, NB_BZ2_ERROR_CORRUPT, "a Huffman table has more codes than its lengths allow");
        available -= count[l];
    }
    uint32_t code = 0;
    uint16_t offset = 0, next[MAX_CODE_LENGTH + 1];
    h->max_length = 0;
    for (int l = 1; l <= MAX_CODE_LENGTH; l++) {
        h->first[l] = code;
        h->count[l] = count[l];
        h->offset[l] = next[l] = offset;
        offset += count[l];
        code = (code + count[l]) << 1;
        if (count[l]) h->max_length = l;
    }
    for (int s = 0; s < alphabet; s++) h->symbols[next[lengths[s]]++] = (uint16_t)s;
    memset(h->fast, 0, sizeof h->fast);
    for (int l = 1; l <= FAST_BITS; l++)
        for (int k = 0; k < count[l]; k++) {
            uint16_t entry = (uint16_t)(h->symbols[h->offset[l] + k] << 5 | l);
            uint32_t from = (h->first[l] + k) << (FAST_BITS - l), to = from + (1u << (FAST_BITS - l));
            for (uint32_t i = from; i < to; i++) h->fast[i] = entry;
        }
    return 0;
}

/// A code longer than FAST_BITS (or no code: -1) at the top of `bits`.
static int decode_long(const struct huffman *h, uint64_t bits, int *length) {
    for (int l = FAST_BITS + 1; l <= h->max_length; l++) {
        uint32_t index = (uint32_t)(bits >> (64 - l)) - h->first[l];
        if (index < h->count[l]) {
            *length = l;
            return h->symbols[h->offset[l] + index];
        }
    }
    return -1;
}

// MARK: - Move-to-front list: the first 16 entries in a vector register where the CPU allows

#if defined(__SSSE3__)
// Positions 0..15 in `front`, the rest in 15 aligned vectors: every vector is loaded and stored whole at the same
// place, so a load never straddles two recent stores (store forwarding would fail and stall it).
typedef struct { __m128i tail[15]; } mtf_list;
typedef __m128i mtf_front;

static inline void mtf_init(__m128i *front, mtf_list *m, const uint8_t *values) {
    *front = _mm_loadu_si128((const __m128i *)values);
    for (int j = 0; j < 15; j++) m->tail[j] = _mm_loadu_si128((const __m128i *)(values + 16 + 16 * j));
}
static inline uint8_t mtf_first(__m128i front, const mtf_list *m) {
    (void)m;
    return (uint8_t)_mm_cvtsi128_si32(front);
}

/// `vector` with its lanes up to `position` taken from `moved` and the lanes above kept.
__attribute__((always_inline)) static inline __m128i merge_through(__m128i vector, __m128i moved, __m128i position) {
    __m128i keep = _mm_cmpgt_epi8(_mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), position);
    return _mm_or_si128(_mm_and_si128(keep, vector), _mm_andnot_si128(keep, moved));
}

__attribute__((always_inline)) static inline uint8_t mtf_take(__m128i *front, mtf_list *m, unsigned position) {
    if (position < 16) {
        __m128i at = _mm_set1_epi8((char)position);
        __m128i value = _mm_shuffle_epi8(*front, at);
        __m128i moved = _mm_or_si128(_mm_slli_si128(*front, 1), _mm_and_si128(value, _mm_cvtsi32_si128(0xff)));
        *front = merge_through(*front, moved, at);
        return (uint8_t)_mm_cvtsi128_si32(value);
    }
    // Each vector up to the one holding `position` moves up a lane, taking the top lane of the vector below.
    unsigned t = position - 16, top = t >> 4;
    uint8_t value = ((const uint8_t *)m->tail)[t];
    __m128i below = top ? m->tail[top - 1] : *front;
    m->tail[top] = merge_through(m->tail[top], _mm_alignr_epi8(m->tail[top], below, 15), _mm_set1_epi8((char)(t & 15)));
    if (top > 0) {
        for (unsigned j = top; j > 1; j--) { // the front vector, below tail[0], is moved last (no select per step)
            __m128i lower = m->tail[j - 2];
            m->tail[j - 1] = _mm_alignr_epi8(below, lower, 15);
            below = lower;
        }
        m->tail[0] = _mm_alignr_epi8(below, *front, 15);
    }
    *front = _mm_or_si128(_mm_slli_si128(*front, 1), _mm_cvtsi32_si128(value));
    return value;
}
#else
typedef struct { uint8_t values[256]; } mtf_list;
typedef uint8_t mtf_front; // unused: the scalar list keeps every position in `values`

static inline void mtf_init(mtf_front *front, mtf_list *m, const uint8_t *values) {
    (void)front;
    memcpy(m->values, values, 256);
}
static inline uint8_t mtf_first(mtf_front front, const mtf_list *m) {
    (void)front;
    return m->values[0];
}

__attribute__((always_inline)) static inline uint8_t mtf_take(mtf_front *front, mtf_list *m, unsigned position) {
    (void)front;
    uint8_t value = m->values[position];
    memmove(m->values + 1, m->values, position);
    m->values[0] = value;
    return value;
}
#endif

// MARK: - Blocks

static int ensure_capacity(nb_bz2_decoder *d, uint32_t limit) {
    if (d->capacity >= limit) return 0;
    free(d->tt);
    free(d->block);
    free(d->chunks);
    free(d->chunk_next);
    size_t chunk_count = limit / CHUNK + MAX_CHAINS + 1;
    d->tt = malloc((size_t)limit * sizeof *d->tt);
    d->block = malloc(limit);
    d->chunks = malloc(chunk_count * CHUNK);
    d->chunk_next = malloc(chunk_count * sizeof *d->chunk_next);
    if (!d->tt || !d->block || !d->chunks || !d->chunk_next) {
        d->capacity = 0;
        return fail(d, NB_BZ2_ERROR_MEMORY, "no memory for a block's buffers");
    }
    d->capacity = limit;
    return 0;
}

/// Writes the block's bytes before the Burrows-Wheeler transform into `d->block`, last byte first: from the origin row,
/// each step goes to the row that starts with this row's last byte (C[byte] + its rank among equal bytes, the
/// inverse of libbz2's forward walk, which gives the same bytes). One walk is a chain of dependent cache misses; here
/// up to MAX_CHAINS chains start at flagged rows and run side by side, each until it meets a flagged row, which
/// names its successor, so their bytes join in order afterwards.
static void inverse_transform(nb_bz2_decoder *d, uint32_t n, uint32_t origin, const uint32_t *count) {
    uint32_t *tt = d->tt, first_row[256], total = 0;
    for (int b = 0; b < 256; b++) {
        first_row[b] = total;
        total += count[b];
    }
    struct running { uint8_t *write, *begin; uint32_t row; int id; } running[MAX_CHAINS];
    struct segment { uint32_t start; int32_t head, tail; uint8_t *begin; int successor; } segments[MAX_CHAINS];
    int wanted = (int)(n / CHAIN_SPACING), chains = 0;
    if (wanted > MAX_CHAINS) wanted = MAX_CHAINS;
    if (wanted < 1) wanted = 1;
    int32_t chunks_used = 0;
    for (int c = 0; c < wanted; c++) {
        uint32_t start = c == 0 ? origin : (uint32_t)((uint64_t)c * n / (uint64_t)wanted);
        if (tt[start] & START_FLAG) continue;
        tt[start] |= START_FLAG;
        int32_t chunk = chunks_used++;
        d->chunk_next[chunk] = -1;
        uint8_t *chunk_end = d->chunks + (size_t)(chunk + 1) * CHUNK;
        segments[chains] = (struct segment){start, chunk, chunk, NULL, -1};
        // Chains write downwards, so that each chunk holds its bytes in output order.
        running[chains] = (struct running){chunk_end, chunk_end - CHUNK, start, chains};
        chains++;
    }
    // The first step of each chain needs no flag test: its start itself is flagged.
    for (int c = 0; c < chains; c++) {
        struct running *r = &running[c];
        uint32_t entry = tt[r->row];
        *--r->write = (uint8_t)entry;
        r->row = first_row[entry & 0xff] + ((entry >> 8) & POSITION_MASK);
    }
    int active = chains;
    while (active > 0) {
        for (int a = 0; a < active;) {
            struct running *r = &running[a];
            uint32_t entry = tt[r->row];
            if (entry & START_FLAG) {
                struct segment *s = &segments[r->id];
                s->begin = r->write;
                for (int k = 0; k < chains; k++)
                    if (segments[k].start == r->row) s->successor = k;
                *r = running[--active];
                continue;
            }
            *--r->write = (uint8_t)entry;
            r->row = first_row[entry & 0xff] + ((entry >> 8) & POSITION_MASK);
            if (r->write == r->begin) {
                int32_t chunk = chunks_used++;
                d->chunk_next[segments[r->id].tail] = chunk;
                d->chunk_next[chunk] = -1;
                segments[r->id].tail = chunk;
                r->begin = d->chunks + (size_t)chunk * CHUNK;
                r->write = r->begin + CHUNK;
            }
            a++;
        }
    }
    // Chain 0 ends the block; its successor's bytes come before its own, and so on (around the cycle again where
    // it is shorter than the block).
    uint32_t left = n;
    for (int c = 0; left > 0; c = segments[c].successor) {
        for (int32_t chunk = segments[c].head; chunk >= 0 && left > 0; chunk = d->chunk_next[chunk]) {
            const uint8_t *chunk_end = d->chunks + (size_t)(chunk + 1) * CHUNK;
            uint32_t length = chunk == segments[c].tail ? (uint32_t)(chunk_end - segments[c].begin) : CHUNK;
            if (length > left) length = left;
            left -= length;
            memcpy(d->block + left, chunk_end - length, length);
        }
    }
}

/// Reads one block after its magic number, through the inverse transform; the run-length decoding is left to
/// `emit` so that output can stream.
static int read_block(nb_bz2_decoder *d) {
    uint32_t value, origin, used_ranges;
    TRY(get_bits(d, 32, &d->expected_block_crc));
    TRY(get_bits(d, 1, &value));
    if (value) return fail(d, NB_BZ2_ERROR_CORRUPT, "a randomised block (written by bzip2 before version 0.9.5): not supported");
    TRY(get_bits(d, 24, &origin));
    TRY(get_bits(d, 16, &used_ranges));
    uint8_t byte_of[256] = {0};
    int used = 0;
    for (int r = 0; r < 16; r++) {
        if (!(used_ranges & (0x8000u >> r))) continue;
        TRY(get_bits(d, 16, &value));
        for (int b = 0; b < 16; b++)
            if (value & (0x8000u >> b)) byte_of[used++] = (uint8_t)(r * 16 + b);
    }
    if (used == 0) return fail(d, NB_BZ2_ERROR_CORRUPT, "a block uses no byte values");
    int alphabet = used + 2, end_of_block = used + 1;

    uint32_t groups, selector_count;
    TRY(get_bits(d, 3, &groups));
    if (groups < 2 || groups > MAX_GROUPS) return fail(d, NB_BZ2_ERROR_CORRUPT, "a block's number of Huffman tables is outside 2...6");
    TRY(get_bits(d, 15, &selector_count));
    if (selector_count < 1) return fail(d, NB_BZ2_ERROR_CORRUPT, "a block has no selectors");
    uint8_t order[MAX_GROUPS] = {0, 1, 2, 3, 4, 5};
    for (uint32_t i = 0; i < selector_count; i++) {
        uint32_t j = 0;
        for (;;) {
            TRY(get_bits(d, 1, &value));
            if (!value) break;
            if (++j >= groups) return fail(d, NB_BZ2_ERROR_CORRUPT, "a selector names a Huffman table the block does not have");
        }
        if (i >= MAX_SELECTORS) continue;
        uint8_t table = order[j];
        memmove(order + 1, order, j);
        order[0] = table;
        d->selectors[i] = table;
    }
    if (selector_count > MAX_SELECTORS) selector_count = MAX_SELECTORS;

    uint8_t lengths[MAX_ALPHABET];
    for (uint32_t t = 0; t < groups; t++) {
        uint32_t length;
        TRY(get_bits(d, 5, &length));
        for (int s = 0; s < alphabet; s++) {
            for (;;) {
                if (length < 1 || length > MAX_CODE_LENGTH) return fail(d, NB_BZ2_ERROR_CORRUPT, "a Huffman code length is outside 1...20");
                TRY(get_bits(d, 1, &value));
                if (!value) break;
                TRY(get_bits(d, 1, &value));
                length = value ? length - 1 : length + 1;
            }
            lengths[s] = (uint8_t)length;
        }
        TRY(build_table(d, &d->tables[t], lengths, alphabet));
    }

    // Symbols: runs of the list's first byte (RUNA/RUNB digits, bijective base 2), list positions, end of block.
    uint32_t *tt = d->tt, n = 0, limit = d->block_limit;
    uint32_t seen[256] = {0}; // occurrences of each byte so far: the rank of the next one
    mtf_front front;
    mtf_list list;
    mtf_init(&front, &list, byte_of); // byte_of is zero past `used`: the list's unused tail
    uint64_t bits = d->bits;
    int bit_count = d->bit_count;
    const struct huffman *h = d->tables;
    uint32_t group = 0, group_left = 0, run = 0, run_weight = 1;
    for (;;) {
        if (group_left == 0) {
            if (group >= selector_count) return fail(d, NB_BZ2_ERROR_CORRUPT, "a block has more symbols than its selectors cover");
            h = &d->tables[d->selectors[group++]];
            group_left = GROUP_SIZE;
        }
        group_left--;
        if (bit_count < MAX_CODE_LENGTH) {
            int rc = refill(d, &bits, &bit_count);
            if (rc) return rc;
        }
        uint32_t entry = h->fast[bits >> (64 - FAST_BITS)];
        int length, symbol;
        if (entry) {
            length = (int)(entry & 31);
            symbol = (int)(entry >> 5);
        } else {
            symbol = decode_long(h, bits, &length);
            if (symbol < 0) return fail(d, NB_BZ2_ERROR_CORRUPT, "a bit pattern that is no Huffman code of its table");
        }
        if (length > bit_count) return fail(d, NB_BZ2_ERROR_TRUNCATED, "the input ends inside a block");
        bits <<= length;
        bit_count -= length;
        if (symbol <= 1) {
            if (run_weight >= (1u << 21)) return fail(d, NB_BZ2_ERROR_CORRUPT, "a run of repeated bytes is too long");
            run += (uint32_t)(symbol + 1) * run_weight;
            run_weight <<= 1;
            continue;
        }
        if (run) {
            if (run > limit - n) return fail(d, NB_BZ2_ERROR_CORRUPT, "a block is longer than its stream header allows");
            uint8_t byte = mtf_first(front, &list);
            for (uint32_t k = 0; k < run; k++) tt[n + k] = (seen[byte] + k) << 8 | byte;
            seen[byte] += run;
            n += run;
            run = 0;
            run_weight = 1;
        }
        if (symbol == end_of_block) break;
        if (n >= limit) return fail(d, NB_BZ2_ERROR_CORRUPT, "a block is longer than its stream header allows");
        uint8_t byte = mtf_take(&front, &list, (unsigned)symbol - 1);
        tt[n++] = seen[byte]++ << 8 | byte;
    }
    d->bits = bits;
    d->bit_count = bit_count;
    if (origin >= n) return fail(d, NB_BZ2_ERROR_CORRUPT, "a block's origin pointer lies outside the block");

    inverse_transform(d, n, origin, seen);
    d->block_len = n;
    d->block_pos = 0;
    d->previous = 256;
    d->same = 0;
    d->run_left = 0;
    d->block_crc = 0xFFFFFFFFu;
    return 0;
}

/// Run-length decodes the current block into `out`: after four equal bytes the next byte counts further copies.
static ptrdiff_t emit(nb_bz2_decoder *d, uint8_t *out, ptrdiff_t capacity) {
    uint8_t *o = out, *end = out + capacity;
    const uint8_t *block = d->block;
    uint32_t i = d->block_pos, n = d->block_len;
    int previous = d->previous, same = d->same;
    while (o < end) {
        if (d->run_left) {
            uint32_t k = d->run_left < (uint32_t)(end - o) ? d->run_left : (uint32_t)(end - o);
            memset(o, d->run_byte, k);
            o += k;
            d->run_left -= k;
            continue;
        }
        if (i == n) break;
#if defined(__SSSE3__)
        // Sixteen bytes at a time while no run of four completes in them (`previous` is block[i - 1] here).
        while (previous != 256 && n - i >= 16 && end - o >= 16) {
            __m128i bytes = _mm_loadu_si128((const __m128i *)(block + i));
            unsigned equal = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_loadu_si128((const __m128i *)(block + i - 1))));
            unsigned lead = (unsigned)__builtin_ctz(~equal); // lanes continuing the run before them
            if ((equal & equal << 1 & equal << 2) || same + lead >= 4) break;
            _mm_storeu_si128((__m128i *)o, bytes);
            o += 16;
            i += 16;
            same = 16 - (31 - __builtin_clz(~equal & 0xFFFF)); // the run at lane 15
            previous = block[i - 1];
        }
#endif
        for (uint32_t stop = i + 16 < n ? i + 16 : n; i < stop && o < end;) {
            uint8_t byte = block[i++];
            *o++ = byte;
            if (byte != previous) {
                previous = byte;
                same = 1;
            } else if (++same == 4) {
                if (i < n) d->run_left = block[i++];
                d->run_byte = byte;
                previous = 256;
                same = 0;
                break;
            }
        }
    }
    d->block_pos = i;
    d->previous = previous;
    d->same = same;
    d->block_crc = crc_update(d->block_crc, out, (size_t)(o - out));
    return o - out;
}

static int read_stream_header(nb_bz2_decoder *d) {
    d->bits <<= d->bit_count & 7; // streams start on a byte boundary
    d->bit_count &= ~7;
    if (d->bit_count == 0) {
        TRY(refill(d, &d->bits, &d->bit_count));
        if (d->bit_count == 0) {
            if (d->streams == 0) return fail(d, NB_BZ2_ERROR_NOT_BZIP2, "the input is empty");
            d->state = FINISHED;
            return 0;
        }
    }
    uint32_t magic, level;
    const char *what = d->streams == 0 ? "the input does not start with a bzip2 header (BZh1...BZh9)"
                                       : "bytes after a bzip2 stream are not another bzip2 stream";
    if (d->bit_count < 32) TRY(refill(d, &d->bits, &d->bit_count));
    if (d->bit_count < 32) return fail(d, NB_BZ2_ERROR_NOT_BZIP2, what);
    TRY(get_bits(d, 24, &magic));
    TRY(get_bits(d, 8, &level));
    if (magic != 0x425A68 || level < '1' || level > '9') return fail(d, NB_BZ2_ERROR_NOT_BZIP2, what);
    d->block_limit = (level - '0') * 100000u;
    TRY(ensure_capacity(d, d->block_limit));
    d->stream_crc = 0;
    d->state = BLOCK_HEADER;
    return 0;
}

static int read_block_header(nb_bz2_decoder *d) {
    uint32_t high, low;
    TRY(get_bits(d, 24, &high));
    TRY(get_bits(d, 24, &low));
    uint64_t magic = (uint64_t)high << 24 | low;
    if (magic == BLOCK_MAGIC) {
        TRY(read_block(d));
        d->state = BLOCK_OUTPUT;
        return 0;
    }
    if (magic != END_MAGIC) return fail(d, NB_BZ2_ERROR_CORRUPT, "a block does not start with the block or end-of-stream magic number");
    uint32_t crc;
    TRY(get_bits(d, 32, &crc));
    if (crc != d->stream_crc) return fail(d, NB_BZ2_ERROR_CORRUPT, "the stream's combined CRC does not match its blocks");
    d->streams++;
    d->state = STREAM_HEADER;
    return 0;
}

// MARK: - Interface

nb_bz2_decoder *nb_bz2_decoder_create(nb_bz2_read_fn read, void *context) {
    pthread_once(&crc_once, make_crc_tables);
    nb_bz2_decoder *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->input = malloc(INPUT_CAPACITY);
    if (!d->input) {
        free(d);
        return NULL;
    }
    d->read = read;
    d->context = context;
    d->state = STREAM_HEADER;
    return d;
}

void nb_bz2_decoder_destroy(nb_bz2_decoder *d) {
    if (!d) return;
    free(d->input);
    free(d->tt);
    free(d->block);
    free(d->chunks);
    free(d->chunk_next);
    free(d);
}

ptrdiff_t nb_bz2_decode(nb_bz2_decoder *d, uint8_t *out, ptrdiff_t capacity) {
    ptrdiff_t produced = 0;
    while (produced < capacity) {
        switch (d->state) {
        case FAILED:
            return produced > 0 ? produced : d->error;
        case FINISHED:
            return produced;
        case STREAM_HEADER:
            read_stream_header(d);
            break;
        case BLOCK_HEADER:
            read_block_header(d);
            break;
        case BLOCK_OUTPUT:
            produced += emit(d, out + produced, capacity - produced);
            if (d->block_pos == d->block_len && d->run_left == 0) {
                uint32_t crc = ~d->block_crc;
                if (crc != d->expected_block_crc) {
                    fail(d, NB_BZ2_ERROR_CORRUPT, "a block's CRC does not match its bytes");
                    break;
                }
                d->stream_crc = (d->stream_crc << 1 | d->stream_crc >> 31) ^ crc;
                d->state = BLOCK_HEADER;
            }
            break;
        }
    }
    return produced;
}

const char *nb_bz2_error_detail(const nb_bz2_decoder *d) { return d->detail ? d->detail : "no error"; }

int64_t nb_bz2_compressed_offset(const nb_bz2_decoder *d) {
    return d->input_before + d->input_pos - d->bit_count / 8;
}
