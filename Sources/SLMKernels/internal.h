// Private to the kernel target: GGUF block layouts, the software half-float conversions of the portable path, and
// the table of implementations that the public entry points dispatch through.
#ifndef SLM_INTERNAL_H
#define SLM_INTERNAL_H

#include "SLMKernels.h"

#include <string.h>

// NEON code uses AArch64-only intrinsics (across-vector reductions, rounding conversions), so 32-bit ARM takes
// the portable path.
#if defined(__aarch64__) && defined(__ARM_NEON)
#define SLM_HAVE_NEON 1
#endif

// Weight blocks as GGUF stores them. Half floats are kept as raw bits: the byte layout is the contract, and rows of
// 18- or 20-byte blocks leave these structs only 2-byte aligned inside a memory map.
typedef struct {
    uint16_t d;
    uint8_t qs[SLM_QK / 2];
} slm_block_q4_0;

typedef struct {
    uint16_t d;
    uint16_t m;
    uint8_t qs[SLM_QK / 2];
} slm_block_q4_1;

typedef struct {
    uint16_t d;
    int8_t qs[SLM_QK];
} slm_block_q8_0;

// 5-bit formats: the fifth bit of element j is bit j of qh (little-endian), the low four as in Q4_0.
typedef struct {
    uint16_t d;
    uint8_t qh[4];
    uint8_t qs[SLM_QK / 2];
} slm_block_q5_0;

typedef struct {
    uint16_t d;
    uint16_t m;
    uint8_t qh[4];
    uint8_t qs[SLM_QK / 2];
} slm_block_q5_1;

// K-quants: super-blocks of 256. Q4_K and Q5_K hold eight sub-blocks of 32, each with a 6-bit scale and a 6-bit
// min packed into 12 bytes (value = d * scale * q - dmin * min); Q6_K holds sixteen sub-blocks of 16 with signed
// 8-bit scales (value = d * scale * (q - 32)).
typedef struct {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[12];
    uint8_t qs[SLM_QK_K / 2];
} slm_block_q4_K;

typedef struct {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[12];
    uint8_t qh[SLM_QK_K / 8];
    uint8_t qs[SLM_QK_K / 2];
} slm_block_q5_K;

typedef struct {
    uint8_t ql[SLM_QK_K / 2];
    uint8_t qh[SLM_QK_K / 4];
    int8_t scales[SLM_QK_K / 16];
    uint16_t d;
} slm_block_q6_K;

_Static_assert(sizeof(slm_block_q4_0) == 18, "Q4_0 block must be 18 bytes");
_Static_assert(sizeof(slm_block_q5_0) == 22, "Q5_0 block must be 22 bytes");
_Static_assert(sizeof(slm_block_q5_1) == 24, "Q5_1 block must be 24 bytes");
_Static_assert(sizeof(slm_block_q4_K) == 144, "Q4_K block must be 144 bytes");
_Static_assert(sizeof(slm_block_q5_K) == 176, "Q5_K block must be 176 bytes");
_Static_assert(sizeof(slm_block_q6_K) == 210, "Q6_K block must be 210 bytes");
_Static_assert(offsetof(slm_block_q6_K, d) == 208, "Q6_K scale follows the quants");
_Static_assert(sizeof(slm_block_q4_1) == 20, "Q4_1 block must be 20 bytes");
_Static_assert(sizeof(slm_block_q8_0) == 34, "Q8_0 block must be 34 bytes");
_Static_assert(sizeof(slm_block_q8) == 40, "activation block must be 40 bytes");
_Static_assert(offsetof(slm_block_q8, qs) == 8, "activation quants follow the two floats");

