// The row-major tile of the quantized product, compiled twice by matmul_x86.c (AVX2 and AVX-512 VNNI): vector lanes
// run along k, one 256-bit register per weight block, and a tile of R rows by T tokens shares every weight unpack
// and activation load. It serves decode (T = 1) and the few tokens left over by the prefill kernel.
//
// The including file defines TARGET, FN(name), and DOT_U8S8(u, s): eight int32 lanes, each the sum of four
// products of unsigned bytes of u with signed bytes of s.

// Weight block b of a row as a register of 32 bytes in element order and its scales [d, m] (Q4_1), [d, d]
// (Q4_0: nibbles are kept unsigned, and sum((q - 8) x) d_x = sum(q x) d_x - 8 s_x, so the second lane gathers
// d s_x and the tile multiplies its sum by -8 at the end) or [d, 0] (Q8_0).
TARGET static inline __attribute__((always_inline)) __m256i FN(load_wq)(const int type, const uint8_t *blk,
                                                                         __m128 *dm) {
    if (type == SLM_TYPE_Q8_0) {
        *dm = _mm_cvtph_ps(_mm_cvtsi32_si128(slm_load_u16(blk)));
        return _mm256_loadu_si256((const __m256i *)(blk + 2));
    }
    __m128i q;
    if (type == SLM_TYPE_Q4_1) {
        *dm = _mm_cvtph_ps(_mm_cvtsi32_si128((int)slm_load_u32(blk)));
        q = _mm_loadu_si128((const __m128i *)(blk + 4));
    } else {
        *dm = _mm_cvtph_ps(_mm_set1_epi16((short)slm_load_u16(blk)));
        q = _mm_loadu_si128((const __m128i *)(blk + 2));
    }
    __m256i both = _mm256_inserti128_si256(_mm256_castsi128_si256(q), _mm_srli_epi16(q, 4), 1);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0f));
}

TARGET static inline __attribute__((always_inline)) float FN(hsum_ps)(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// w: first row of the tile; x: first token; y: the output of (first row, first token).
TARGET static inline __attribute__((always_inline)) void FN(tile)(const int type, const uint8_t *w, size_t rb,
                                                                   const slm_block_q8 *x, int64_t nb, float *y,
                                                                   int64_t ldy, const int R, const int T) {
    const size_t bsz = type == SLM_TYPE_Q4_0 ? 18 : type == SLM_TYPE_Q4_1 ? 20 : 34;
    // At least two tiles ahead: then all R rows of a tile are in flight before it starts, however long the rows.
    const size_t ahead = 2 * R * rb > PREFETCH_AHEAD ? 2 * R * rb : PREFETCH_AHEAD;
    __m256 acc[4][4];
    __m128 macc[4][4];
    for (int r = 0; r < R; r++) {
        for (int t = 0; t < T; t++) {
            acc[r][t] = _mm256_setzero_ps();
            macc[r][t] = _mm_setzero_ps();
        }
    }
    for (int64_t b = 0; b < nb; b++) {
        __m256i wq[4], wsgn[4];
        __m128 wdm[4];
        {
            // The tile's rows are adjacent, so its weights form one contiguous run, consumed at R blocks per step.
            // Prefetching that run a fixed distance ahead keeps enough misses in flight to stream from memory at
            // near full bandwidth; the hardware prefetchers alone lose track of R interleaved streams.
            const char *pf = (const char *)w + ahead + (size_t)b * R * bsz;
            _mm_prefetch(pf, _MM_HINT_T0);
            _mm_prefetch(pf + 64, _MM_HINT_T0);
            if (type == SLM_TYPE_Q8_0) _mm_prefetch(pf + 128, _MM_HINT_T0);
        }
        for (int r = 0; r < R; r++) {
            wq[r] = FN(load_wq)(type, w + r * rb + (size_t)b * bsz, &wdm[r]);
            // Q8_0 weights are signed: multiply |w| by x carrying the sign of w.
            if (type == SLM_TYPE_Q8_0) {
                wsgn[r] = wq[r];
                wq[r] = _mm256_abs_epi8(wq[r]);
            }
        }
        for (int t = 0; t < T; t++) {
            const slm_block_q8 *xb = x + t * nb + b;
            __m256i xq = _mm256_loadu_si256((const __m256i *)xb->qs);
            __m128 xds = _mm_castpd_ps(_mm_load_sd((const double *)&xb->d));  // [d_x, s_x]
            for (int r = 0; r < R; r++) {
                __m256i isum = type == SLM_TYPE_Q8_0 ? DOT_U8S8(wq[r], _mm256_sign_epi8(xq, wsgn[r]))
                                                     : DOT_U8S8(wq[r], xq);
                __m128 sc = _mm_mul_ps(wdm[r], xds);  // [d_w d_x, m s_x]
                acc[r][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_broadcastss_ps(sc), acc[r][t]);
                if (type != SLM_TYPE_Q8_0) macc[r][t] = _mm_add_ps(macc[r][t], sc);
            }
        }
    }
    for (int r = 0; r < R; r++) {
        for (int t = 0; t < T; t++) {
            float m = _mm_cvtss_f32(_mm_movehdup_ps(macc[r][t]));
            if (type == SLM_TYPE_Q4_0) m *= -8.0f;
            y[t * ldy + r] = FN(hsum_ps)(acc[r][t]) + m;
        }
    }
}

// Rows in tiles of 4 (the last few one by one), tokens in tiles of up to 4.
TARGET static inline __attribute__((always_inline)) void FN(matmul_rows)(const int type, const uint8_t *w, size_t rb,
                                                                          const slm_block_q8 *x, int64_t nb,
                                   float *y, int64_t ldy, int64_t row0, int64_t row1, int64_t ntok) {
    {
        // Tiles prefetch a distance ahead of themselves, so the start of the range must be asked for up front, all
        // at once, or each call would open with a run of misses taken one after another. Capped to stay in L1.
        size_t head = 8 * rb > PREFETCH_AHEAD ? 8 * rb : PREFETCH_AHEAD;
        const size_t total = (size_t)(row1 - row0) * rb;
        head = head < total ? head : total;
        head = head < 16384 ? head : 16384;
        const char *p = (const char *)(w + row0 * rb);
        for (size_t off = 0; off < head; off += 64) _mm_prefetch(p + off, _MM_HINT_T0);
    }
    for (int64_t t = 0; t < ntok;) {
        const int64_t left = ntok - t;
        const int T = left >= 4 ? 4 : (int)left;
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
