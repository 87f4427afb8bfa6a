// x86 quantized products and activation quantization, for AVX2+FMA+F16C and for AVX-512 with VNNI.
//
// Two kernels per level:
//  - Row tiles (matmul_x86_tile.h): lanes along k, one weight block per register. Decode is memory bound, and this
//    reads each weight byte once with a handful of instructions per 32 weights.
//  - Token lanes, for prefill: activations of 16 (AVX-512) or 8 (AVX2) tokens are repacked so that one register
//    holds the same four k positions of every token. A weight row then contributes four of its bytes per
//    instruction, broadcast across the token lanes; the integer multiply-accumulate is nearly the only work, the
//    per-block float scaling is paid once per block for all tokens, and each weight block is unpacked once per pass
//    over the tokens.
#if defined(__x86_64__)

#include "matmul_x86_unpack.h"

static inline size_t block_bytes(int type) { return type == SLM_TYPE_Q4_0 ? 18 : type == SLM_TYPE_Q4_1 ? 20 : 34; }

// Bytes ahead of the current position at which the row tiles prefetch weights: a few hundred nanoseconds of
// streaming, enough to cover memory latency (measured best between 4 and 8 KiB on Zen 4).
enum { PREFETCH_AHEAD = 4096 };

// ---- Row tiles ----

#define TARGET SLM_TARGET_AVX2
#define FN(name) avx2_##name
#define DOT_U8S8(u, s) _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1))
#include "matmul_x86_tile.h"
#undef TARGET
#undef FN
#undef DOT_U8S8

#define TARGET SLM_TARGET_AVX512
#define FN(name) vnni_##name
#define DOT_U8S8(u, s) _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s)
#include "matmul_x86_tile.h"
#undef TARGET
#undef FN
#undef DOT_U8S8

// ---- Activation quantization ----

SLM_TARGET_AVX2 void slm_avx2_quantize_row_q8(const float *x, slm_block_q8 *y, int64_t n) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (int64_t i = 0; i < n / SLM_QK; i++) {
        const float *xb = x + i * SLM_QK;
        __m256 v0 = _mm256_loadu_ps(xb), v1 = _mm256_loadu_ps(xb + 8);
        __m256 v2 = _mm256_loadu_ps(xb + 16), v3 = _mm256_loadu_ps(xb + 24);
        __m256 a = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v0), _mm256_andnot_ps(sign, v1)),
                                 _mm256_max_ps(_mm256_andnot_ps(sign, v2), _mm256_andnot_ps(sign, v3)));
        __m128 m = _mm_max_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
        m = _mm_max_ps(m, _mm_movehl_ps(m, m));
        m = _mm_max_ss(m, _mm_movehdup_ps(m));
        // Same operations as the scalar level, in the same order, so the bytes match exactly.
        float d = _mm_cvtss_f32(m) / 127.0f;
        float id = d != 0.0f ? 1.0f / d : 0.0f;
        __m256 vid = _mm256_set1_ps(id);
        __m256i q0 = _mm256_cvtps_epi32(_mm256_mul_ps(v0, vid)), q1 = _mm256_cvtps_epi32(_mm256_mul_ps(v1, vid));
        __m256i q2 = _mm256_cvtps_epi32(_mm256_mul_ps(v2, vid)), q3 = _mm256_cvtps_epi32(_mm256_mul_ps(v3, vid));
        __m256i s = _mm256_add_epi32(_mm256_add_epi32(q0, q1), _mm256_add_epi32(q2, q3));
        __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4e));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xb1));
        // The packs interleave 128-bit lanes; one dword permute restores element order.
        __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(q0, q1), _mm256_packs_epi32(q2, q3));
        _mm256_storeu_si256((__m256i *)y[i].qs, _mm256_permutevar8x32_epi32(p, order));
        y[i].d = d;
        y[i].s = d * (float)_mm_cvtsi128_si32(s4);
    }
}

