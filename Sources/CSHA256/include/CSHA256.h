// SHA-256's compression function for the source-file fingerprints of the import: the x86 SHA extensions where the
// CPU has them (about ten times the portable code), portable C elsewhere.
#ifndef NB_CSHA256_H
#define NB_CSHA256_H

#include <stddef.h>
#include <stdint.h>

/// Runs the compression function over `blocks` consecutive 64-byte blocks of `data`, updating `state`.
void nb_sha256_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);

/// The same with the portable code, whatever the CPU (the tests compare the two).
void nb_sha256_blocks_portable(uint32_t state[8], const uint8_t *data, size_t blocks);

/// 1 where `nb_sha256_blocks` uses the SHA extensions.
int nb_sha256_uses_sha_extensions(void);

#endif
