// The engine's hot loops: quantized matrix products, activation quantization and the float primitives of a
// transformer layer. Every entry point picks its fastest implementation for the running CPU on first use
// (AVX-512 VNNI, AVX2+FMA+F16C, NEON, or the portable scalar path, which is also the reference the others are
// tested against).
#ifndef SLM_KERNELS_H
#define SLM_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "SLMSpin.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Weights per block of the 32-element formats (Q4_0 ... Q8_0), and per activation block.
#define SLM_QK 32
/// Weights per super-block of the K-quant formats (Q4_K, Q5_K, Q6_K).
#define SLM_QK_K 256

/// Tensor element types, numbered as GGUF numbers them.
typedef enum {
    SLM_TYPE_F32 = 0,
    SLM_TYPE_F16 = 1,
    SLM_TYPE_Q4_0 = 2,
    SLM_TYPE_Q4_1 = 3,
    SLM_TYPE_Q5_0 = 6,
    SLM_TYPE_Q5_1 = 7,
    SLM_TYPE_Q8_0 = 8,
    SLM_TYPE_Q4_K = 12,
    SLM_TYPE_Q5_K = 13,
    SLM_TYPE_Q6_K = 14,
} slm_type;

/// An activation block: 32 values as int8 with a float scale `d`, and `s = d * sum(qs)`, which the offset term of
/// Q4_1 weights needs. 40 bytes.
typedef struct {
    float d;
    float s;
    int8_t qs[SLM_QK];
} slm_block_q8;

/// Instruction-set levels, lowest first.
typedef enum {
    SLM_ISA_SCALAR = 0,
    SLM_ISA_NEON = 1,
    SLM_ISA_AVX2 = 2,
    SLM_ISA_AVX512_VNNI = 3,
} slm_isa;

/// The level in use: the best the CPU supports, unless capped by `slm_set_isa_cap`.
slm_isa slm_active_isa(void);
/// A short name of the level in use ("avx512vnni", "avx2", "neon", "scalar").
const char *slm_isa_name(slm_isa isa);
/// Caps the level (tests compare each level against the scalar reference). Returns the level now in use.
slm_isa slm_set_isa_cap(slm_isa cap);

/// Bytes of one block of `type` (for F32/F16: of one element) and elements per block (1 for F32/F16).
size_t slm_type_block_bytes(slm_type type);
int64_t slm_type_block_elems(slm_type type);

/// Quantizes `n` floats (n % 32 == 0) into n/32 activation blocks (scale = max|x| / 127, round to nearest).
void slm_quantize_row_q8(const float *x, slm_block_q8 *y, int64_t n);

/// Dequantizes one row of `n` elements of `type` into floats (the portable reference; also used for embedding rows).
void slm_dequantize_row(slm_type type, const void *src, float *dst, int64_t n);

/// Quantizes `n` floats into `type` (reference, for tests and for writing tiny models), in the GGUF block layouts
/// (scales and mins as IEEE half floats). The K-quants take n % 256 == 0 and choose their sub-block scales simply
/// (min and max of each sub-block), not by llama.cpp's error search: the layout is what matters here.
void slm_quantize_row(slm_type type, const float *src, void *dst, int64_t n);

/// Matrix times activations for block-quantized weights (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0; Q4_K, Q5_K, Q6_K with
/// n % 256 == 0):
///   y[t * ldy + r] = dot(row r of w, activation t)   for r in [row0, row1), t in [0, ntok)
/// Row r of w starts at (const char *)w + r * row_bytes and holds `n` weights (n % 32 == 0).
/// Activation t is x + t * (n / 32) blocks. Rows are the outer loop so that a weight block is read once per
/// group of tokens.
void slm_matmul_q(slm_type type, const void *w, size_t row_bytes, const slm_block_q8 *x, int64_t n, float *y,
                  int64_t ldy, int64_t row0, int64_t row1, int64_t ntok);

/// The same for F32 and F16 weights, with float activations: activation t is x + t * ldx.
void slm_matmul_f(slm_type type, const void *w, size_t row_bytes, const float *x, int64_t ldx, int64_t n, float *y,
                  int64_t ldy, int64_t row0, int64_t row1, int64_t ntok);

/// Scalar references of the two products above (dequantize, then dot in float), the oracle of the parity tests.
void slm_matmul_q_ref(slm_type type, const void *w, size_t row_bytes, const slm_block_q8 *x, int64_t n, float *y,
                      int64_t ldy, int64_t row0, int64_t row1, int64_t ntok);
void slm_matmul_f_ref(slm_type type, const void *w, size_t row_bytes, const float *x, int64_t ldx, int64_t n,
                      float *y, int64_t ldy, int64_t row0, int64_t row1, int64_t ntok);

/// Float primitives.
float slm_dot_f32(const float *a, const float *b, int64_t n);
/// out = x / rms(x) * w   (rms over n, with eps inside the square root). out may equal x.
void slm_rmsnorm(float *out, const float *x, const float *w, int64_t n, float eps);
/// out = silu(gate) * up. out may equal gate.
void slm_swiglu(float *out, const float *gate, const float *up, int64_t n);
/// out = gelu(gate) * up, GELU with the tanh approximation (Gemma's feed-forward). out may equal gate.
void slm_geglu(float *out, const float *gate, const float *up, int64_t n);
/// y += x
void slm_add(float *y, const float *x, int64_t n);
/// In-place softmax over n values.
void slm_softmax(float *x, int64_t n);

/// Rotary position embedding on `nheads` consecutive heads of `head_dim` floats, rotating adjacent pairs
/// (x[2i], x[2i+1]) by the angle whose cosine and sine are cos_sin[2i] and cos_sin[2i+1] (head_dim/2 pairs).
void slm_rope_pairs(float *x, int64_t nheads, int64_t head_dim, const float *cos_sin);

/// The same rotation in the NeoX layout: pair i of a head is (x[i], x[i + head_dim/2]).
void slm_rope_halves(float *x, int64_t nheads, int64_t head_dim, const float *cos_sin);

/// IEEE half <-> float rows.
void slm_f32_to_f16(const float *x, uint16_t *y, int64_t n);
void slm_f16_to_f32(const uint16_t *x, float *y, int64_t n);

/// Attention of one query head over `npos` cached positions with half-float keys and values:
///   score[t] = scale * dot(q, k + t * kv_stride); p = softmax(score); out = sum_t p[t] * (v + t * kv_stride)
/// `scores` is scratch for npos floats; `out` receives head_dim floats.
void slm_attention_f16(const float *q, const uint16_t *k, const uint16_t *v, int64_t kv_stride, int64_t npos,
                       int64_t head_dim, float scale, float *scores, float *out);

/// Grouped-query attention: `nq` query heads (q + h * head_dim) that share one KV head. The same results as nq calls
/// of slm_attention_f16 with scores + h * npos and out + h * head_dim, but each chunk of cached keys and values is
/// read once for all the heads. `scores` is scratch for nq * npos floats.
void slm_attention_group_f16(const float *q, int64_t nq, const uint16_t *k, const uint16_t *v, int64_t kv_stride,
                             int64_t npos, int64_t head_dim, float scale, float *scores, float *out);

/// Names the calling thread (at most 15 bytes are kept) where the platform allows, for tools such as top -H.
void slm_name_current_thread(const char *name);

#ifdef __cplusplus
}
#endif

#endif