SLM_TARGET_AVX512 void slm_avx512_quantize_row_q8(const float *x, slm_block_q8 *y, int64_t n) {
    for (int64_t i = 0; i < n / SLM_QK; i++) {
        const float *xb = x + i * SLM_QK;
        __m512 v0 = _mm512_loadu_ps(xb), v1 = _mm512_loadu_ps(xb + 16);
        float d = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), _mm512_abs_ps(v1))) / 127.0f;
        float id = d != 0.0f ? 1.0f / d : 0.0f;
        __m512 vid = _mm512_set1_ps(id);
        __m512i q0 = _mm512_cvtps_epi32(_mm512_mul_ps(v0, vid));
        __m512i q1 = _mm512_cvtps_epi32(_mm512_mul_ps(v1, vid));
        _mm_storeu_si128((__m128i *)y[i].qs, _mm512_cvtsepi32_epi8(q0));
        _mm_storeu_si128((__m128i *)(y[i].qs + 16), _mm512_cvtsepi32_epi8(q1));
        y[i].d = d;
        y[i].s = d * (float)_mm512_reduce_add_epi32(_mm512_add_epi32(q0, q1));
    }
}

// ---- Token lanes ----

// Activations of one block for a group of tokens: q[j] holds bytes 4j..4j+3 of each token in turn, then the
// tokens' scales and sums. One record per (token group, block).
typedef struct {
    int8_t q[8][16][4];
    float d[16];
    float s[16];
} xrec16;

typedef struct {
    int8_t q[8][8][4];
    float d[8];
    float s[8];
} xrec8;

_Static_assert(sizeof(xrec16) == 640, "xrec16 is ten cache lines");
_Static_assert(sizeof(xrec8) == 320, "xrec8 is five cache lines");

// Unpacked weights of a tile of rows: 32 quants per block as bytes (unsigned for Q4_0/Q4_1 and the unsigned unpacked
// formats, signed for Q6_K), a scale, and a second per-block term (the min, -8 d for Q4_0; Q8_0: -128 * sum of
// quants, as an integer). Q6_K, with a scale per 16 weights, keeps its second scale in m and the corrections of
// its two halves in c and c2.
typedef struct {
    uint8_t *q;
    float *d;
    float *m;
    int32_t *c;
    int32_t *c2;
} wtile;

enum {
    PREFILL_ROWS = 4,
    // Token records of one pass stay within this many bytes, so they are read from L2 for every row tile.
    PREFILL_XBYTES = 384 * 1024,
};

// Asks for the weights of the row tile after this one, which the token-lane kernels read only after a long
// stretch of arithmetic on this tile: by then they are in cache instead of a burst of misses.
SLM_TARGET_AVX2 static inline void prefetch_next_tile(const uint8_t *tile, size_t rb, int64_t rows_left) {
    if (rows_left <= PREFILL_ROWS) return;
    int64_t next = rows_left - PREFILL_ROWS < PREFILL_ROWS ? rows_left - PREFILL_ROWS : PREFILL_ROWS;
    const char *p = (const char *)tile + PREFILL_ROWS * rb;
    for (size_t off = 0; off < next * rb; off += 64) _mm_prefetch(p + off, _MM_HINT_T0);
}

