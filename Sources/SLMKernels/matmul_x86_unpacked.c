// x86 row kernels of the 5-bit formats and the K-quants, for decode and the tokens the prefill kernel leaves over
// (matmul_x86.c runs those through its token lanes). Each 32-weight block is unpacked in registers into 32 small
// integers and per-lane scales (the form of slm_unpack32), then multiplied with up to four tokens' activations at
// once. AVX2 only: maddubs never saturates here, since a weight is at most 32 in magnitude and an activation at most
// 127 (pairs stay under 2^13).
#if defined(__x86_64__)

#include "matmul_x86_unpack.h"

enum { AHEAD = 4096 };

// Bytes of one storage block (a 32-weight block, or a K-quant super-block of eight) and 32-blocks per storage block.
static inline size_t storage_bytes(int type) {
    return type == SLM_TYPE_Q5_0 ? 22 : type == SLM_TYPE_Q5_1 ? 24 : type == SLM_TYPE_Q4_K ? 144
                                                                  : type == SLM_TYPE_Q5_K ? 176 : 210;
}
static inline int64_t storage_blocks(int type) { return type == SLM_TYPE_Q5_0 || type == SLM_TYPE_Q5_1 ? 1 : 8; }

SLM_TARGET_AVX2 static inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// R rows against T tokens: each block of each row is unpacked once for all T tokens, each token's activations
// loaded once for all R rows, and the R x T independent accumulators keep the multiply units busy.
SLM_TARGET_AVX2 static inline __attribute__((always_inline)) void
tile(const int type, const uint8_t *w, size_t rb, const slm_block_q8 *x, int64_t nb, float *y, int64_t ldy,
     const int R, const int T) {
    const int is_signed = type == SLM_TYPE_Q6_K;
    const int has_min = type != SLM_TYPE_Q6_K;
    const int64_t per = storage_blocks(type);
    const size_t bsz = storage_bytes(type);
    // The R rows are adjacent: one run of R * rb bytes, prefetched a fixed distance ahead.
    const size_t ahead = 2 * R * rb > AHEAD ? 2 * R * rb : AHEAD;
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[4][4];
    float macc[4][4];
    for (int r = 0; r < R; r++) {
        for (int t = 0; t < T; t++) {
            acc[r][t] = _mm256_setzero_ps();
            macc[r][t] = 0.0f;
        }
    }
    for (int64_t b = 0; b < nb; b++) {
        if (b % per == 0) {
            const char *pf = (const char *)w + ahead + (size_t)(b / per) * bsz * R;
            for (size_t off = 0; off < bsz * R; off += 64) _mm_prefetch(pf + off, _MM_HINT_T0);
        }
        __m256 scale[4];
        float min[4];
        __m256i q[4], qa[4];
        for (int r = 0; r < R; r++) {
            q[r] = slm_x86_unpack(type, w + r * rb, b, &scale[r], &min[r]);
            qa[r] = is_signed ? _mm256_abs_epi8(q[r]) : q[r];
        }
        for (int t = 0; t < T; t++) {
            const slm_block_q8 *xb = x + t * nb + b;
            const __m256i xq = _mm256_loadu_si256((const __m256i *)xb->qs);
            const __m256 dx = _mm256_set1_ps(xb->d);
            for (int r = 0; r < R; r++) {
                __m256i xs = is_signed ? _mm256_sign_epi8(xq, q[r]) : xq;
                __m256i isum = _mm256_madd_epi16(_mm256_maddubs_epi16(qa[r], xs), ones);
                acc[r][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_mul_ps(scale[r], dx), acc[r][t]);
                if (has_min) macc[r][t] += min[r] * xb->s;
            }
        }
    }
    for (int r = 0; r < R; r++) {
        for (int t = 0; t < T; t++) y[t * ldy + r] = hsum(acc[r][t]) + macc[r][t];
    }
}

// Tokens in groups of up to 4; rows in tiles of 4 for one or two tokens (decode: the weights stream from memory,
// and four rows' work overlaps their loads), of 2 for more, the last rows one by one.
SLM_TARGET_AVX2 static inline __attribute__((always_inline)) void
matmul(const int type, const uint8_t *w, size_t rb, const slm_block_q8 *x, int64_t nb, float *y, int64_t ldy,
       int64_t row0, int64_t row1, int64_t ntok) {
    for (int64_t t = 0; t < ntok;) {
        const int T = ntok - t >= 4 ? 4 : (int)(ntok - t);
        const slm_block_q8 *xt = x + t * nb;
        float *yt = y + t * ldy;
        int64_t r = row0;
        switch (T) {
        case 4:
            for (; r + 2 <= row1; r += 2) tile(type, w + r * rb, rb, xt, nb, yt + r, ldy, 2, 4);
            for (; r < row1; r++) tile(type, w + r * rb, rb, xt, nb, yt + r, ldy, 1, 4);
            break;
        case 3:
            for (; r + 2 <= row1; r += 2) tile(type, w + r * rb, rb, xt, nb, yt + r, ldy, 2, 3);
            for (; r < row1; r++) tile(type, w + r * rb, rb, xt, nb, yt + r, ldy, 1, 3);
            break;
        case 2:
            for (; r + 4 <= row1; r += 4) tile(type, w + r * rb, rb, xt, nb, yt + r, ldy, 4, 2);
            for (; r < row1; r++) tile(type, w + r * rb, rb, xt, nb, yt + r, ldy, 1, 2);
            break;
        default:
            for (; r + 4 <= row1; r += 4) tile(type, w + r * rb, rb, xt, nb, yt + r, ldy, 4, 1);
            for (; r < row1; r++) tile(type, w + r * rb, rb, xt, nb, yt + r, ldy, 1, 1);
            break;
        }
        t += T;
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
