// The row kernel of the unpacked formats, compiled twice by matmul_x86_unpacked.c: with AVX2 (maddubs and madd)
// and with AVX-512 VNNI (one dpbusd). The including file defines TARGET, FN(name) and DOT_U8S8(u, s): eight int32
// lanes, each the sum of four products of unsigned bytes of u with signed bytes of s.

TARGET static inline float FN(hsum)(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// R rows against T tokens: each block of each row is unpacked once for all T tokens, each token's activations
// loaded once for all R rows, and the R x T independent accumulators keep the multiply units busy.
TARGET static inline __attribute__((always_inline)) void
FN(tile)(const int type, const uint8_t *w, size_t rb, const slm_block_q8 *x, int64_t nb, float *y, int64_t ldy,
     const int R, const int T) {
    const int is_signed = type == SLM_TYPE_Q6_K;
    const int has_min = type != SLM_TYPE_Q6_K;
    const int64_t per = storage_blocks(type);
    const size_t bsz = storage_bytes(type);
    // The R rows are adjacent: one run of R * rb bytes, prefetched a fixed distance ahead.
    const size_t ahead = 2 * R * rb > AHEAD ? 2 * R * rb : AHEAD;
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
                __m256i isum = DOT_U8S8(qa[r], xs);
                acc[r][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_mul_ps(scale[r], dx), acc[r][t]);
                if (has_min) macc[r][t] += min[r] * xb->s;
            }
        }
    }
    for (int r = 0; r < R; r++) {
        for (int t = 0; t < T; t++) y[t * ldy + r] = FN(hsum)(acc[r][t]) + macc[r][t];
    }
}

// Tokens in groups of up to 4; rows in tiles of 4 for one or two tokens (decode: the weights stream from memory,
// and four rows' work overlaps their loads), of 2 for more, the last rows one by one.
TARGET static inline __attribute__((always_inline)) void
FN(matmul)(const int type, const uint8_t *w, size_t rb, const slm_block_q8 *x, int64_t nb, float *y, int64_t ldy,
       int64_t row0, int64_t row1, int64_t ntok) {
    for (int64_t t = 0; t < ntok;) {
        const int T = ntok - t >= 4 ? 4 : (int)(ntok - t);
        const slm_block_q8 *xt = x + t * nb;
        float *yt = y + t * ldy;
        int64_t r = row0;
        switch (T) {
        case 4:
            for (; r + 2 <= row1; r += 2) FN(tile)(type, w + r * rb, rb, xt, nb, yt + r, ldy, 2, 4);
            for (; r < row1; r++) FN(tile)(type, w + r * rb, rb, xt, nb, yt + r, ldy, 1, 4);
            break;
        case 3:
            for (; r + 2 <= row1; r += 2) FN(tile)(type, w + r * rb, rb, xt, nb, yt + r, ldy, 2, 3);
            for (; r < row1; r++) FN(tile)(type, w + r * rb, rb, xt, nb, yt + r, ldy, 1, 3);
            break;
        case 2:
            for (; r + 4 <= row1; r += 4) FN(tile)(type, w + r * rb, rb, xt, nb, yt + r, ldy, 4, 2);
            for (; r < row1; r++) FN(tile)(type, w + r * rb, rb, xt, nb, yt + r, ldy, 1, 2);
            break;
        default:
            for (; r + 4 <= row1; r += 4) FN(tile)(type, w + r * rb, rb, xt, nb, yt + r, ldy, 4, 1);
            for (; r < row1; r++) FN(tile)(type, w + r * rb, rb, xt, nb, yt + r, ldy, 1, 1);
            break;
        }
        t += T;
    }
}