// Unpacks `rows` weight rows into a wtile: Q4 nibbles to bytes, scales to floats, and for Q8_0 (whose quants the
// kernel reads in place) the per-block correction. AVX2 suffices, and both levels share it.
SLM_TARGET_AVX2 static void unpack_rows(const int type, const uint8_t *w, size_t rb, int64_t nb, int rows,
                                        wtile t) {
    const __m128i lo = _mm_set1_epi8(0x0f);
    if (type == SLM_TYPE_Q6_K) {
        // Signed quants (q - 32), read against activations flipped to unsigned: each half's 128 * sum(w) comes off
        // through its accumulator's starting value.
        for (int r = 0; r < rows; r++) {
            for (int64_t b = 0; b < nb; b++) {
                const int64_t k = r * nb + b;
                __m256 scale;
                float unused;
                __m256i q = slm_x86_unpack(type, w + r * rb, b, &scale, &unused);
                _mm256_storeu_si256((__m256i *)(t.q + k * 32), q);
                t.d[k] = _mm256_cvtss_f32(scale);
                t.m[k] = _mm_cvtss_f32(_mm256_extractf128_ps(scale, 1));
                __m256i flipped = _mm256_xor_si256(q, _mm256_set1_epi8((char)0x80));
                __m256i sad = _mm256_sad_epu8(flipped, _mm256_setzero_si256());
                __m128i s0 = _mm256_castsi256_si128(sad), s1 = _mm256_extracti128_si256(sad, 1);
                int sum0 = (int)(_mm_cvtsi128_si64(s0) + _mm_extract_epi64(s0, 1)) - 128 * 16;
                int sum1 = (int)(_mm_cvtsi128_si64(s1) + _mm_extract_epi64(s1, 1)) - 128 * 16;
                t.c[k] = -128 * sum0;
                t.c2[k] = -128 * sum1;
            }
        }
        return;
    }
    if (slm_type_is_unpacked(type)) {
        // Q5_0, Q5_1, Q4_K, Q5_K: unsigned quants with one scale and one min per 32 weights, the Q4_1 form.
        for (int r = 0; r < rows; r++) {
            for (int64_t b = 0; b < nb; b++) {
                const int64_t k = r * nb + b;
                __m256 scale;
                __m256i q = slm_x86_unpack(type, w + r * rb, b, &scale, &t.m[k]);
                _mm256_storeu_si256((__m256i *)(t.q + k * 32), q);
                t.d[k] = _mm256_cvtss_f32(scale);
            }
        }
        return;
    }
    for (int r = 0; r < rows; r++) {
        const uint8_t *row = w + r * rb;
        for (int64_t b = 0; b < nb; b++) {
            const uint8_t *blk = row + b * block_bytes(type);
            int64_t k = r * nb + b;
            float d = _cvtsh_ss(slm_load_u16(blk));
            t.d[k] = d;
            if (type == SLM_TYPE_Q8_0) {
                // sum(w) via unsigned sums of w + 128.
                __m256i q = _mm256_loadu_si256((const __m256i *)(blk + 2));
                __m256i u = _mm256_xor_si256(q, _mm256_set1_epi8((char)0x80));
                __m256i sad = _mm256_sad_epu8(u, _mm256_setzero_si256());
                __m128i s2 = _mm_add_epi64(_mm256_castsi256_si128(sad), _mm256_extracti128_si256(sad, 1));
                int sum = (int)(_mm_cvtsi128_si64(s2) + _mm_extract_epi64(s2, 1)) - 128 * SLM_QK;
                t.c[k] = -128 * sum;
                continue;
            }
            const uint8_t *qs;
            if (type == SLM_TYPE_Q4_1) {
                t.m[k] = _cvtsh_ss(slm_load_u16(blk + 2));
                qs = blk + 4;
            } else {
                t.m[k] = -8.0f * d;
                qs = blk + 2;
            }
            __m128i q = _mm_loadu_si128((const __m128i *)qs);
            _mm_storeu_si128((__m128i *)(t.q + k * 32), _mm_and_si128(q, lo));
            _mm_storeu_si128((__m128i *)(t.q + k * 32 + 16), _mm_and_si128(_mm_srli_epi16(q, 4), lo));
        }
    }
}

// Activations of tokens [0, ntok) into records of 16 token lanes; lanes past the last token repeat it (their
// results are computed and dropped). flip adds 128 to every quant, for kernels that need them unsigned.
SLM_TARGET_AVX512 static void repack16(const slm_block_q8 *x, int64_t nb, int64_t ntok, int flip, xrec16 *out) {
    const __m512i lo_idx = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13);
    const __m512i hi_idx = _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
    const __m512i bias = _mm512_set1_epi8(flip ? (char)0x80 : 0);
    for (int64_t g = 0; g * 16 < ntok; g++) {
        const slm_block_q8 *src[16];
        for (int i = 0; i < 16; i++) {
            int64_t t = g * 16 + i < ntok ? g * 16 + i : ntok - 1;
            src[i] = x + t * nb;
        }
        for (int64_t b = 0; b < nb; b++) {
            xrec16 *o = out + g * nb + b;
            // A 16 x 8 matrix of dwords (token x position), transposed as two 8 x 8 halves side by side: the
            // 256-bit half h of register k holds token k + 8 h.
            __m512i p[8], t[8], u[8];
            for (int k = 0; k < 8; k++) {
                __m256i a = _mm256_loadu_si256((const __m256i *)src[k][b].qs);
                __m256i c = _mm256_loadu_si256((const __m256i *)src[k + 8][b].qs);
                p[k] = _mm512_inserti64x4(_mm512_castsi256_si512(a), c, 1);
            }
            for (int k = 0; k < 8; k += 2) {
                t[k] = _mm512_unpacklo_epi32(p[k], p[k + 1]);
                t[k + 1] = _mm512_unpackhi_epi32(p[k], p[k + 1]);
            }
            for (int k = 0; k < 8; k += 4) {
                u[k] = _mm512_unpacklo_epi64(t[k], t[k + 2]);
                u[k + 1] = _mm512_unpackhi_epi64(t[k], t[k + 2]);
                u[k + 2] = _mm512_unpacklo_epi64(t[k + 1], t[k + 3]);
                u[k + 3] = _mm512_unpackhi_epi64(t[k + 1], t[k + 3]);
            }
            for (int j = 0; j < 4; j++) {
                __m512i a = _mm512_permutex2var_epi64(u[j], lo_idx, u[j + 4]);
                __m512i c = _mm512_permutex2var_epi64(u[j], hi_idx, u[j + 4]);
                _mm512_store_si512((__m512i *)o->q[j], _mm512_xor_si512(a, bias));
                _mm512_store_si512((__m512i *)o->q[j + 4], _mm512_xor_si512(c, bias));
            }
            for (int i = 0; i < 16; i++) {
                o->d[i] = src[i][b].d;
                o->s[i] = src[i][b].s;
            }
        }
    }
}

