// AArch64 NEON quantized products and activation quantization. Deliberately plain: one weight row at a time
// against up to four tokens, lanes along k, the same integer formulation as the portable level. With the dot
// product extension (vdotq_s32) a block is four instructions; without it, widening multiplies.
#include "internal.h"

#if defined(SLM_HAVE_NEON)

#include <arm_neon.h>

static inline float half_to_float(uint16_t h) {
    return vgetq_lane_f32(vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(h))), 0);
}

// acc + the sums of products of 16 signed bytes, four per lane.
static inline int32x4_t dot16(int32x4_t acc, int8x16_t a, int8x16_t b) {
#if defined(__ARM_FEATURE_DOTPROD)
    return vdotq_s32(acc, a, b);
#else
    // Each product fits int16 (|a b| <= 128 * 128); pairs are widened into the int32 lanes.
    acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(a), vget_low_s8(b)));
    return vpadalq_s16(acc, vmull_high_s8(a, b));
#endif
}

void slm_neon_quantize_row_q8(const float *x, slm_block_q8 *y, int64_t n) {
    for (int64_t i = 0; i < n / SLM_QK; i++) {
        const float *xb = x + i * SLM_QK;
        float32x4_t v[8];
        float32x4_t amax = vdupq_n_f32(0.0f);
        for (int j = 0; j < 8; j++) {
            v[j] = vld1q_f32(xb + 4 * j);
            amax = vmaxq_f32(amax, vabsq_f32(v[j]));
        }
        // The same operations as the portable level, so the bytes match: divide, reciprocal, multiply, and
        // round to nearest even.
        float d = vmaxvq_f32(amax) / 127.0f;
        float id = d != 0.0f ? 1.0f / d : 0.0f;
        int32x4_t q[8];
        int32x4_t sum = vdupq_n_s32(0);
        for (int j = 0; j < 8; j++) {
            q[j] = vcvtnq_s32_f32(vmulq_n_f32(v[j], id));
            sum = vaddq_s32(sum, q[j]);
        }
        for (int j = 0; j < 2; j++) {
            int16x8_t a = vcombine_s16(vqmovn_s32(q[4 * j]), vqmovn_s32(q[4 * j + 1]));
            int16x8_t b = vcombine_s16(vqmovn_s32(q[4 * j + 2]), vqmovn_s32(q[4 * j + 3]));
            vst1q_s8(y[i].qs + 16 * j, vcombine_s8(vqmovn_s16(a), vqmovn_s16(b)));
        }
        y[i].d = d;
        y[i].s = d * (float)vaddvq_s32(sum);
    }
}

// One weight row against T tokens; y is the output of (this row, first token).
static inline __attribute__((always_inline)) void neon_row(const int type, const uint8_t *row,
                                                           const slm_block_q8 *x, int64_t nb, float *y, int64_t ldy,
                                                           const int T) {
    const size_t bsz = type == SLM_TYPE_Q4_0 ? 18 : type == SLM_TYPE_Q4_1 ? 20 : 34;
    const uint8x16_t mask = vdupq_n_u8(0x0f);
    float32x4_t acc[4];
    float macc[4];
    for (int t = 0; t < T; t++) {
        acc[t] = vdupq_n_f32(0.0f);
        macc[t] = 0.0f;
    }
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *blk = row + b * bsz;
        const float d = half_to_float(slm_load_u16(blk));
        float m = 0.0f;
        int8x16_t w0, w1;
        if (type == SLM_TYPE_Q8_0) {
            w0 = vld1q_s8((const int8_t *)(blk + 2));
            w1 = vld1q_s8((const int8_t *)(blk + 18));
        } else {
            const uint8_t *qs = blk + (type == SLM_TYPE_Q4_1 ? 4 : 2);
            uint8x16_t q = vld1q_u8(qs);
            w0 = vreinterpretq_s8_u8(vandq_u8(q, mask));
            w1 = vreinterpretq_s8_u8(vshrq_n_u8(q, 4));
            if (type == SLM_TYPE_Q4_0) {
                w0 = vsubq_s8(w0, vdupq_n_s8(8));
                w1 = vsubq_s8(w1, vdupq_n_s8(8));
            } else {
                m = half_to_float(slm_load_u16(blk + 2));
            }
        }
        for (int t = 0; t < T; t++) {
            const slm_block_q8 *xb = x + t * nb + b;
            int32x4_t s = dot16(vdupq_n_s32(0), w0, vld1q_s8(xb->qs));
            s = dot16(s, w1, vld1q_s8(xb->qs + 16));
            acc[t] = vfmaq_n_f32(acc[t], vcvtq_f32_s32(s), d * xb->d);
            if (type == SLM_TYPE_Q4_1) macc[t] += m * xb->s;
        }
    }
    for (int t = 0; t < T; t++) y[t * ldy] = vaddvq_f32(acc[t]) + macc[t];
}

static inline __attribute__((always_inline)) void neon_matmul(const int type, const uint8_t *w, size_t rb,
                                                              const slm_block_q8 *x, int64_t nb, float *y,
                                                              int64_t ldy, int64_t row0, int64_t row1,
                                                              int64_t ntok) {
    for (int64_t r = row0; r < row1; r++) {
        const uint8_t *row = w + r * rb;
        int64_t t = 0;
        for (; t + 4 <= ntok; t += 4) neon_row(type, row, x + t * nb, nb, y + t * ldy + r, ldy, 4);
        for (; t < ntok; t++) neon_row(type, row, x + t * nb, nb, y + t * ldy + r, ldy, 1);
    }
}

void slm_neon_matmul_q(slm_type type, const void *w, size_t row_bytes, const slm_block_q8 *x, int64_t n, float *y,
                       int64_t ldy, int64_t row0, int64_t row1, int64_t ntok) {
    if (slm_type_is_unpacked(type)) {
        // No NEON kernel for these yet: the portable product.
        slm_scalar_matmul_unpacked(type, w, row_bytes, x, n, y, ldy, row0, row1, ntok);
        return;
    }
    const int64_t nb = n / SLM_QK;
    switch (type) {
    case SLM_TYPE_Q4_0:
        neon_matmul(SLM_TYPE_Q4_0, w, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    case SLM_TYPE_Q4_1:
        neon_matmul(SLM_TYPE_Q4_1, w, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    case SLM_TYPE_Q8_0:
        neon_matmul(SLM_TYPE_Q8_0, w, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    default:
        break;
    }
}

#endif
