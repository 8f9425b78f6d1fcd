// zlib streams (RFC 1950/1951) for short inputs: the per-epoch curves of an import (48-800 bytes of float32 each).
// libdeflate 1.14's fastest level spends ~5.5 us per call before it reads a byte (it clears a 128 KB hash table);
// this encoder's work space is reused from call to call.
#ifndef NB_CZLIBENCODER_H
#define NB_CZLIBENCODER_H

#include <stddef.h>
#include <stdint.h>

/// The longest input `nb_zlib_encode` takes (4,096 float32 values).
#define NB_ZLIB_ENCODE_MAX_INPUT 16384

typedef struct nb_zlib_encoder nb_zlib_encoder;

/// An encoder's work space (~33 KB), for one thread at a time; NULL when out of memory.
nb_zlib_encoder *nb_zlib_encoder_new(void);
void nb_zlib_encoder_free(nb_zlib_encoder *encoder);

/// The output space `nb_zlib_encode` needs for `length` input bytes: a stored block's 11 bytes over `length`, plus
/// 8 bytes the bit writer may store past the stream's end.
size_t nb_zlib_encode_bound(size_t length);

/// Writes `input` as one zlib stream to `output`: a single deflate block with per-input Huffman codes, the fixed
/// codes, or no compression, whichever is smallest (inputs under 64 bytes are always stored), then Adler-32.
/// Returns the stream's length (at most `length` + 11), or 0 when `length` is over NB_ZLIB_ENCODE_MAX_INPUT or
/// `capacity` below `nb_zlib_encode_bound(length)`.
size_t nb_zlib_encode(nb_zlib_encoder *encoder, const uint8_t *input, size_t length, uint8_t *output, size_t capacity);

#endif