SLM_TARGET_AVX2 static void repack8(const slm_block_q8 *x, int64_t nb, int64_t ntok, xrec8 *out) {
    for (int64_t g = 0; g * 8 < ntok; g++) {
        const slm_block_q8 *src[8];
        for (int i = 0; i < 8; i++) {
            int64_t t = g * 8 + i < ntok ? g * 8 + i : ntok - 1;
            src[i] = x + t * nb;
        }
        for (int64_t b = 0; b < nb; b++) {
            xrec8 *o = out + g * nb + b;
            __m256i p[8], t[8], u[8];
            for (int k = 0; k < 8; k++) p[k] = _mm256_loadu_si256((const __m256i *)src[k][b].qs);
            for (int k = 0; k < 8; k += 2) {
                t[k] = _mm256_unpacklo_epi32(p[k], p[k + 1]);
                t[k + 1] = _mm256_unpackhi_epi32(p[k], p[k + 1]);
            }
            for (int k = 0; k < 8; k += 4) {
                u[k] = _mm256_unpacklo_epi64(t[k], t[k + 2]);
                u[k + 1] = _mm256_unpackhi_epi64(t[k], t[k + 2]);
                u[k + 2] = _mm256_unpacklo_epi64(t[k + 1], t[k + 3]);
                u[k + 3] = _mm256_unpackhi_epi64(t[k + 1], t[k + 3]);
            }
            for (int j = 0; j < 4; j++) {
                _mm256_store_si256((__m256i *)o->q[j], _mm256_permute2x128_si256(u[j], u[j + 4], 0x20));
                _mm256_store_si256((__m256i *)o->q[j + 4], _mm256_permute2x128_si256(u[j], u[j + 4], 0x31));
            }
            for (int i = 0; i < 8; i++) {
                o->d[i] = src[i][b].d;
                o->s[i] = src[i][b].s;
            }
        }
    }
}

