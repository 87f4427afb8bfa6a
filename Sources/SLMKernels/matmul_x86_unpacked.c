// x86 products of the 5-bit formats and the K-quants. Each 32-weight block is unpacked in registers into 32 small
// integers and per-lane scales (the form of slm_unpack32), then multiplied with up to four tokens' activations at
// once, so one unpack serves every token of the tile. AVX2 only: maddubs never saturates here, since a weight is at
// most 32 in magnitude and an activation at most 127 (pairs stay under 2^13), and the VNNI level gains little on
// products whose cost is mostly the unpacking.
#if defined(__x86_64__)

#include "internal.h"

#include <immintrin.h>

enum { AHEAD = 4096 };

// Bytes of one storage block (a 32-weight block, or a K-quant super-block of eight) and 32-blocks per storage block.
static inline size_t storage_bytes(int type) {
    return type == SLM_TYPE_Q5_0 ? 22 : type == SLM_TYPE_Q5_1 ? 24 : type == SLM_TYPE_Q4_K ? 144
                                                                  : type == SLM_TYPE_Q5_K ? 176 : 210;
}
static inline int64_t storage_blocks(int type) { return type == SLM_TYPE_Q5_0 || type == SLM_TYPE_Q5_1 ? 1 : 8; }

// Spreads the 32 bits of a mask over 32 bytes: byte j is 0xff when bit j is set.
SLM_TARGET_AVX2 static inline __m256i bits_to_bytes(uint32_t bits) {
    const __m256i shuffle = _mm256_setr_epi64x(0, 0x0101010101010101LL, 0x0202020202020202LL,
                                               0x0303030303030303LL);
    const __m256i select = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32((int)bits), shuffle);
    return _mm256_cmpeq_epi8(_mm256_and_si256(v, select), select);
}

// Block b of a row: 32 quants (signed for Q5_0 and Q6_K, unsigned otherwise), the scale of each of the eight
// int32 lanes of a maddubs+madd product (lanes 0-3 cover weights 0-15, lanes 4-7 weights 16-31), and the min.
SLM_TARGET_AVX2 static inline __attribute__((always_inline)) __m256i unpack(const int type, const uint8_t *row,
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
        __m256i high = _mm256_and_si256(bits_to_bytes(slm_load_u32(blk + (has_min ? 4 : 2))),
                                        _mm256_set1_epi8(0x10));
        q = _mm256_or_si256(q, high);
        *scale = _mm256_set1_ps(_cvtsh_ss(slm_load_u16(blk)));
        if (has_min) {
            *min = _cvtsh_ss(slm_load_u16(blk + 2));
            return q;
        }
        *min = 0.0f;
        return _mm256_sub_epi8(q, _mm256_set1_epi8(16));
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

SLM_TARGET_AVX2 static inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// One row against T tokens (T <= 4).
SLM_TARGET_AVX2 static inline __attribute__((always_inline)) void
row_tile(const int type, const uint8_t *row, const slm_block_q8 *x, int64_t nb, float *y, int64_t ldy, const int T) {
    const int is_signed = type == SLM_TYPE_Q5_0 || type == SLM_TYPE_Q6_K;
    const int has_min = type == SLM_TYPE_Q5_1 || type == SLM_TYPE_Q4_K || type == SLM_TYPE_Q5_K;
    const int64_t per = storage_blocks(type);
    const size_t bsz = storage_bytes(type);
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[4];
    float macc[4] = {0};
    for (int t = 0; t < T; t++) acc[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        if (b % per == 0) {
            const char *pf = (const char *)row + (size_t)(b / per) * bsz + AHEAD;
            _mm_prefetch(pf, _MM_HINT_T0);
            if (bsz > 64) _mm_prefetch(pf + 64, _MM_HINT_T0);
            if (bsz > 128) _mm_prefetch(pf + 128, _MM_HINT_T0);
            if (bsz > 192) _mm_prefetch(pf + 192, _MM_HINT_T0);
        }
        __m256 scale;
        float min;
        __m256i q = unpack(type, row, b, &scale, &min);
        __m256i qa = is_signed ? _mm256_abs_epi8(q) : q;
        for (int t = 0; t < T; t++) {
            const slm_block_q8 *xb = x + t * nb + b;
            __m256i xq = _mm256_loadu_si256((const __m256i *)xb->qs);
            if (is_signed) xq = _mm256_sign_epi8(xq, q);
            __m256i isum = _mm256_madd_epi16(_mm256_maddubs_epi16(qa, xq), ones);
            acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_mul_ps(scale, _mm256_set1_ps(xb->d)), acc[t]);
            if (has_min) macc[t] += min * xb->s;
        }
    }
    for (int t = 0; t < T; t++) y[t * ldy] = hsum(acc[t]) + macc[t];
}

SLM_TARGET_AVX2 static inline __attribute__((always_inline)) void
matmul(const int type, const uint8_t *w, size_t rb, const slm_block_q8 *x, int64_t nb, float *y, int64_t ldy,
       int64_t row0, int64_t row1, int64_t ntok) {
    for (int64_t t = 0; t < ntok; t += 4) {
        const int T = ntok - t >= 4 ? 4 : (int)(ntok - t);
        const slm_block_q8 *xt = x + t * nb;
        float *yt = y + t * ldy;
        for (int64_t r = row0; r < row1; r++) {
            switch (T) {
            case 4:
                row_tile(type, w + r * rb, xt, nb, yt + r, ldy, 4);
                break;
            case 3:
                row_tile(type, w + r * rb, xt, nb, yt + r, ldy, 3);
                break;
            case 2:
                row_tile(type, w + r * rb, xt, nb, yt + r, ldy, 2);
                break;
            default:
                row_tile(type, w + r * rb, xt, nb, yt + r, ldy, 1);
                break;
            }
        }
    }
}

SLM_TARGET_AVX2 void slm_x86_matmul_unpacked(slm_type type, const void *w, size_t row_bytes, const slm_block_q8 *x,
                                             int64_t n, float *y, int64_t ldy, int64_t row0, int64_t row1,
                                             int64_t ntok) {
    const int64_t nb = n / SLM_QK;
    const uint8_t *wb = w;
    switch (type) {
    case SLM_TYPE_Q5_0:
        matmul(SLM_TYPE_Q5_0, wb, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    case SLM_TYPE_Q5_1:
        matmul(SLM_TYPE_Q5_1, wb, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    case SLM_TYPE_Q4_K:
        matmul(SLM_TYPE_Q4_K, wb, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    case SLM_TYPE_Q5_K:
        matmul(SLM_TYPE_Q5_K, wb, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    case SLM_TYPE_Q6_K:
        matmul(SLM_TYPE_Q6_K, wb, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    default:
        break;
    }
}

#endif