// Unaligned scalar loads. Weight rows sit at arbitrary 2-byte offsets, so every multi-byte read of weight memory
// goes through memcpy, which compilers turn into a plain load.
static inline uint16_t slm_load_u16(const void *p) {
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline uint32_t slm_load_u32(const void *p) {
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline float slm_bits_to_f32(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline uint32_t slm_f32_to_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

// IEEE binary16 -> binary32, exact for every input. Signalling NaNs come back quiet, as F16C and NEON return them.
static inline float slm_half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {
            // Subnormal half: every one is a normal float. Shift the leading one up to the implicit position.
            uint32_t e = 113;  // float exponent of 2^-14, the half subnormal scale, before normalisation
            while ((mant & 0x400u) == 0) {
                mant <<= 1;
                e--;
            }
            bits = sign | (e << 23) | ((mant & 0x3ffu) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13) | (mant ? 0x00400000u : 0u);
    } else {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    }
    return slm_bits_to_f32(bits);
}

// IEEE binary32 -> binary16, round to nearest even, with overflow to infinity and gradual underflow, matching the
// F16C and NEON conversions bit for bit on non-NaN inputs.
static inline uint16_t slm_float_to_half(float f) {
    uint32_t x = slm_f32_to_bits(f);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    x &= 0x7fffffffu;
    if (x >= 0x7f800000u) {
        if (x == 0x7f800000u) return sign | 0x7c00u;
        return sign | 0x7e00u | (uint16_t)((x >> 13) & 0x3ffu);
    }
    if (x >= 0x477ff000u) return sign | 0x7c00u;  // 65520 and up round past the largest half, 65504
    if (x < 0x38800000u) {
        // Below 2^-14 the half is subnormal: its mantissa is f / 2^-24 rounded to an integer, which may carry into
        // the smallest normal (0x400) and still encode correctly.
        uint32_t e = x >> 23;
        uint32_t shift = 126 - e;
        if (shift > 24) return sign;
        uint32_t m = (x & 0x7fffffu) | 0x800000u;
        uint32_t h = m >> shift;
        uint32_t rem = m & ((1u << shift) - 1);
        uint32_t half = 1u << (shift - 1);
        if (rem > half || (rem == half && (h & 1u))) h++;
        return sign | (uint16_t)h;
    }
    uint32_t h = ((x >> 23) - 112) << 10 | ((x >> 13) & 0x3ffu);
    uint32_t rem = x & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) h++;
    return sign | (uint16_t)h;
}

// Whether a type is one of the formats whose products go through slm_unpack32 (Q5_0, Q5_1 and the K-quants).
static inline int slm_type_is_unpacked(int type) {
    return type == SLM_TYPE_Q5_0 || type == SLM_TYPE_Q5_1 || type == SLM_TYPE_Q4_K || type == SLM_TYPE_Q5_K ||
           type == SLM_TYPE_Q6_K;
}

// Scale and min of sub-block j (0..7) of a Q4_K or Q5_K super-block: the first four sit in the low six bits of
// bytes j and j + 4; the last four take their low four bits from byte j + 4 (scale low nibble, min high nibble)
// and their top two from the spare high bits of bytes j - 4 (scale) and j (min).
static inline void slm_kquant_scale_min(int j, const uint8_t *sc, int *scale, int *min) {
    if (j < 4) {
        *scale = sc[j] & 63;
        *min = sc[j + 4] & 63;
    } else {
        *scale = (sc[j + 4] & 0x0f) | ((sc[j - 4] >> 6) << 4);
        *min = (sc[j + 4] >> 4) | ((sc[j] >> 6) << 4);
    }
}

// The 32 weights of block b (32-element block b of the row) as small integers and factors, the common form in
// which every level multiplies Q5_0, Q5_1 and the K-quants: weight i = scale[i / 16] * q[i] + min. q is within
// -32..31 (signed types) or 0..31.
void slm_unpack32(slm_type type, const uint8_t *row, int64_t b, int8_t q[SLM_QK], float scale[2], float *min);

// The unpacked formats' share of slm_dequantize_row, slm_quantize_row and the portable product (quant_k.c).
void slm_dequantize_row_unpacked(slm_type type, const void *src, float *dst, int64_t n);
void slm_quantize_row_unpacked(slm_type type, const float *src, void *dst, int64_t n);
void slm_scalar_matmul_unpacked(slm_type type, const void *w, size_t row_bytes, const slm_block_q8 *x, int64_t n,
                                float *y, int64_t ldy, int64_t row0, int64_t row1, int64_t ntok);
#if defined(__x86_64__)
// The x86 row kernels of the unpacked formats (matmul_x86_unpacked.c), AVX2 and AVX-512 VNNI.
void slm_x86_matmul_unpacked(slm_type type, const void *w, size_t row_bytes, const slm_block_q8 *x, int64_t n,
                             float *y, int64_t ldy, int64_t row0, int64_t row1, int64_t ntok);
void slm_x86_vnni_matmul_unpacked(slm_type type, const void *w, size_t row_bytes, const slm_block_q8 *x, int64_t n,
                                  float *y, int64_t ldy, int64_t row0, int64_t row1, int64_t ntok);
#endif

// GELU with the tanh approximation, 0.5 g (1 + tanh(sqrt(2/pi) (g + 0.044715 g^3))), is g * sigmoid(z) with
// z = 2 sqrt(2/pi) (g + 0.044715 g^3) = g (GELU_C1 + GELU_C2 g^2): the form the SiLU kernels already compute.
#define SLM_GELU_C1 1.5957691216057308f
#define SLM_GELU_C2 0.07135481627159035f

// One implementation of every entry point for one instruction-set level.
typedef struct {
    void (*quantize_row_q8)(const float *x, slm_block_q8 *y, int64_t n);
    void (*matmul_q)(slm_type type, const void *w, size_t row_bytes, const slm_block_q8 *x, int64_t n, float *y,
                     int64_t ldy, int64_t row0, int64_t row1, int64_t ntok);
    void (*matmul_f)(slm_type type, const void *w, size_t row_bytes, const float *x, int64_t ldx, int64_t n, float *y,
                     int64_t ldy, int64_t row0, int64_t row1, int64_t ntok);
    float (*dot_f32)(const float *a, const float *b, int64_t n);
    void (*rmsnorm)(float *out, const float *x, const float *w, int64_t n, float eps);
    void (*swiglu)(float *out, const float *gate, const float *up, int64_t n);
    void (*geglu)(float *out, const float *gate, const float *up, int64_t n);
    void (*add)(float *y, const float *x, int64_t n);
    void (*softmax)(float *x, int64_t n);
    void (*rope_pairs)(float *x, int64_t nheads, int64_t head_dim, const float *cos_sin);
    void (*f32_to_f16)(const float *x, uint16_t *y, int64_t n);
    void (*f16_to_f32)(const uint16_t *x, float *y, int64_t n);
    void (*attention_f16)(const float *q, const uint16_t *k, const uint16_t *v, int64_t kv_stride, int64_t npos,
                          int64_t head_dim, float scale, float *scores, float *out);
    void (*attention_group_f16)(const float *q, int64_t nq, const uint16_t *k, const uint16_t *v, int64_t kv_stride,
                                int64_t npos, int64_t head_dim, float scale, float *scores, float *out);
} slm_kernel_table;

// Every level defines the full set of functions under its own prefix; `SLM_LEVEL_TABLE` gathers them.
#define SLM_DECLARE_LEVEL(P)                                                                                          \
    void P##_quantize_row_q8(const float *x, slm_block_q8 *y, int64_t n);                                            \
    void P##_matmul_q(slm_type type, const void *w, size_t row_bytes, const slm_block_q8 *x, int64_t n, float *y,    \
                      int64_t ldy, int64_t row0, int64_t row1, int64_t ntok);                                        \
    void P##_matmul_f(slm_type type, const void *w, size_t row_bytes, const float *x, int64_t ldx, int64_t n,         \
                      float *y, int64_t ldy, int64_t row0, int64_t row1, int64_t ntok);                              \
    float P##_dot_f32(const float *a, const float *b, int64_t n);                                                    \
    void P##_rmsnorm(float *out, const float *x, const float *w, int64_t n, float eps);                             \
    void P##_swiglu(float *out, const float *gate, const float *up, int64_t n);                                      \
    void P##_geglu(float *out, const float *gate, const float *up, int64_t n);                                       \
    void P##_add(float *y, const float *x, int64_t n);                                                               \
    void P##_softmax(float *x, int64_t n);                                                                           \
    void P##_rope_pairs(float *x, int64_t nheads, int64_t head_dim, const float *cos_sin);                           \
    void P##_f32_to_f16(const float *x, uint16_t *y, int64_t n);                                                     \
    void P##_f16_to_f32(const uint16_t *x, float *y, int64_t n);                                                     \
    void P##_attention_f16(const float *q, const uint16_t *k, const uint16_t *v, int64_t kv_stride, int64_t npos,    \
                           int64_t head_dim, float scale, float *scores, float *out);                        \
    void P##_attention_group_f16(const float *q, int64_t nq, const uint16_t *k, const uint16_t *v,                   \
                                 int64_t kv_stride, int64_t npos, int64_t head_dim, float scale, float *scores,      \
                                 float *out);