// R rows against one group of 16 tokens. Q4: unsigned nibbles broadcast four at a time against signed activations.
// Q8_0: signed weights, broadcast straight from the row, against activations flipped to unsigned; the flip's
// 128 * sum(w) is subtracted through the accumulator's starting value.
SLM_TARGET_AVX512 static inline __attribute__((always_inline)) void
vnni_token_tile(const int type, wtile wt, const uint8_t *w, size_t rb, const xrec16 *xr, int64_t nb, float *y,
                int64_t ldy, int nv, const int R) {
    __m512 facc[8];
    for (int r = 0; r < R; r++) facc[r] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const xrec16 *xb = xr + b;
        __m512i xt[8];
        for (int j = 0; j < 8; j++) xt[j] = _mm512_load_si512((const __m512i *)xb->q[j]);
        __m512 dxv = _mm512_load_ps(xb->d);
        __m512 sxv = _mm512_load_ps(xb->s);
        for (int r = 0; r < R; r++) {
            const int64_t k = r * nb + b;
            __m512i i0, i1;
            if (type == SLM_TYPE_Q6_K) {
                // Two halves with their own scales: positions 0-15 are records 0-3, 16-31 records 4-7.
                const uint8_t *u = wt.q + k * 32;
                i0 = _mm512_set1_epi32(wt.c[k]);
                i1 = _mm512_set1_epi32(wt.c2[k]);
                for (int j = 0; j < 4; j++) {
                    i0 = _mm512_dpbusd_epi32(i0, xt[j], _mm512_set1_epi32((int)slm_load_u32(u + 4 * j)));
                    i1 = _mm512_dpbusd_epi32(i1, xt[j + 4], _mm512_set1_epi32((int)slm_load_u32(u + 16 + 4 * j)));
                }
                __m512 f = _mm512_fmadd_ps(_mm512_cvtepi32_ps(i0), _mm512_set1_ps(wt.d[k]),
                                           _mm512_mul_ps(_mm512_cvtepi32_ps(i1), _mm512_set1_ps(wt.m[k])));
                facc[r] = _mm512_fmadd_ps(f, dxv, facc[r]);
                continue;
            }
            if (type == SLM_TYPE_Q8_0) {
                const uint8_t *qs = w + r * rb + b * 34 + 2;
                i0 = _mm512_set1_epi32(wt.c[k]);
                i1 = _mm512_setzero_si512();
                for (int j = 0; j < 8; j += 2) {
                    i0 = _mm512_dpbusd_epi32(i0, xt[j], _mm512_set1_epi32((int)slm_load_u32(qs + 4 * j)));
                    i1 = _mm512_dpbusd_epi32(i1, xt[j + 1], _mm512_set1_epi32((int)slm_load_u32(qs + 4 * j + 4)));
                }
            } else {
                const uint8_t *u = wt.q + k * 32;
                i0 = _mm512_setzero_si512();
                i1 = _mm512_setzero_si512();
                for (int j = 0; j < 8; j += 2) {
                    i0 = _mm512_dpbusd_epi32(i0, _mm512_set1_epi32((int)slm_load_u32(u + 4 * j)), xt[j]);
                    i1 = _mm512_dpbusd_epi32(i1, _mm512_set1_epi32((int)slm_load_u32(u + 4 * j + 4)), xt[j + 1]);
                }
            }
            __m512 f = _mm512_cvtepi32_ps(_mm512_add_epi32(i0, i1));
            facc[r] = _mm512_fmadd_ps(f, _mm512_mul_ps(dxv, _mm512_set1_ps(wt.d[k])), facc[r]);
            if (type != SLM_TYPE_Q8_0) facc[r] = _mm512_fmadd_ps(sxv, _mm512_set1_ps(wt.m[k]), facc[r]);
        }
    }
    for (int r = 0; r < R; r++) {
        float out[16];
        _mm512_storeu_ps(out, facc[r]);
        for (int i = 0; i < nv; i++) y[i * ldy + r] = out[i];
    }
}

// The same for 8 token lanes with AVX2, Q4 only: maddubs yields int16 pairs. A product is at most 15 * 128 in
// magnitude, so the eight pair sums of a block add up to under 2^15 before widening.
SLM_TARGET_AVX2 static inline __attribute__((always_inline)) void
avx2_token_tile(const int type, wtile wt, const xrec8 *xr, int64_t nb, float *y, int64_t ldy, int nv, const int R) {
    __m256 facc[4];
    for (int r = 0; r < R; r++) facc[r] = _mm256_setzero_ps();
    const __m256i ones = _mm256_set1_epi16(1);
    for (int64_t b = 0; b < nb; b++) {
        const xrec8 *xb = xr + b;
        __m256 dxv = _mm256_load_ps(xb->d);
        __m256 sxv = _mm256_load_ps(xb->s);
        for (int r = 0; r < R; r++) {
            const int64_t k = r * nb + b;
            const uint8_t *u = wt.q + k * 32;
            __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
            for (int j = 0; j < 8; j += 2) {
                __m256i w0 = _mm256_set1_epi32((int)slm_load_u32(u + 4 * j));
                __m256i w1 = _mm256_set1_epi32((int)slm_load_u32(u + 4 * j + 4));
                s0 = _mm256_add_epi16(s0, _mm256_maddubs_epi16(w0, _mm256_load_si256((const __m256i *)xb->q[j])));
                s1 = _mm256_add_epi16(s1, _mm256_maddubs_epi16(w1, _mm256_load_si256((const __m256i *)xb->q[j + 1])));
            }
            __m256 f = _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_add_epi16(s0, s1), ones));
            facc[r] = _mm256_fmadd_ps(f, _mm256_mul_ps(dxv, _mm256_set1_ps(wt.d[k])), facc[r]);
            facc[r] = _mm256_fmadd_ps(sxv, _mm256_set1_ps(wt.m[k]), facc[r]);
        }
    }
    (void)type;
    for (int r = 0; r < R; r++) {
        float out[8];
        _mm256_storeu_ps(out, facc[r]);
        for (int i = 0; i < nv; i++) y[i * ldy + r] = out[i];
    }
}

