// Unpacking a 32-weight block of the 5-bit formats and the K-quants in AVX2 registers, shared by the row kernels
// (matmul_x86_unpacked.c) and the token-lane prefill (matmul_x86.c). Not a public header.
#ifndef SLM_MATMUL_X86_UNPACK_H
#define SLM_MATMUL_X86_UNPACK_H

#include "internal.h"

#include <immintrin.h>

// Spreads the 32 bits of a mask over 32 bytes: byte j is 0xff when bit j is set.
SLM_TARGET_AVX2 static inline __m256i slm_x86_bits_to_bytes(uint32_t bits) {
    const __m256i shuffle = _mm256_setr_epi64x(0, 0x0101010101010101LL, 0x0202020202020202LL,
                                               0x0303030303030303LL);
    const __m256i select = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32((int)bits), shuffle);
    return _mm256_cmpeq_epi8(_mm256_and_si256(v, select), select);
}

// Block b of a row: 32 quants (signed for Q6_K, unsigned otherwise), the scale of each of the eight int32 lanes of
// a maddubs+madd product (lanes 0-3 cover weights 0-15, lanes 4-7 weights 16-31), and the min. Q5_0's quants stay
// unsigned, its centring on 16 moved into the min (-16 d), as Q4_0's is in the other kernels.
SLM_TARGET_AVX2 static inline __attribute__((always_inline)) __m256i slm_x86_unpack(const int type, const uint8_t *row,
                                                                           int64_t b, __m256 *scale, float *min) {
    const __m256i low4 = _mm256_set1_epi8(0x0f);
    switch (type) {
    case SLM_TYPE_Q5_0:
    case SLM_TYPE_Q5_1: {
        const int has_min = type == SLM_TYPE_Q5_1;
        const uint8_t *blk = row + b * (has_min ? 24 : 22);
        const uint8_t *qs = blk + (has_min ? 8 : 6);
        __m128i packed = _mm_loadu_si128((const __m128i *)qs);
        __m256i q = _mm256_inserti128_si256(_mm256_castsi128_si256(packed), _mm_srli_epi16(packed, 4), 1);
        q = _mm256_and_si256(q, low4);
        __m256i high = _mm256_and_si256(slm_x86_bits_to_bytes(slm_load_u32(blk + (has_min ? 4 : 2))),
                                        _mm256_set1_epi8(0x10));
        q = _mm256_or_si256(q, high);
        float d = _cvtsh_ss(slm_load_u16(blk));
        *scale = _mm256_set1_ps(d);
        *min = has_min ? _cvtsh_ss(slm_load_u16(blk + 2)) : -16.0f * d;
        return q;
    }
    case SLM_TYPE_Q4_K:
    case SLM_TYPE_Q5_K: {
        const int five = type == SLM_TYPE_Q5_K;
        const uint8_t *blk = row + (b / 8) * (five ? 176 : 144);
        const int j = (int)(b % 8);
        int sc, m;
        slm_kquant_scale_min(j, blk + 4, &sc, &m);
        __m256i v = _mm256_loadu_si256((const __m256i *)(blk + (five ? 48 : 16) + 32 * (j / 2)));
        __m256i q = _mm256_and_si256(_mm256_srl_epi16(v, _mm_cvtsi32_si128((j & 1) * 4)), low4);
        if (five) {
            __m256i h = _mm256_loadu_si256((const __m256i *)(blk + 16));
            h = _mm256_and_si256(_mm256_srl_epi16(h, _mm_cvtsi32_si128(j)), _mm256_set1_epi8(1));
            q = _mm256_or_si256(q, _mm256_slli_epi16(h, 4));
        }
        __m128 dm = _mm_cvtph_ps(_mm_cvtsi32_si128((int)slm_load_u32(blk)));  // [d, dmin]
        *scale = _mm256_set1_ps(_mm_cvtss_f32(dm) * (float)sc);
        *min = -_mm_cvtss_f32(_mm_movehdup_ps(dm)) * (float)m;
        return q;
    }
    default: {  // SLM_TYPE_Q6_K
        const uint8_t *blk = row + (b / 8) * 210;
        const int h = (int)(b % 8) / 4, k = (int)(b % 4);
        __m256i lo = _mm256_loadu_si256((const __m256i *)(blk + 64 * h + 32 * (k & 1)));
        lo = _mm256_and_si256(_mm256_srl_epi16(lo, _mm_cvtsi32_si128((k >> 1) * 4)), low4);
        __m256i hi = _mm256_loadu_si256((const __m256i *)(blk + 128 + 32 * h));
        hi = _mm256_and_si256(_mm256_srl_epi16(hi, _mm_cvtsi32_si128(2 * k)), _mm256_set1_epi8(3));
        __m256i q = _mm256_or_si256(lo, _mm256_slli_epi16(hi, 4));
        const int8_t *sc = (const int8_t *)(blk + 192) + 8 * h + 2 * k;
        float d = _cvtsh_ss(slm_load_u16(blk + 208));
        __m128 s0 = _mm_set1_ps(d * (float)sc[0]), s1 = _mm_set1_ps(d * (float)sc[1]);
        *scale = _mm256_insertf128_ps(_mm256_castps128_ps256(s0), s1, 1);
        *min = 0.0f;
        return _mm256_sub_epi8(q, _mm256_set1_epi8(32));
    }
    }
}

#endif
