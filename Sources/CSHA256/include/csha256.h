#ifndef CSHA256_H
#define CSHA256_H
#include <stddef.h>
#include <stdint.h>

/// Compresses `blocks` 64-byte blocks of `data` into the SHA-256 `state`, with the x86 SHA extensions when the
/// CPU has them and portable C otherwise.
void pk_sha256_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);

/// The portable path alone (for tests that compare both).
void pk_sha256_blocks_portable(uint32_t state[8], const uint8_t *data, size_t blocks);

/// Whether the SHA-extension path is used on this CPU.
int pk_sha256_accelerated(void);
#endif