static wtile wtile_in(void *base, int64_t nb) {
    wtile t;
    t.q = base;
    t.d = (float *)(t.q + PREFILL_ROWS * nb * 32);
    t.m = t.d + PREFILL_ROWS * nb;
    t.c = (int32_t *)(t.m + PREFILL_ROWS * nb);
    t.c2 = t.c + PREFILL_ROWS * nb;
    return t;
}

static size_t wtile_bytes(int64_t nb) { return (size_t)(PREFILL_ROWS * nb * (32 + 16)); }

// Token lanes over tokens [0, ntok): ntok is a whole number of groups, except that the last group may be partial.
SLM_TARGET_AVX512 static inline __attribute__((always_inline)) void
vnni_prefill(const int type, const uint8_t *w, size_t rb, const slm_block_q8 *x, int64_t nb, float *y, int64_t ldy,
             int64_t row0, int64_t row1, int64_t ntok, void *scratch) {
    const int64_t per_group = nb * (int64_t)sizeof(xrec16);
    int64_t chunk = PREFILL_XBYTES / per_group * 16;
    if (chunk < 16) chunk = 16;
    xrec16 *xr = scratch;
    wtile wt = wtile_in((char *)scratch + ((ntok < chunk ? ntok : chunk) + 15) / 16 * per_group, nb);
    for (int64_t t0 = 0; t0 < ntok; t0 += chunk) {
        const int64_t nt = ntok - t0 < chunk ? ntok - t0 : chunk;
        repack16(x + t0 * nb, nb, nt, type == SLM_TYPE_Q8_0 || type == SLM_TYPE_Q6_K, xr);
        for (int64_t r = row0; r < row1; r += PREFILL_ROWS) {
            const int rows = row1 - r < PREFILL_ROWS ? (int)(row1 - r) : PREFILL_ROWS;
            const uint8_t *wr = w + r * rb;
            prefetch_next_tile(wr, rb, row1 - r);
            unpack_rows(type, wr, rb, nb, rows, wt);
            for (int64_t g = 0; g * 16 < nt; g++) {
                const int nv = nt - g * 16 < 16 ? (int)(nt - g * 16) : 16;
                float *yg = y + (t0 + g * 16) * ldy + r;
                if (rows == PREFILL_ROWS) {
                    vnni_token_tile(type, wt, wr, rb, xr + g * nb, nb, yg, ldy, nv, PREFILL_ROWS);
                } else {
                    // Row tails: each leftover row is its own one-row tile over the same unpacked storage.
                    for (int i = 0; i < rows; i++) {
                        wtile wi = {wt.q + i * nb * 32, wt.d + i * nb, wt.m + i * nb, wt.c + i * nb, wt.c2 + i * nb};
                        vnni_token_tile(type, wi, wr + i * rb, rb, xr + g * nb, nb, yg + i, ldy, nv, 1);
                    }
                }
            }
        }
    }
}

