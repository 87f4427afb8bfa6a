// The 5-bit formats (Q5_0, Q5_1) and the K-quants (Q4_K, Q5_K, Q6_K): their block layouts decoded into one common
// form (32 small integers, two scales and a min per 32 weights), the reference quantizers that write them, and the
// portable product. Layouts follow the GGUF format's block definitions (ggml's block_q5_0 ... block_q6_K).
#include "internal.h"

#include <math.h>

static int clamp_int(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

void slm_unpack32(slm_type type, const uint8_t *row, int64_t b, int8_t q[SLM_QK], float scale[2], float *min) {
    switch (type) {
    case SLM_TYPE_Q5_0:
    case SLM_TYPE_Q5_1: {
        const int has_min = type == SLM_TYPE_Q5_1;
        const uint8_t *blk = row + b * (has_min ? sizeof(slm_block_q5_1) : sizeof(slm_block_q5_0));
        float d = slm_half_to_float(slm_load_u16(blk));
        uint32_t qh = slm_load_u32(blk + (has_min ? 4 : 2));
        const uint8_t *qs = blk + (has_min ? 8 : 6);
        // Q5_0 centres its unsigned 5-bit values on 16; Q5_1 adds a min instead.
        const int offset = has_min ? 0 : 16;
        for (int j = 0; j < SLM_QK / 2; j++) {
            q[j] = (int8_t)(((qs[j] & 0x0f) | ((qh >> j) & 1) << 4) - offset);
            q[j + 16] = (int8_t)(((qs[j] >> 4) | ((qh >> (j + 16)) & 1) << 4) - offset);
        }
        scale[0] = scale[1] = d;
        *min = has_min ? slm_half_to_float(slm_load_u16(blk + 2)) : 0.0f;
        return;
    }
    case SLM_TYPE_Q4_K:
    case SLM_TYPE_Q5_K: {
        const int five = type == SLM_TYPE_Q5_K;
        const uint8_t *blk = row + (b / 8) * (five ? sizeof(slm_block_q5_K) : sizeof(slm_block_q4_K));
        const int j = (int)(b % 8);
        int sc, m;
        slm_kquant_scale_min(j, blk + 4, &sc, &m);
        // Sub-blocks 2c and 2c + 1 share 32 bytes of quants: low nibbles, then high nibbles.
        const uint8_t *qs = blk + (five ? 48 : 16) + 32 * (j / 2);
        const int shift = (j & 1) * 4;
        for (int l = 0; l < 32; l++) {
            int v = (qs[l] >> shift) & 0x0f;
            if (five) v |= ((blk[16 + l] >> j) & 1) << 4;
            q[l] = (int8_t)v;
        }
        scale[0] = scale[1] = slm_half_to_float(slm_load_u16(blk)) * (float)sc;
        *min = -slm_half_to_float(slm_load_u16(blk + 2)) * (float)m;
        return;
    }
    case SLM_TYPE_Q6_K: {
        const uint8_t *blk = row + (b / 8) * sizeof(slm_block_q6_K);
        const int h = (int)(b % 8) / 4;  // which half of 128 weights
        const int k = (int)(b % 4);      // which 32 of that half
        // A half's 64 bytes of low nibbles serve four runs of 32: bytes 0..31 low, 32..63 low, 0..31 high,
        // 32..63 high. Its 32 bytes of high bits hold two bits of each run, run k at bit 2k.
        const uint8_t *ql = blk + 64 * h + 32 * (k & 1);
        const uint8_t *qh = blk + 128 + 32 * h;
        const int8_t *sc = (const int8_t *)(blk + 192) + 8 * h + 2 * k;
        const int shift = (k >> 1) * 4;
        for (int l = 0; l < 32; l++) {
            int v = ((ql[l] >> shift) & 0x0f) | ((qh[l] >> (2 * k)) & 3) << 4;
            q[l] = (int8_t)(v - 32);
        }
        float d = slm_half_to_float(slm_load_u16(blk + 208));
        scale[0] = d * (float)sc[0];
        scale[1] = d * (float)sc[1];
        *min = 0.0f;
        return;
    }
    default:
        return;
    }
}

void slm_dequantize_row_unpacked(slm_type type, const void *src, float *dst, int64_t n) {
    int8_t q[SLM_QK];
    float scale[2], min;
    for (int64_t b = 0; b < n / SLM_QK; b++) {
        slm_unpack32(type, src, b, q, scale, &min);
        for (int i = 0; i < SLM_QK; i++) dst[b * SLM_QK + i] = scale[i / 16] * (float)q[i] + min;
    }
}

// ---- Reference quantizers ----

// Like Q4_0: the element of largest magnitude maps to -16.
static void quantize_block_q5_0(const float *x, uint8_t *blk) {
    float vmax = 0.0f;
    for (int j = 0; j < SLM_QK; j++) {
        if (fabsf(x[j]) > fabsf(vmax)) vmax = x[j];
    }
    uint16_t dh = slm_float_to_half(vmax / -16.0f);
    float d = slm_half_to_float(dh);
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    uint32_t qh = 0;
    memcpy(blk, &dh, 2);
    for (int j = 0; j < SLM_QK / 2; j++) {
        int lo = clamp_int((int)rintf(x[j] * id) + 16, 0, 31);
        int hi = clamp_int((int)rintf(x[j + 16] * id) + 16, 0, 31);
        blk[6 + j] = (uint8_t)((lo & 0x0f) | (hi & 0x0f) << 4);
        qh |= (uint32_t)(lo >> 4) << j | (uint32_t)(hi >> 4) << (j + 16);
    }
    memcpy(blk + 2, &qh, 4);
}

static void quantize_block_q5_1(const float *x, uint8_t *blk) {
    float vmin = x[0], vmax = x[0];
    for (int j = 1; j < SLM_QK; j++) {
        if (x[j] < vmin) vmin = x[j];
        if (x[j] > vmax) vmax = x[j];
    }
    uint16_t dh = slm_float_to_half((vmax - vmin) / 31.0f), mh = slm_float_to_half(vmin);
    float d = slm_half_to_float(dh), m = slm_half_to_float(mh);
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    uint32_t qh = 0;
    memcpy(blk, &dh, 2);
    memcpy(blk + 2, &mh, 2);
    for (int j = 0; j < SLM_QK / 2; j++) {
        int lo = clamp_int((int)rintf((x[j] - m) * id), 0, 31);
        int hi = clamp_int((int)rintf((x[j + 16] - m) * id), 0, 31);
        blk[8 + j] = (uint8_t)((lo & 0x0f) | (hi & 0x0f) << 4);
        qh |= (uint32_t)(lo >> 4) << j | (uint32_t)(hi >> 4) << (j + 16);
    }
    memcpy(blk + 4, &qh, 4);
}

// Q4_K and Q5_K: each sub-block's range [min(x, 0), max(x)] spread over 0..maxq; the sub-block scales and mins
// are then quantized to six bits against the super-block's d and dmin.
static void quantize_block_q45_K(const float *x, uint8_t *blk, int five) {
    const int maxq = five ? 31 : 15;
    float sub_scale[8], sub_min[8], max_scale = 0.0f, max_min = 0.0f;
    for (int j = 0; j < 8; j++) {
        float lo = 0.0f, hi = x[32 * j];
        for (int l = 0; l < 32; l++) {
            lo = fminf(lo, x[32 * j + l]);
            hi = fmaxf(hi, x[32 * j + l]);
        }
        sub_scale[j] = (hi - lo) / (float)maxq;
        sub_min[j] = -lo;
        max_scale = fmaxf(max_scale, sub_scale[j]);
        max_min = fmaxf(max_min, sub_min[j]);
    }
    uint16_t dh = slm_float_to_half(max_scale / 63.0f), mh = slm_float_to_half(max_min / 63.0f);
    float d = slm_half_to_float(dh), dmin = slm_half_to_float(mh);
    int sc[8], m[8];
    for (int j = 0; j < 8; j++) {
        sc[j] = d > 0.0f ? clamp_int((int)rintf(sub_scale[j] / d), 0, 63) : 0;
        m[j] = dmin > 0.0f ? clamp_int((int)rintf(sub_min[j] / dmin), 0, 63) : 0;
    }
    memcpy(blk, &dh, 2);
    memcpy(blk + 2, &mh, 2);
    uint8_t *scales = blk + 4;
    for (int j = 0; j < 4; j++) {
        scales[j] = (uint8_t)(sc[j] | (sc[j + 4] >> 4) << 6);
        scales[j + 4] = (uint8_t)(m[j] | (m[j + 4] >> 4) << 6);
        scales[j + 8] = (uint8_t)((sc[j + 4] & 0x0f) | (m[j + 4] & 0x0f) << 4);
    }
    uint8_t *qh = blk + 16;
    uint8_t *qs = blk + (five ? 48 : 16);
    if (five) memset(qh, 0, 32);
    memset(qs, 0, 128);
    for (int j = 0; j < 8; j++) {
        float step = d * (float)sc[j], offset = dmin * (float)m[j];
        float inv = step != 0.0f ? 1.0f / step : 0.0f;
        for (int l = 0; l < 32; l++) {
            int v = clamp_int((int)rintf((x[32 * j + l] + offset) * inv), 0, maxq);
            qs[32 * (j / 2) + l] |= (uint8_t)((v & 0x0f) << ((j & 1) * 4));
            if (five) qh[l] |= (uint8_t)((v >> 4) << j);
        }
    }
}

// Q6_K: each sub-block of 16 maps its element of largest magnitude to -32; the sub-block scales are quantized to
// signed 8 bits against d.
static void quantize_block_q6_K(const float *x, uint8_t *blk) {
    float sub_scale[16], max_scale = 0.0f;
    for (int j = 0; j < 16; j++) {
        float vmax = 0.0f;
        for (int l = 0; l < 16; l++) {
            if (fabsf(x[16 * j + l]) > fabsf(vmax)) vmax = x[16 * j + l];
        }
        sub_scale[j] = vmax / -32.0f;
        max_scale = fmaxf(max_scale, fabsf(sub_scale[j]));
    }
    uint16_t dh = slm_float_to_half(max_scale / 127.0f);
    float d = slm_half_to_float(dh);
    int8_t *scales = (int8_t *)(blk + 192);
    memset(blk, 0, 192);
    for (int j = 0; j < 16; j++) {
        scales[j] = (int8_t)(d > 0.0f ? clamp_int((int)rintf(sub_scale[j] / d), -128, 127) : 0);
    }
    memcpy(blk + 208, &dh, 2);
    for (int b = 0; b < 8; b++) {
        const int h = b / 4, k = b % 4;
        uint8_t *ql = blk + 64 * h + 32 * (k & 1);
        uint8_t *qh = blk + 128 + 32 * h;
        for (int l = 0; l < 32; l++) {
            float step = d * (float)scales[8 * h + 2 * k + l / 16];
            int v = step != 0.0f ? clamp_int((int)rintf(x[32 * b + l] / step) + 32, 0, 63) : 32;
            ql[l] |= (uint8_t)((v & 0x0f) << ((k >> 1) * 4));
            qh[l] |= (uint8_t)((v >> 4) << (2 * k));
        }
    }
}

void slm_quantize_row_unpacked(slm_type type, const float *src, void *dst, int64_t n) {
    uint8_t *out = dst;
    switch (type) {
    case SLM_TYPE_Q5_0:
        for (int64_t i = 0; i < n / SLM_QK; i++) quantize_block_q5_0(src + i * SLM_QK, out + i * 22);
        break;
    case SLM_TYPE_Q5_1:
        for (int64_t i = 0; i < n / SLM_QK; i++) quantize_block_q5_1(src + i * SLM_QK, out + i * 24);
        break;
    case SLM_TYPE_Q4_K:
        for (int64_t i = 0; i < n / SLM_QK_K; i++) quantize_block_q45_K(src + i * SLM_QK_K, out + i * 144, 0);
        break;
    case SLM_TYPE_Q5_K:
        for (int64_t i = 0; i < n / SLM_QK_K; i++) quantize_block_q45_K(src + i * SLM_QK_K, out + i * 176, 1);
        break;
    case SLM_TYPE_Q6_K:
        for (int64_t i = 0; i < n / SLM_QK_K; i++) quantize_block_q6_K(src + i * SLM_QK_K, out + i * 210);
        break;
    default:
        break;
    }
}

// ---- The portable product ----

// sum over the block of weight * activation = d_x (scale0 sum_0..15 q x + scale1 sum_16..31 q x) + min s_x.
void slm_scalar_matmul_unpacked(slm_type type, const void *w, size_t row_bytes, const slm_block_q8 *x, int64_t n,
                                float *y, int64_t ldy, int64_t row0, int64_t row1, int64_t ntok) {
    const int64_t nb = n / SLM_QK;
    int8_t q[SLM_QK];
    float scale[2], min;
    for (int64_t r = row0; r < row1; r++) {
        const uint8_t *row = (const uint8_t *)w + (size_t)r * row_bytes;
        for (int64_t t0 = 0; t0 < ntok; t0 += 8) {
            const int nt = (int)(ntok - t0 < 8 ? ntok - t0 : 8);
            float acc[8] = {0};
            for (int64_t b = 0; b < nb; b++) {
                slm_unpack32(type, row, b, q, scale, &min);
                for (int t = 0; t < nt; t++) {
                    const slm_block_q8 *xb = x + (t0 + t) * nb + b;
                    int s0 = 0, s1 = 0;
                    for (int i = 0; i < 16; i++) {
                        s0 += q[i] * xb->qs[i];
                        s1 += q[i + 16] * xb->qs[i + 16];
                    }
                    acc[t] += xb->d * (scale[0] * (float)s0 + scale[1] * (float)s1) + min * xb->s;
                }
            }
            for (int t = 0; t < nt; t++) y[(t0 + t) * ldy + r] = acc[t];
        }
    }
}