#define SLM_LEVEL_TABLE(P)                                                                                            \
    {                                                                                                                 \
        P##_quantize_row_q8, P##_matmul_q, P##_matmul_f, P##_dot_f32, P##_rmsnorm, P##_swiglu, P##_geglu, P##_add,  \
            P##_softmax, P##_rope_pairs, P##_f32_to_f16, P##_f16_to_f32, P##_attention_f16, P##_attention_group_f16,  \
    }

SLM_DECLARE_LEVEL(slm_scalar)
extern const slm_kernel_table slm_kernels_scalar;

#if defined(__x86_64__)
// Per-function targets keep the rest of the binary at the architecture baseline.
#define SLM_TARGET_AVX2 __attribute__((target("avx2,fma,f16c")))
#define SLM_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c")))
SLM_DECLARE_LEVEL(slm_avx2)
SLM_DECLARE_LEVEL(slm_avx512)
extern const slm_kernel_table slm_kernels_avx2;
extern const slm_kernel_table slm_kernels_avx512;
#endif

#if defined(SLM_HAVE_NEON)
SLM_DECLARE_LEVEL(slm_neon)
extern const slm_kernel_table slm_kernels_neon;
#endif

// A per-thread buffer of at least `bytes`, 64-byte aligned, valid until the next call on the same thread. The
// prefill kernels repack activations into it; it is freed when the thread exits. NULL if allocation fails.
void *slm_thread_scratch(size_t bytes);

#endif
