// AArch64 NEON quantized products and activation quantization. Deliberately plain: one weight row at a time
// against up to four tokens, lanes along k, the same integer formulation as the portable level, every format's
// blocks unpacked in registers first. With the dot product extension (vdotq_s32) a block is four instructions;
// without it, widening multiplies.
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

// Block b of a row as 32 signed quants in two registers (weights 0-15 and 16-31), a scale for each half and the
// block's min: the form of slm_unpack32, built in registers. Only Q6_K has two different scales; only Q4_1, Q5_1
// and the K-quants with mins have a min.
static inline __attribute__((always_inline)) void neon_unpack(const int type, const uint8_t *row, int64_t b,
                                                              int8x16_t *w0, int8x16_t *w1, float scale[2],
                                                              float *min) {
    const uint8x16_t low4 = vdupq_n_u8(0x0f);
    switch (type) {
    case SLM_TYPE_Q8_0: {
        const uint8_t *blk = row + b * 34;
        *w0 = vld1q_s8((const int8_t *)(blk + 2));
        *w1 = vld1q_s8((const int8_t *)(blk + 18));
        scale[0] = scale[1] = half_to_float(slm_load_u16(blk));
        *min = 0.0f;
        return;
    }
    case SLM_TYPE_Q4_0:
    case SLM_TYPE_Q4_1: {
        const int has_min = type == SLM_TYPE_Q4_1;
        const uint8_t *blk = row + b * (has_min ? 20 : 18);
        uint8x16_t q = vld1q_u8(blk + (has_min ? 4 : 2));
        // Q4_0 centres its values on 8; Q4_1 keeps them unsigned and has a min.
        const int8x16_t offset = vdupq_n_s8(has_min ? 0 : 8);
        *w0 = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(q, low4)), offset);
        *w1 = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(q, 4)), offset);
        scale[0] = scale[1] = half_to_float(slm_load_u16(blk));
        *min = has_min ? half_to_float(slm_load_u16(blk + 2)) : 0.0f;
        return;
    }
    case SLM_TYPE_Q5_0:
    case SLM_TYPE_Q5_1: {
        const int has_min = type == SLM_TYPE_Q5_1;
        const uint8_t *blk = row + b * (has_min ? 24 : 22);
        uint8x16_t qs = vld1q_u8(blk + (has_min ? 8 : 6));
        // The fifth bits: byte j of a half is 0x10 when bit j of its 16 bits of qh is set.
        static const uint8_t bit_of_byte[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
        const uint8x16_t bits = vld1q_u8(bit_of_byte);
        uint8x8_t qh = vcreate_u8((uint64_t)slm_load_u32(blk + (has_min ? 4 : 2)));
        uint8x16_t h0 = vtstq_u8(vcombine_u8(vdup_lane_u8(qh, 0), vdup_lane_u8(qh, 1)), bits);
        uint8x16_t h1 = vtstq_u8(vcombine_u8(vdup_lane_u8(qh, 2), vdup_lane_u8(qh, 3)), bits);
        uint8x16_t q0 = vorrq_u8(vandq_u8(qs, low4), vandq_u8(h0, vdupq_n_u8(0x10)));
        uint8x16_t q1 = vorrq_u8(vshrq_n_u8(qs, 4), vandq_u8(h1, vdupq_n_u8(0x10)));
        // Q5_0 centres its values on 16; Q5_1 keeps them unsigned and has a min.
        const int8x16_t offset = vdupq_n_s8(has_min ? 0 : 16);
        *w0 = vsubq_s8(vreinterpretq_s8_u8(q0), offset);
        *w1 = vsubq_s8(vreinterpretq_s8_u8(q1), offset);
        scale[0] = scale[1] = half_to_float(slm_load_u16(blk));
        *min = has_min ? half_to_float(slm_load_u16(blk + 2)) : 0.0f;
        return;
    }
    case SLM_TYPE_Q4_K:
    case SLM_TYPE_Q5_K: {
        const int five = type == SLM_TYPE_Q5_K;
        const uint8_t *blk = row + (b / 8) * (five ? 176 : 144);
        const int j = (int)(b % 8);
        int sc, m;
        slm_kquant_scale_min(j, blk + 4, &sc, &m);
        // Sub-blocks 2c and 2c + 1 share 32 bytes of quants: low nibbles, then high nibbles.
        const uint8_t *qs = blk + (five ? 48 : 16) + 32 * (j / 2);
        uint8x16_t q0 = vld1q_u8(qs), q1 = vld1q_u8(qs + 16);
        if (j & 1) {
            q0 = vshrq_n_u8(q0, 4);
            q1 = vshrq_n_u8(q1, 4);
        } else {
            q0 = vandq_u8(q0, low4);
            q1 = vandq_u8(q1, low4);
        }
        if (five) {
            // Bit j of each of the 32 high-bit bytes.
            const int8x16_t down = vdupq_n_s8((int8_t)-j);
            const uint8x16_t one = vdupq_n_u8(1);
            uint8x16_t h0 = vandq_u8(vshlq_u8(vld1q_u8(blk + 16), down), one);
            uint8x16_t h1 = vandq_u8(vshlq_u8(vld1q_u8(blk + 32), down), one);
            q0 = vorrq_u8(q0, vshlq_n_u8(h0, 4));
            q1 = vorrq_u8(q1, vshlq_n_u8(h1, 4));
        }
        *w0 = vreinterpretq_s8_u8(q0);
        *w1 = vreinterpretq_s8_u8(q1);
        scale[0] = scale[1] = half_to_float(slm_load_u16(blk)) * (float)sc;
        *min = -half_to_float(slm_load_u16(blk + 2)) * (float)m;
        return;
    }
    default: {  // SLM_TYPE_Q6_K
        const uint8_t *blk = row + (b / 8) * 210;
        const int h = (int)(b % 8) / 4, k = (int)(b % 4);
        // Four bits from the half's low-nibble bytes, two from its high-bit bytes (run k at bit 2k), minus 32.
        const uint8_t *ql = blk + 64 * h + 32 * (k & 1);
        const uint8_t *qh = blk + 128 + 32 * h;
        uint8x16_t l0 = vld1q_u8(ql), l1 = vld1q_u8(ql + 16);
        if (k >> 1) {
            l0 = vshrq_n_u8(l0, 4);
            l1 = vshrq_n_u8(l1, 4);
        } else {
            l0 = vandq_u8(l0, low4);
            l1 = vandq_u8(l1, low4);
        }
        const int8x16_t down = vdupq_n_s8((int8_t)(-2 * k));
        const uint8x16_t three = vdupq_n_u8(3);
        uint8x16_t h0 = vandq_u8(vshlq_u8(vld1q_u8(qh), down), three);
        uint8x16_t h1 = vandq_u8(vshlq_u8(vld1q_u8(qh + 16), down), three);
        const int8x16_t centre = vdupq_n_s8(32);
        *w0 = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(l0, vshlq_n_u8(h0, 4))), centre);
        *w1 = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(l1, vshlq_n_u8(h1, 4))), centre);
        const int8_t *sc = (const int8_t *)(blk + 192) + 8 * h + 2 * k;
        float d = half_to_float(slm_load_u16(blk + 208));
        scale[0] = d * (float)sc[0];
        scale[1] = d * (float)sc[1];
        *min = 0.0f;
        return;
    }
    }
}