SLM_TARGET_AVX2 static inline __attribute__((always_inline)) void
avx2_prefill(const int type, const uint8_t *w, size_t rb, const slm_block_q8 *x, int64_t nb, float *y, int64_t ldy,
             int64_t row0, int64_t row1, int64_t ntok, void *scratch) {
    const int64_t per_group = nb * (int64_t)sizeof(xrec8);
    int64_t chunk = PREFILL_XBYTES / per_group * 8;
    if (chunk < 8) chunk = 8;
    xrec8 *xr = scratch;
    wtile wt = wtile_in((char *)scratch + ((ntok < chunk ? ntok : chunk) + 7) / 8 * per_group, nb);
    for (int64_t t0 = 0; t0 < ntok; t0 += chunk) {
        const int64_t nt = ntok - t0 < chunk ? ntok - t0 : chunk;
        repack8(x + t0 * nb, nb, nt, xr);
        for (int64_t r = row0; r < row1; r += PREFILL_ROWS) {
            const int rows = row1 - r < PREFILL_ROWS ? (int)(row1 - r) : PREFILL_ROWS;
            prefetch_next_tile(w + r * rb, rb, row1 - r);
            unpack_rows(type, w + r * rb, rb, nb, rows, wt);
            for (int64_t g = 0; g * 8 < nt; g++) {
                const int nv = nt - g * 8 < 8 ? (int)(nt - g * 8) : 8;
                float *yg = y + (t0 + g * 8) * ldy + r;
                if (rows == PREFILL_ROWS) {
                    avx2_token_tile(type, wt, xr + g * nb, nb, yg, ldy, nv, PREFILL_ROWS);
                } else {
                    for (int i = 0; i < rows; i++) {
                        wtile wi = {wt.q + i * nb * 32, wt.d + i * nb, wt.m + i * nb, wt.c + i * nb, wt.c2 + i * nb};
                        avx2_token_tile(type, wi, xr + g * nb, nb, yg + i, ldy, nv, 1);
                    }
                }
            }
        }
    }
}

// Scratch for token lanes: records of one chunk of tokens, then the unpacked row tile.
static size_t prefill_scratch_bytes(int64_t nb, int64_t ntok, int lanes, size_t rec) {
    int64_t per_group = nb * (int64_t)rec;
    int64_t chunk = PREFILL_XBYTES / per_group * lanes;
    if (chunk < lanes) chunk = lanes;
    int64_t groups = ((ntok < chunk ? ntok : chunk) + lanes - 1) / lanes;
    return (size_t)(groups * per_group) + wtile_bytes(nb);
}

// How many tokens go to the token-lane kernel: whole lane groups, plus a padded last group if at least `min_rest`
// tokens are left. Fewer than that are cheaper as row tiles, which cost in proportion to the tokens; a padded
// group costs as much as a full one. The thresholds are where the two cross on Zen 4.
static int64_t token_lane_count(int64_t ntok, int lanes, int min_rest) {
    int64_t full = ntok / lanes * lanes;
    return ntok - full >= min_rest ? ntok : full;
}

// Token lanes for the unpacked formats; the tokens they leave go to the row kernels.
SLM_TARGET_AVX512 static void avx512_matmul_unpacked(slm_type type, const uint8_t *w, size_t row_bytes,
                                                     const slm_block_q8 *x, int64_t n, float *y, int64_t ldy,
                                                     int64_t row0, int64_t row1, int64_t ntok) {
    const int64_t nb = n / SLM_QK;
    int64_t nlane = token_lane_count(ntok, 16, 6);
    void *scratch = nlane > 0 ? slm_thread_scratch(prefill_scratch_bytes(nb, nlane, 16, sizeof(xrec16))) : NULL;
    if (scratch == NULL) nlane = 0;
    switch (nlane > 0 ? type : SLM_TYPE_F32) {
    case SLM_TYPE_Q5_0:
        vnni_prefill(SLM_TYPE_Q5_0, w, row_bytes, x, nb, y, ldy, row0, row1, nlane, scratch);
        break;
    case SLM_TYPE_Q5_1:
        vnni_prefill(SLM_TYPE_Q5_1, w, row_bytes, x, nb, y, ldy, row0, row1, nlane, scratch);
        break;
    case SLM_TYPE_Q4_K:
        vnni_prefill(SLM_TYPE_Q4_K, w, row_bytes, x, nb, y, ldy, row0, row1, nlane, scratch);
        break;
    case SLM_TYPE_Q5_K:
        vnni_prefill(SLM_TYPE_Q5_K, w, row_bytes, x, nb, y, ldy, row0, row1, nlane, scratch);
        break;
    case SLM_TYPE_Q6_K:
        vnni_prefill(SLM_TYPE_Q6_K, w, row_bytes, x, nb, y, ldy, row0, row1, nlane, scratch);
        break;
    default:
        break;
    }
    if (nlane == ntok) return;
    slm_x86_vnni_matmul_unpacked(type, w, row_bytes, x + nlane * nb, n, y + nlane * ldy, ldy, row0, row1,
                                 ntok - nlane);
}

