// x86 float primitives: the body in ops_x86_body.h instantiated for AVX2+FMA+F16C (8 lanes) and for AVX-512
// (16 lanes). Each instantiation only runs after isa.c has checked the CPU for its features.
#if defined(__x86_64__)

#include "internal.h"

#include <immintrin.h>
#include <math.h>

// ---- AVX2: 8 lanes ----

#define TARGET SLM_TARGET_AVX2
#define W 8
#define FN(name) slm_avx2_##name
#define VF __m256
#define V_ZERO() _mm256_setzero_ps()
#define V_SET1(x) _mm256_set1_ps(x)
#define V_LOAD(p) _mm256_loadu_ps(p)
#define V_STORE(p, v) _mm256_storeu_ps(p, v)
#define V_ADD(a, b) _mm256_add_ps(a, b)
#define V_SUB(a, b) _mm256_sub_ps(a, b)
#define V_MUL(a, b) _mm256_mul_ps(a, b)
#define V_DIV(a, b) _mm256_div_ps(a, b)
#define V_MIN(a, b) _mm256_min_ps(a, b)
#define V_MAX(a, b) _mm256_max_ps(a, b)
#define V_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define V_FNMA(a, b, c) _mm256_fnmadd_ps(a, b, c)
#define V_FMADDSUB(a, b, c) _mm256_fmaddsub_ps(a, b, c)
#define V_ROUND(v) _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define V_EXP2I(n)                                                                                                    \
    _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23))
#define V_ZERO_BELOW(v, x, lo) _mm256_andnot_ps(_mm256_cmp_ps(x, lo, _CMP_LT_OQ), v)
#define V_DUP_EVEN(v) _mm256_moveldup_ps(v)
#define V_DUP_ODD(v) _mm256_movehdup_ps(v)
#define V_SWAP_PAIRS(v) _mm256_permute_ps(v, 0xb1)
#define V_LOAD_H(p) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p)))
#define V_STORE_H(p, v) _mm_storeu_si128((__m128i *)(p), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT))
#define V_HSUM(v) avx2_hsum(v)
#define V_HMAX(v) avx2_hmax(v)
#define V_FOLD8(v) (v)

SLM_TARGET_AVX2 static inline float avx2_hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// Eight registers in, one out: lane j holds the sum of the lanes of a[j].
SLM_TARGET_AVX2 static inline __m256 slm_avx2_hsum8x8(const __m256 a[8]) {
    __m256 s01 = _mm256_hadd_ps(a[0], a[1]), s23 = _mm256_hadd_ps(a[2], a[3]);
    __m256 s45 = _mm256_hadd_ps(a[4], a[5]), s67 = _mm256_hadd_ps(a[6], a[7]);
    __m256 t0 = _mm256_hadd_ps(s01, s23), t1 = _mm256_hadd_ps(s45, s67);
    return _mm256_add_ps(_mm256_permute2f128_ps(t0, t1, 0x20), _mm256_permute2f128_ps(t0, t1, 0x31));
}

SLM_TARGET_AVX2 static inline float avx2_hmax(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

#include "ops_x86_body.h"

#undef TARGET
#undef W
#undef FN
#undef VF
#undef V_ZERO
#undef V_SET1
#undef V_LOAD
#undef V_STORE
#undef V_ADD
#undef V_SUB
#undef V_MUL
#undef V_DIV
#undef V_MIN
#undef V_MAX
#undef V_FMA
#undef V_FNMA
#undef V_FMADDSUB
#undef V_ROUND
#undef V_EXP2I
#undef V_ZERO_BELOW
#undef V_DUP_EVEN
#undef V_DUP_ODD
#undef V_SWAP_PAIRS
#undef V_LOAD_H
#undef V_STORE_H
#undef V_HSUM
#undef V_HMAX
#undef V_FOLD8

// ---- AVX-512: 16 lanes ----

#define TARGET SLM_TARGET_AVX512
#define W 16
#define FN(name) slm_avx512_##name
#define VF __m512
#define V_ZERO() _mm512_setzero_ps()
#define V_SET1(x) _mm512_set1_ps(x)
#define V_LOAD(p) _mm512_loadu_ps(p)
#define V_STORE(p, v) _mm512_storeu_ps(p, v)
#define V_ADD(a, b) _mm512_add_ps(a, b)
#define V_SUB(a, b) _mm512_sub_ps(a, b)
#define V_MUL(a, b) _mm512_mul_ps(a, b)
#define V_DIV(a, b) _mm512_div_ps(a, b)
#define V_MIN(a, b) _mm512_min_ps(a, b)
#define V_MAX(a, b) _mm512_max_ps(a, b)
#define V_FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define V_FNMA(a, b, c) _mm512_fnmadd_ps(a, b, c)
#define V_FMADDSUB(a, b, c) _mm512_fmaddsub_ps(a, b, c)
#define V_ROUND(v) _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define V_EXP2I(n)                                                                                                    \
    _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23))
#define V_ZERO_BELOW(v, x, lo) _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, lo, _CMP_NLT_UQ), v)
#define V_DUP_EVEN(v) _mm512_moveldup_ps(v)
#define V_DUP_ODD(v) _mm512_movehdup_ps(v)
#define V_SWAP_PAIRS(v) _mm512_permute_ps(v, 0xb1)
#define V_LOAD_H(p) _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(p)))
#define V_STORE_H(p, v) _mm256_storeu_si256((__m256i *)(p), _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT))
#define V_HSUM(v) _mm512_reduce_add_ps(v)
#define V_HMAX(v) _mm512_reduce_max_ps(v)
#define V_FOLD8(v)                                                                                                    \
    _mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)))

SLM_TARGET_AVX512 static inline __m256 slm_avx512_hsum8x8(const __m256 a[8]) { return slm_avx2_hsum8x8(a); }

#include "ops_x86_body.h"

#endif
