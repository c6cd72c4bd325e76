#ifndef EMETH_KECCAK_H
#define EMETH_KECCAK_H
#include <stddef.h>
#include <stdint.h>

/// Incremental Keccak-256 (the original Keccak padding 0x01, as Ethereum uses; not SHA3-256).
typedef struct {
    uint64_t state[25];
    uint8_t buffer[136];
    size_t buffered;
} emeth_keccak256_ctx;

void emeth_keccak256_init(emeth_keccak256_ctx *ctx);
void emeth_keccak256_update(emeth_keccak256_ctx *ctx, const uint8_t *data, size_t len);
void emeth_keccak256_final(emeth_keccak256_ctx *ctx, uint8_t out[32]);

/// One-shot Keccak-256; the fast path for short inputs (Merkle nodes, leaves, selectors).
void emeth_keccak256(const uint8_t *data, size_t len, uint8_t out[32]);

/// The bare Keccak-f[1600] permutation, exposed for tests and benchmarks.
void emeth_keccakf1600(uint64_t state[25]);

#endif