SLM_TARGET_AVX512 void slm_avx512_matmul_q(slm_type type, const void *w, size_t row_bytes, const slm_block_q8 *x,
                                           int64_t n, float *y, int64_t ldy, int64_t row0, int64_t row1,
                                           int64_t ntok) {
    if (slm_type_is_unpacked(type)) {
        avx512_matmul_unpacked(type, w, row_bytes, x, n, y, ldy, row0, row1, ntok);
        return;
    }
    const int64_t nb = n / SLM_QK;
    const uint8_t *wb = w;
    int64_t nlane = token_lane_count(ntok, 16, 6);
    void *scratch = nlane > 0 ? slm_thread_scratch(prefill_scratch_bytes(nb, nlane, 16, sizeof(xrec16))) : NULL;
    if (scratch == NULL) nlane = 0;
    if (nlane > 0) {
        switch (type) {
        case SLM_TYPE_Q4_0:
            vnni_prefill(SLM_TYPE_Q4_0, wb, row_bytes, x, nb, y, ldy, row0, row1, nlane, scratch);
            break;
        case SLM_TYPE_Q4_1:
            vnni_prefill(SLM_TYPE_Q4_1, wb, row_bytes, x, nb, y, ldy, row0, row1, nlane, scratch);
            break;
        default:
            vnni_prefill(SLM_TYPE_Q8_0, wb, row_bytes, x, nb, y, ldy, row0, row1, nlane, scratch);
            break;
        }
    }
    if (nlane == ntok) return;
    const slm_block_q8 *xr = x + nlane * nb;
    float *yr = y + nlane * ldy;
    switch (type) {
    case SLM_TYPE_Q4_0:
        vnni_matmul_rows(SLM_TYPE_Q4_0, wb, row_bytes, xr, nb, yr, ldy, row0, row1, ntok - nlane);
        break;
    case SLM_TYPE_Q4_1:
        vnni_matmul_rows(SLM_TYPE_Q4_1, wb, row_bytes, xr, nb, yr, ldy, row0, row1, ntok - nlane);
        break;
    default:
        vnni_matmul_rows(SLM_TYPE_Q8_0, wb, row_bytes, xr, nb, yr, ldy, row0, row1, ntok - nlane);
        break;
    }
}

SLM_TARGET_AVX2 void slm_avx2_matmul_q(slm_type type, const void *w, size_t row_bytes, const slm_block_q8 *x,
                                       int64_t n, float *y, int64_t ldy, int64_t row0, int64_t row1, int64_t ntok) {
    if (slm_type_is_unpacked(type)) {
        slm_x86_matmul_unpacked(type, w, row_bytes, x, n, y, ldy, row0, row1, ntok);
        return;
    }
    const int64_t nb = n / SLM_QK;
    const uint8_t *wb = w;
    // Q8_0 stays on row tiles: its signed weights against 8-bit unsigned activations would overflow maddubs.
    int64_t nlane = type == SLM_TYPE_Q8_0 ? 0 : token_lane_count(ntok, 8, 3);
    void *scratch = nlane > 0 ? slm_thread_scratch(prefill_scratch_bytes(nb, nlane, 8, sizeof(xrec8))) : NULL;
    if (scratch == NULL) nlane = 0;
    if (nlane > 0) {
        if (type == SLM_TYPE_Q4_0) {
            avx2_prefill(SLM_TYPE_Q4_0, wb, row_bytes, x, nb, y, ldy, row0, row1, nlane, scratch);
        } else {
            avx2_prefill(SLM_TYPE_Q4_1, wb, row_bytes, x, nb, y, ldy, row0, row1, nlane, scratch);
        }
    }
    if (nlane == ntok) return;
    const slm_block_q8 *xr = x + nlane * nb;
    float *yr = y + nlane * ldy;
    switch (type) {
    case SLM_TYPE_Q4_0:
        avx2_matmul_rows(SLM_TYPE_Q4_0, wb, row_bytes, xr, nb, yr, ldy, row0, row1, ntok - nlane);
        break;
    case SLM_TYPE_Q4_1:
        avx2_matmul_rows(SLM_TYPE_Q4_1, wb, row_bytes, xr, nb, yr, ldy, row0, row1, ntok - nlane);
        break;
    default:
        avx2_matmul_rows(SLM_TYPE_Q8_0, wb, row_bytes, xr, nb, yr, ldy, row0, row1, ntok - nlane);
        break;
    }
}

#endif
