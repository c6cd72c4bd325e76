// Keccak-256 as Ethereum uses it: Keccak-f[1600], rate 136 bytes, padding 0x01…0x80.
// The permutation keeps all 25 lanes in locals and runs two rounds per loop iteration
// (A → E → A) so the compiler can hold the state in registers; this is the layout of the
// Keccak team's public-domain "simple" reference, rewritten here.
#include "keccak.h"
#include <string.h>

static const uint64_t RC[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

#define ROL(a, n) (((a) << (n)) | ((a) >> (64 - (n))))

// One round from lanes X to lanes Y with round constant rc; BC* hold X's column parities on entry.
#define ROUND(X, Y, rc)                                                                 \
    Da = BCu ^ ROL(BCe, 1); De = BCa ^ ROL(BCi, 1); Di = BCe ^ ROL(BCo, 1);             \
    Do = BCi ^ ROL(BCu, 1); Du = BCo ^ ROL(BCa, 1);                                     \
    X##ba ^= Da; BCa = X##ba;           X##ge ^= De; BCe = ROL(X##ge, 44);              \
    X##ki ^= Di; BCi = ROL(X##ki, 43);  X##mo ^= Do; BCo = ROL(X##mo, 21);              \
    X##su ^= Du; BCu = ROL(X##su, 14);                                                  \
    Y##ba = BCa ^ ((~BCe) & BCi) ^ (rc); Y##be = BCe ^ ((~BCi) & BCo);                  \
    Y##bi = BCi ^ ((~BCo) & BCu); Y##bo = BCo ^ ((~BCu) & BCa); Y##bu = BCu ^ ((~BCa) & BCe); \
    X##bo ^= Do; BCa = ROL(X##bo, 28);  X##gu ^= Du; BCe = ROL(X##gu, 20);              \
    X##ka ^= Da; BCi = ROL(X##ka, 3);   X##me ^= De; BCo = ROL(X##me, 45);              \
    X##si ^= Di; BCu = ROL(X##si, 61);                                                  \
    Y##ga = BCa ^ ((~BCe) & BCi); Y##ge = BCe ^ ((~BCi) & BCo);                         \
    Y##gi = BCi ^ ((~BCo) & BCu); Y##go = BCo ^ ((~BCu) & BCa); Y##gu = BCu ^ ((~BCa) & BCe); \
    X##be ^= De; BCa = ROL(X##be, 1);   X##gi ^= Di; BCe = ROL(X##gi, 6);               \
    X##ko ^= Do; BCi = ROL(X##ko, 25);  X##mu ^= Du; BCo = ROL(X##mu, 8);               \
    X##sa ^= Da; BCu = ROL(X##sa, 18);                                                  \
    Y##ka = BCa ^ ((~BCe) & BCi); Y##ke = BCe ^ ((~BCi) & BCo);                         \
    Y##ki = BCi ^ ((~BCo) & BCu); Y##ko = BCo ^ ((~BCu) & BCa); Y##ku = BCu ^ ((~BCa) & BCe); \
    X##bu ^= Du; BCa = ROL(X##bu, 27);  X##ga ^= Da; BCe = ROL(X##ga, 36);              \
    X##ke ^= De; BCi = ROL(X##ke, 10);  X##mi ^= Di; BCo = ROL(X##mi, 15);              \
    X##so ^= Do; BCu = ROL(X##so, 56);                                                  \
    Y##ma = BCa ^ ((~BCe) & BCi); Y##me = BCe ^ ((~BCi) & BCo);                         \
    Y##mi = BCi ^ ((~BCo) & BCu); Y##mo = BCo ^ ((~BCu) & BCa); Y##mu = BCu ^ ((~BCa) & BCe); \
    X##bi ^= Di; BCa = ROL(X##bi, 62);  X##go ^= Do; BCe = ROL(X##go, 55);              \
    X##ku ^= Du; BCi = ROL(X##ku, 39);  X##ma ^= Da; BCo = ROL(X##ma, 41);              \
    X##se ^= De; BCu = ROL(X##se, 2);                                                   \
    Y##sa = BCa ^ ((~BCe) & BCi); Y##se = BCe ^ ((~BCi) & BCo);                         \
    Y##si = BCi ^ ((~BCo) & BCu); Y##so = BCo ^ ((~BCu) & BCa); Y##su = BCu ^ ((~BCa) & BCe); \
    BCa = Y##ba ^ Y##ga ^ Y##ka ^ Y##ma ^ Y##sa; BCe = Y##be ^ Y##ge ^ Y##ke ^ Y##me ^ Y##se; \
    BCi = Y##bi ^ Y##gi ^ Y##ki ^ Y##mi ^ Y##si; BCo = Y##bo ^ Y##go ^ Y##ko ^ Y##mo ^ Y##so; \
    BCu = Y##bu ^ Y##gu ^ Y##ku ^ Y##mu ^ Y##su;

void emeth_keccakf1600(uint64_t s[25]) {
    uint64_t Aba = s[0], Abe = s[1], Abi = s[2], Abo = s[3], Abu = s[4];
    uint64_t Aga = s[5], Age = s[6], Agi = s[7], Ago = s[8], Agu = s[9];
    uint64_t Aka = s[10], Ake = s[11], Aki = s[12], Ako = s[13], Aku = s[14];
    uint64_t Ama = s[15], Ame = s[16], Ami = s[17], Amo = s[18], Amu = s[19];
    uint64_t Asa = s[20], Ase = s[21], Asi = s[22], Aso = s[23], Asu = s[24];
    uint64_t Eba, Ebe, Ebi, Ebo, Ebu, Ega, Ege, Egi, Ego, Egu, Eka, Eke, Eki, Eko, Eku;
    uint64_t Ema, Eme, Emi, Emo, Emu, Esa, Ese, Esi, Eso, Esu;
    uint64_t BCa, BCe, BCi, BCo, BCu, Da, De, Di, Do, Du;

    BCa = Aba ^ Aga ^ Aka ^ Ama ^ Asa; BCe = Abe ^ Age ^ Ake ^ Ame ^ Ase;
    BCi = Abi ^ Agi ^ Aki ^ Ami ^ Asi; BCo = Abo ^ Ago ^ Ako ^ Amo ^ Aso;
    BCu = Abu ^ Agu ^ Aku ^ Amu ^ Asu;
    for (int round = 0; round < 24; round += 2) {
        ROUND(A, E, RC[round])
        ROUND(E, A, RC[round + 1])
    }
    s[0] = Aba; s[1] = Abe; s[2] = Abi; s[3] = Abo; s[4] = Abu;
    s[5] = Aga; s[6] = Age; s[7] = Agi; s[8] = Ago; s[9] = Agu;
    s[10] = Aka; s[11] = Ake; s[12] = Aki; s[13] = Ako; s[14] = Aku;
    s[15] = Ama; s[16] = Ame; s[17] = Ami; s[18] = Amo; s[19] = Amu;
    s[20] = Asa; s[21] = Ase; s[22] = Asi; s[23] = Aso; s[24] = Asu;
}

static inline uint64_t load64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline void store64(uint8_t *p, uint64_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    memcpy(p, &v, 8);
}

enum { RATE = 136, RATE_LANES = RATE / 8 };

static inline void absorb_block(uint64_t s[25], const uint8_t *block) {
    for (int i = 0; i < RATE_LANES; i++) s[i] ^= load64(block + 8 * i);
    emeth_keccakf1600(s);
}

void emeth_keccak256_init(emeth_keccak256_ctx *ctx) { memset(ctx, 0, sizeof *ctx); }

void emeth_keccak256_update(emeth_keccak256_ctx *ctx, const uint8_t *data, size_t len) {
    if (ctx->buffered > 0) {
        size_t take = RATE - ctx->buffered;
        if (take > len) take = len;
        memcpy(ctx->buffer + ctx->buffered, data, take);
        ctx->buffered += take; data += take; len -= take;
        if (ctx->buffered < RATE) return;
        absorb_block(ctx->state, ctx->buffer);
        ctx->buffered = 0;
    }
    while (len >= RATE) { absorb_block(ctx->state, data); data += RATE; len -= RATE; }
    memcpy(ctx->buffer, data, len);
    ctx->buffered = len;
}

void emeth_keccak256_final(emeth_keccak256_ctx *ctx, uint8_t out[32]) {
    memset(ctx->buffer + ctx->buffered, 0, RATE - ctx->buffered);
    ctx->buffer[ctx->buffered] ^= 0x01;
    ctx->buffer[RATE - 1] ^= 0x80;
    absorb_block(ctx->state, ctx->buffer);
    for (int i = 0; i < 4; i++) store64(out + 8 * i, ctx->state[i]);
}

void emeth_keccak256(const uint8_t *data, size_t len, uint8_t out[32]) {
    uint64_t s[25] = {0};
    while (len >= RATE) { absorb_block(s, data); data += RATE; len -= RATE; }
    uint8_t last[RATE];
    memset(last, 0, RATE);
    memcpy(last, data, len);
    last[len] ^= 0x01;
    last[RATE - 1] ^= 0x80;
    absorb_block(s, last);
    for (int i = 0; i < 4; i++) store64(out + 8 * i, s[i]);
}
