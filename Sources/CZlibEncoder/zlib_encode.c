// Deflate (RFC 1951) in a zlib wrapper (RFC 1950) for short inputs: greedy LZ77 on four-byte words, then one block
// with the cheapest of per-input Huffman codes, deflate's fixed codes, or no compression. Written for the per-epoch
// curves of an import (float32 arrays): within 1 % of libdeflate's fastest level in size, and it clears no table.
#include "CZlibEncoder.h"

#include <libdeflate.h> // its Adler-32 (vectorised); the project decodes curves with libdeflate too
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum {
    MIN_MATCH = 4, // three-byte matches rarely pay for a length and a distance code with per-input codes
    MAX_MATCH = 258,
    HASH_BITS = 10,
    CANDIDATES = 4,
    LITLEN_SYMBOLS = 286,
    FIXED_LITLEN_SYMBOLS = 288, // 286 and 287 are never used, but the fixed code's 9-bit codes start after them
    DISTANCE_SYMBOLS = 30,
    PRECODE_SYMBOLS = 19,
    END_OF_BLOCK = 256,
    SHORT_INPUT = 64, // shorter inputs are stored: block headers cost more than codes save on under 16 float32 values
};

static const uint16_t length_base[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                         35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t length_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t distance_base[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
                                           1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t distance_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
static const uint8_t precode_order[PRECODE_SYMBOLS] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

static uint8_t length_slot[MAX_MATCH + 1]; // match length -> its length code - 257
static uint8_t distance_slot[512];         // distance d: [d - 1] for d <= 256, else [256 + ((d - 1) >> 7)]
static uint8_t reversed_byte[256];
static uint8_t fixed_lengths[FIXED_LITLEN_SYMBOLS + DISTANCE_SYMBOLS];
static uint16_t fixed_codes[FIXED_LITLEN_SYMBOLS + DISTANCE_SYMBOLS];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void canonical_codes(const uint8_t *lengths, int n, uint16_t *codes);

static void make_tables(void) {
    for (int b = 0; b < 256; b++) {
        int r = 0;
        for (int k = 0; k < 8; k++) r |= ((b >> k) & 1) << (7 - k);
        reversed_byte[b] = (uint8_t)r;
    }
    for (int length = 3, l = 0; length <= MAX_MATCH; length++) {
        while (l < 28 && length_base[l + 1] <= length) l++;
        length_slot[length] = (uint8_t)l;
    }
    for (int d = 0; d < 30; d++) {
        int end = d < 29 ? distance_base[d + 1] : 32769;
        for (int distance = distance_base[d]; distance < end; distance++) {
            if (distance <= 256) distance_slot[distance - 1] = (uint8_t)d;
            else distance_slot[256 + ((distance - 1) >> 7)] = (uint8_t)d;
        }
    }
    for (int s = 0; s < FIXED_LITLEN_SYMBOLS; s++) fixed_lengths[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
    for (int s = 0; s < DISTANCE_SYMBOLS; s++) fixed_lengths[FIXED_LITLEN_SYMBOLS + s] = 5;
    canonical_codes(fixed_lengths, FIXED_LITLEN_SYMBOLS, fixed_codes);
    canonical_codes(fixed_lengths + FIXED_LITLEN_SYMBOLS, DISTANCE_SYMBOLS, fixed_codes + FIXED_LITLEN_SYMBOLS);
}

static inline int distance_code(uint32_t distance) {
    return distance <= 256 ? distance_slot[distance - 1] : distance_slot[256 + ((distance - 1) >> 7)];
}

// MARK: - Huffman code lengths

/// Sorts `keys` (frequency << 9 | symbol) by frequency, least first, with byte-wise radix passes (stable, so equal
/// frequencies keep symbol order).
static void sort_by_frequency(uint32_t *keys, uint32_t *scratch, int n, uint32_t max_frequency) {
    for (int shift = 9; (max_frequency << 9) >> shift; shift += 8) {
        uint32_t count[256] = {0};
        for (int i = 0; i < n; i++) count[(keys[i] >> shift) & 255]++;
        for (uint32_t i = 0, sum = 0; i < 256; i++) {
            uint32_t c = count[i];
            count[i] = sum;
            sum += c;
        }
        for (int i = 0; i < n; i++) scratch[count[(keys[i] >> shift) & 255]++] = keys[i];
        memcpy(keys, scratch, (size_t)n * sizeof *keys);
    }
}

/// Optimal code lengths of `n` >= 2 weights sorted ascending, in place (Moffat and Katajainen, 1995): the weights
/// become tree links, then depths, then the length of each leaf (the lightest the longest). `a[n]` is scratch.
/// Each step takes the lighter of the next internal node (`root`) and the next leaf by selects, not branches: the
/// comparisons are unpredictable.
static void minimum_redundancy_lengths(uint32_t *a, int n) {
    int root = 0, leaf = 2;
    a[0] += a[1];
    a[n] = UINT32_MAX; // past the last leaf: never lighter
    for (int next = 1; next < n - 1; next++) {
        uint32_t r = a[root], l = a[leaf]; // root < next here: a node is always waiting
        int take_root = r < l;
        a[next] = take_root ? r : l;
        a[root] = take_root ? (uint32_t)next : r;
        root += take_root;
        leaf += !take_root;
        r = root < next ? a[root] : UINT32_MAX;
        l = a[leaf];
        take_root = r < l;
        a[next] += take_root ? r : l;
        a[root] = take_root ? (uint32_t)next : a[root];
        root += take_root;
        leaf += !take_root;
    }
    a[n - 2] = 0;
    for (int next = n - 3; next >= 0; next--) a[next] = a[a[next]] + 1;
    int available = 1, used = 0, depth = 0, next = n - 1;
    root = n - 2;
    while (available > 0) {
        while (root >= 0 && (int)a[root] == depth) {
            used++;
            root--;
        }
        while (available > used) {
            a[next--] = (uint32_t)depth;
            available--;
        }
        available = 2 * used;
        depth++;
        used = 0;
    }
}

/// Code lengths of at most `limit` bits for `frequency[0..<n]` (zero for unused symbols). At least two symbols get a
/// code, so every code is complete (zlib refuses incomplete code-length codes): unused 0 and 1 are added as needed.
static void huffman_lengths(const uint32_t *frequency, int n, int limit, uint8_t *lengths) {
    uint32_t keys[LITLEN_SYMBOLS], scratch[LITLEN_SYMBOLS], max_frequency = 0;
    int used = 0;
    for (int s = 0; s < n; s++) { // without a branch per symbol: about half of them are unused
        lengths[s] = 0;
        keys[used] = frequency[s] << 9 | (uint32_t)s;
        used += frequency[s] != 0;
        max_frequency = frequency[s] > max_frequency ? frequency[s] : max_frequency;
    }
    for (int s = 0; used < 2; s++) { // a symbol of weight 0 sorts first, so it takes the longest length
        if (!frequency[s]) keys[used++] = (uint32_t)s;
    }
    if (used <= 32) { // the distance and code-length alphabets: a few keys, insertion sort beats radix passes
        for (int i = 1; i < used; i++) {
            uint32_t key = keys[i];
            int j = i;
            for (; j > 0 && keys[j - 1] >> 9 > key >> 9; j--) keys[j] = keys[j - 1];
            keys[j] = key;
        }
    } else {
        sort_by_frequency(keys, scratch, used, max_frequency);
    }
    uint32_t depth[LITLEN_SYMBOLS + 1];
    for (int i = 0; i < used; i++) depth[i] = keys[i] >> 9;
    minimum_redundancy_lengths(depth, used);
    if (depth[0] <= (uint32_t)limit) { // the usual case: the optimal lengths fit
        for (int i = 0; i < used; i++) lengths[keys[i] & 511] = (uint8_t)depth[i];
        return;
    }
    // Longer than `limit`: cut to `limit`, then lengthen the deepest shorter codes until the Kraft sum is 1 again;
    // the longest codes go to the least frequent symbols.
    uint32_t count[32] = {0};
    for (int i = 0; i < used; i++) count[depth[i] < (uint32_t)limit ? depth[i] : (uint32_t)limit]++;
    uint32_t kraft = 0;
    for (int l = limit; l > 0; l--) kraft += count[l] << (limit - l);
    while (kraft != 1u << limit) {
        count[limit]--;
        for (int l = limit - 1; l > 0; l--) {
            if (count[l]) {
                count[l]--;
                count[l + 1] += 2;
                break;
            }
        }
        kraft--;
    }
    for (int l = limit, i = 0; l > 0; l--) {
        for (uint32_t k = count[l]; k > 0; k--) lengths[keys[i++] & 511] = (uint8_t)l;
    }
}

/// Canonical codes (RFC 1951 3.2.2) of `lengths`, bit-reversed as they enter the LSB-first stream.
static void canonical_codes(const uint8_t *lengths, int n, uint16_t *codes) {
    uint32_t count[16] = {0}, next[16];
    for (int s = 0; s < n; s++) count[lengths[s]]++;
    count[0] = 0;
    for (uint32_t l = 1, code = 0; l < 16; l++) {
        code = (code + count[l - 1]) << 1;
        next[l] = code;
    }
    next[0] = 0;
    for (int s = 0; s < n; s++) { // unused symbols (length 0) too: no branch, and their code is never read
        int l = lengths[s];
        uint32_t code = next[l]++;
        codes[s] = (uint16_t)((uint32_t)(reversed_byte[code & 255] << 8 | reversed_byte[code >> 8]) >> (16 - l));
    }
}

// MARK: - Bits

typedef struct {
    uint8_t *out;
    uint64_t bits;
    int count;
} bit_writer;

/// Appends the low `n` bits of `value`, least significant first; at most 57 bits between two `flush`es.
static inline void put(bit_writer *w, uint64_t value, int n) {
    w->bits |= value << w->count;
    w->count += n;
}

/// Writes out the whole bytes gathered (eight bytes are stored: the output has a word of slack).
static inline void flush(bit_writer *w) {
    memcpy(w->out, &w->bits, 8); // little-endian hosts (x86-64, arm64)
    int whole = w->count & ~7;
    w->out += whole >> 3;
    w->bits = whole == 64 ? 0 : w->bits >> whole;
    w->count -= whole;
}

// MARK: - Encoder

/// The code-length sequence of a dynamic block header as precode symbols (with their extra bits in bits 8 up).
/// `lengths` holds 0xFF at `n` and 8 readable bytes after it.
static int run_length_symbols(const uint8_t *lengths, int n, uint16_t *symbols) {
    int count = 0;
    for (int i = 0; i < n;) {
        uint32_t value = lengths[i];
        int run = 1;
        for (;;) { // equal bytes eight at a time: code lengths mostly differ from their neighbours
            uint64_t ahead;
            memcpy(&ahead, lengths + i + run, 8);
            uint64_t differ = ahead ^ (value * 0x0101010101010101u);
            if (differ) {
                run += __builtin_ctzll(differ) >> 3;
                break;
            }
            run += 8;
        }
        i += run;
        if (run < 3 || (value && run < 4)) { // too short to repeat: written out, without a branch per length
            symbols[count] = symbols[count + 1] = symbols[count + 2] = (uint16_t)value;
            count += run;
            continue;
        }
        if (value == 0) {
            while (run >= 11) {
                int r = run < 138 ? run : 138;
                symbols[count++] = (uint16_t)(18 | (r - 11) << 8);
                run -= r;
            }
            if (run >= 3) {
                symbols[count++] = (uint16_t)(17 | (run - 3) << 8);
                run = 0;
            }
        } else {
            symbols[count++] = (uint16_t)value;
            run--;
            while (run >= 3) {
                int r = run < 6 ? run : 6;
                symbols[count++] = (uint16_t)(16 | (r - 3) << 8);
                run -= r;
            }
        }
        while (run-- > 0) symbols[count++] = (uint16_t)value;
    }
    return count;
}

/// LZ77's output: `literals` bytes as they are, then (unless `length` is 0, at the end) a match.
typedef struct {
    uint16_t literals, length, distance;
} sequence;

struct nb_zlib_encoder {
    sequence sequences[NB_ZLIB_ENCODE_MAX_INPUT / 4 + 1];
    uint16_t previous[NB_ZLIB_ENCODE_MAX_INPUT / 4]; // per word: 1 + the previous word with its hash; 0: none
};

nb_zlib_encoder *nb_zlib_encoder_new(void) {
    pthread_once(&tables_once, make_tables);
    return malloc(sizeof(nb_zlib_encoder));
}

void nb_zlib_encoder_free(nb_zlib_encoder *encoder) { free(encoder); }

size_t nb_zlib_encode_bound(size_t length) {
    // Header, a stored block (never exceeded: it is the fallback), Adler-32, and a word the bit writer may overwrite.
    return 2 + 5 + length + 4 + 8;
}

/// A final stored block of `input` at `out`; returns its end.
static uint8_t *put_stored(uint8_t *out, const uint8_t *input, size_t length) {
    *out++ = 1; // BFINAL, BTYPE 00, padding
    *out++ = (uint8_t)length;
    *out++ = (uint8_t)(length >> 8);
    *out++ = (uint8_t)~length;
    *out++ = (uint8_t)(~length >> 8);
    memcpy(out, input, length);
    return out + length;
}

/// Ends the stream at `out` with the Adler-32 of `input`; returns the stream's length.
static size_t put_adler32(uint8_t *output, uint8_t *out, const uint8_t *input, size_t length) {
    uint32_t adler = libdeflate_adler32(1, input, length);
    for (int k = 3; k >= 0; k--) *out++ = (uint8_t)(adler >> (8 * k));
    return (size_t)(out - output);
}

size_t nb_zlib_encode(nb_zlib_encoder *encoder, const uint8_t *input, size_t length, uint8_t *output, size_t capacity) {
    if (length > NB_ZLIB_ENCODE_MAX_INPUT || capacity < nb_zlib_encode_bound(length)) return 0;
    output[0] = 0x78; // deflate, 32 KB window
    output[1] = 0x01; // "fastest" level; (0x78 << 8 | 0x01) % 31 == 0
    if (length < SHORT_INPUT) return put_adler32(output, put_stored(output + 2, input, length), input, length);
    sequence *sequences = encoder->sequences;
    uint16_t *previous = encoder->previous;

    // LZ77 on four-byte words (curves are float32 values): a match starts at a word and copies from an earlier one
    // with the same hash, the longest of the last CANDIDATES; bytes between matches stay literals.
    uint16_t head[1 << HASH_BITS];
    memset(head, 0, sizeof head);
    int count = 0;
    size_t literal_start = 0, next = 0;
    for (size_t i = 0; i + 4 <= length; i += 4) {
        uint32_t word;
        memcpy(&word, input + i, 4);
        uint32_t hash = (word * 2654435761u) >> (32 - HASH_BITS), candidate = head[hash];
        previous[i >> 2] = (uint16_t)candidate;
        head[hash] = (uint16_t)((i >> 2) + 1);
        if (i < next) continue;
        size_t best = 0, best_from = 0, limit = length - i < MAX_MATCH ? length - i : MAX_MATCH;
        for (int tries = 0; candidate > 0 && tries < CANDIDATES; tries++) {
            size_t from = 4 * (candidate - 1), n = 0;
            while (n + 8 <= limit) {
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
            if (n > best) {
                best = n;
                best_from = from;
            }
            candidate = previous[from >> 2];
        }
        if (best >= MIN_MATCH) {
            sequences[count++] = (sequence){(uint16_t)(i - literal_start), (uint16_t)best, (uint16_t)(i - best_from)};
            next = literal_start = i + best;
        }
    }
    sequences[count++] = (sequence){(uint16_t)(length - literal_start), 0, 0};

    // Symbol frequencies; literals counted in four tables (one per byte of a word) so that equal bytes in a row do not
    // wait on each other's increments.
    uint32_t literal_frequency[4][256] = {{0}};
    uint32_t litlen_frequency[LITLEN_SYMBOLS] = {0}, distance_frequency[DISTANCE_SYMBOLS] = {0}, extra_bits = 0;
    const uint8_t *at = input;
    for (int k = 0; k < count; k++) {
        const uint8_t *end = at + sequences[k].literals;
        for (; at + 4 <= end; at += 4) {
            literal_frequency[0][at[0]]++;
            literal_frequency[1][at[1]]++;
            literal_frequency[2][at[2]]++;
            literal_frequency[3][at[3]]++;
        }
        for (; at < end; at++) literal_frequency[0][*at]++;
        if (sequences[k].length) {
            int l = length_slot[sequences[k].length], d = distance_code(sequences[k].distance);
            litlen_frequency[257 + l]++;
            distance_frequency[d]++;
            extra_bits += length_extra[l] + distance_extra[d];
            at += sequences[k].length;
        }
    }
    for (int b = 0; b < 256; b++)
        litlen_frequency[b] = literal_frequency[0][b] + literal_frequency[1][b] + literal_frequency[2][b] + literal_frequency[3][b];
    litlen_frequency[END_OF_BLOCK] = 1;

    // Per-input codes and their header.
    uint8_t lengths[LITLEN_SYMBOLS + DISTANCE_SYMBOLS + 9];
    huffman_lengths(litlen_frequency, LITLEN_SYMBOLS, 15, lengths);
    huffman_lengths(distance_frequency, DISTANCE_SYMBOLS, 15, lengths + LITLEN_SYMBOLS);
    int litlen_count = LITLEN_SYMBOLS, distance_count = DISTANCE_SYMBOLS;
    while (lengths[litlen_count - 1] == 0) litlen_count--;
    while (lengths[LITLEN_SYMBOLS + distance_count - 1] == 0) distance_count--;
    memmove(lengths + litlen_count, lengths + LITLEN_SYMBOLS, (size_t)distance_count);
    memset(lengths + litlen_count + distance_count, 0xFF, 9); // ends run_length_symbols' runs
    uint16_t header[LITLEN_SYMBOLS + DISTANCE_SYMBOLS + 2];
    int header_count = run_length_symbols(lengths, litlen_count + distance_count, header);
    uint32_t precode_frequency[PRECODE_SYMBOLS] = {0};
    for (int k = 0; k < header_count; k++) precode_frequency[header[k] & 31]++;
    uint8_t precode_lengths[PRECODE_SYMBOLS];
    huffman_lengths(precode_frequency, PRECODE_SYMBOLS, 7, precode_lengths);
    int precode_count = PRECODE_SYMBOLS;
    while (precode_count > 4 && precode_lengths[precode_order[precode_count - 1]] == 0) precode_count--;

    // The cheapest block: per-input codes, fixed codes, or stored.
    size_t dynamic_bits = 3 + 5 + 5 + 4 + 3 * (size_t)precode_count + extra_bits, fixed_bits = 3 + extra_bits;
    for (int k = 0; k < header_count; k++) {
        int s = header[k] & 31;
        dynamic_bits += precode_lengths[s] + (s == 16 ? 2 : s == 17 ? 3 : s == 18 ? 7 : 0);
    }
    for (int s = 0; s < litlen_count; s++) {
        dynamic_bits += (size_t)litlen_frequency[s] * lengths[s];
        fixed_bits += (size_t)litlen_frequency[s] * fixed_lengths[s];
    }
    for (int s = 0; s < distance_count; s++) {
        dynamic_bits += (size_t)distance_frequency[s] * lengths[litlen_count + s];
        fixed_bits += (size_t)distance_frequency[s] * 5;
    }
    size_t stored_bits = 8 * (5 + length);

    if (stored_bits <= dynamic_bits && stored_bits <= fixed_bits) {
        return put_adler32(output, put_stored(output + 2, input, length), input, length);
    }

    bit_writer w = {output + 2, 0, 0};
    const uint8_t *litlen_lengths = fixed_lengths, *distance_lengths = fixed_lengths + FIXED_LITLEN_SYMBOLS;
    const uint16_t *litlen_codes = fixed_codes, *distance_codes = fixed_codes + FIXED_LITLEN_SYMBOLS;
    uint16_t codes[LITLEN_SYMBOLS + DISTANCE_SYMBOLS];
    if (dynamic_bits < fixed_bits) {
        put(&w, 1 | 2 << 1, 3); // the final block, per-input codes
        put(&w, (uint32_t)(litlen_count - 257), 5);
        put(&w, (uint32_t)(distance_count - 1), 5);
        put(&w, (uint32_t)(precode_count - 4), 4);
        flush(&w);
        for (int k = 0; k < precode_count; k++) {
            put(&w, precode_lengths[precode_order[k]], 3);
            flush(&w);
        }
        uint16_t precode_codes[PRECODE_SYMBOLS];
        canonical_codes(precode_lengths, PRECODE_SYMBOLS, precode_codes);
        for (int k = 0; k < header_count; k++) {
            int s = header[k] & 31;
            put(&w, precode_codes[s], precode_lengths[s]);
            if (s >= 16) put(&w, header[k] >> 8, s == 16 ? 2 : s == 17 ? 3 : 7);
            flush(&w);
        }
        litlen_lengths = lengths;
        distance_lengths = lengths + litlen_count;
        canonical_codes(litlen_lengths, litlen_count, codes);
        canonical_codes(distance_lengths, distance_count, codes + LITLEN_SYMBOLS);
        litlen_codes = codes;
        distance_codes = codes + LITLEN_SYMBOLS;
    } else {
        put(&w, 1 | 1 << 1, 3); // the final block, fixed codes
    }
    at = input;
    for (int k = 0; k < count; k++) {
        const uint8_t *end = at + sequences[k].literals;
        for (; at + 2 <= end; at += 2) { // two codes of at most 15 bits per flush
            put(&w, litlen_codes[at[0]], litlen_lengths[at[0]]);
            put(&w, litlen_codes[at[1]], litlen_lengths[at[1]]);
            flush(&w);
        }
        if (at < end) {
            put(&w, litlen_codes[*at], litlen_lengths[*at]);
            at++;
        }
        uint32_t match = sequences[k].length, distance = sequences[k].distance;
        if (!match) continue; // the last sequence
        int l = length_slot[match], d = distance_code(distance);
        put(&w, litlen_codes[257 + l], litlen_lengths[257 + l]);
        put(&w, match - length_base[l], length_extra[l]);
        flush(&w); // a length's 20 bits and a distance's 28 at most
        put(&w, distance_codes[d], distance_lengths[d]);
        put(&w, distance - distance_base[d], distance_extra[d]);
        flush(&w);
        at += match;
    }
    put(&w, litlen_codes[END_OF_BLOCK], litlen_lengths[END_OF_BLOCK]);
    put(&w, 0, 7); // pads the last byte
    flush(&w);
    return put_adler32(output, w.out, input, length);
}