// One weight row against T tokens, each block unpacked once for all of them; y is the output of (this row, first
// token).
static inline __attribute__((always_inline)) void neon_row(const int type, const uint8_t *row,
                                                           const slm_block_q8 *x, int64_t nb, float *y, int64_t ldy,
                                                           const int T) {
    const int two_scales = type == SLM_TYPE_Q6_K;
    const int has_min = type == SLM_TYPE_Q4_1 || type == SLM_TYPE_Q5_1 || type == SLM_TYPE_Q4_K ||
                        type == SLM_TYPE_Q5_K;
    float32x4_t acc[4];
    float macc[4];
    for (int t = 0; t < T; t++) {
        acc[t] = vdupq_n_f32(0.0f);
        macc[t] = 0.0f;
    }
    for (int64_t b = 0; b < nb; b++) {
        int8x16_t w0, w1;
        float scale[2], min;
        neon_unpack(type, row, b, &w0, &w1, scale, &min);
        for (int t = 0; t < T; t++) {
            const slm_block_q8 *xb = x + t * nb + b;
            if (two_scales) {
                int32x4_t s0 = dot16(vdupq_n_s32(0), w0, vld1q_s8(xb->qs));
                int32x4_t s1 = dot16(vdupq_n_s32(0), w1, vld1q_s8(xb->qs + 16));
                acc[t] = vfmaq_n_f32(acc[t], vcvtq_f32_s32(s0), scale[0] * xb->d);
                acc[t] = vfmaq_n_f32(acc[t], vcvtq_f32_s32(s1), scale[1] * xb->d);
            } else {
                int32x4_t s = dot16(vdupq_n_s32(0), w0, vld1q_s8(xb->qs));
                s = dot16(s, w1, vld1q_s8(xb->qs + 16));
                acc[t] = vfmaq_n_f32(acc[t], vcvtq_f32_s32(s), scale[0] * xb->d);
            }
            if (has_min) macc[t] += min * xb->s;
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
    const int64_t nb = n / SLM_QK;
    switch (type) {
    case SLM_TYPE_Q5_0:
        neon_matmul(SLM_TYPE_Q5_0, w, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    case SLM_TYPE_Q5_1:
        neon_matmul(SLM_TYPE_Q5_1, w, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    case SLM_TYPE_Q4_K:
        neon_matmul(SLM_TYPE_Q4_K, w, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    case SLM_TYPE_Q5_K:
        neon_matmul(SLM_TYPE_Q5_K, w, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    case SLM_TYPE_Q6_K:
        neon_matmul(SLM_TYPE_Q6_K, w, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
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
