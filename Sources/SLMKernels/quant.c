// Weight formats: quantizing and dequantizing rows, and the reference products every faster path is held to.
#include "internal.h"

#include <math.h>
#include <stdlib.h>

static float max_abs(const float *x, int n) {
    float m = 0.0f;
    for (int i = 0; i < n; i++) {
        float a = fabsf(x[i]);
        if (a > m) m = a;
    }
    return m;
}

static int clamp_int(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

// Q4_0 maps the element of largest magnitude to -8, so the sign of the scale follows it and the full range -8..7
// is used on the side where precision matters most. Quants are taken against the scale as stored (rounded to half)
// so that rounding of the scale does not add to the error.
static void quantize_block_q4_0(const float *x, slm_block_q4_0 *b) {
    float vmax = 0.0f;
    for (int j = 0; j < SLM_QK; j++) {
        if (fabsf(x[j]) > fabsf(vmax)) vmax = x[j];
    }
    uint16_t dh = slm_float_to_half(vmax / -8.0f);
    float d = slm_half_to_float(dh);
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    b->d = dh;
    for (int j = 0; j < SLM_QK / 2; j++) {
        int lo = clamp_int((int)rintf(x[j] * id) + 8, 0, 15);
        int hi = clamp_int((int)rintf(x[j + SLM_QK / 2] * id) + 8, 0, 15);
        b->qs[j] = (uint8_t)(lo | hi << 4);
    }
}

static void quantize_block_q4_1(const float *x, slm_block_q4_1 *b) {
    float vmin = x[0], vmax = x[0];
    for (int j = 1; j < SLM_QK; j++) {
        if (x[j] < vmin) vmin = x[j];
        if (x[j] > vmax) vmax = x[j];
    }
    uint16_t dh = slm_float_to_half((vmax - vmin) / 15.0f);
    uint16_t mh = slm_float_to_half(vmin);
    float d = slm_half_to_float(dh);
    float m = slm_half_to_float(mh);
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    b->d = dh;
    b->m = mh;
    for (int j = 0; j < SLM_QK / 2; j++) {
        int lo = clamp_int((int)rintf((x[j] - m) * id), 0, 15);
        int hi = clamp_int((int)rintf((x[j + SLM_QK / 2] - m) * id), 0, 15);
        b->qs[j] = (uint8_t)(lo | hi << 4);
    }
}

static void quantize_block_q8_0(const float *x, slm_block_q8_0 *b) {
    uint16_t dh = slm_float_to_half(max_abs(x, SLM_QK) / 127.0f);
    float d = slm_half_to_float(dh);
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    b->d = dh;
    for (int j = 0; j < SLM_QK; j++) b->qs[j] = (int8_t)clamp_int((int)rintf(x[j] * id), -127, 127);
}

void slm_quantize_row(slm_type type, const float *src, void *dst, int64_t n) {
    switch (type) {
    case SLM_TYPE_F32:
        memcpy(dst, src, (size_t)n * sizeof(float));
        break;
    case SLM_TYPE_F16: {
        uint16_t *h = dst;
        for (int64_t i = 0; i < n; i++) h[i] = slm_float_to_half(src[i]);
        break;
    }
    case SLM_TYPE_Q4_0:
        for (int64_t i = 0; i < n / SLM_QK; i++) quantize_block_q4_0(src + i * SLM_QK, (slm_block_q4_0 *)dst + i);
        break;
    case SLM_TYPE_Q4_1:
        for (int64_t i = 0; i < n / SLM_QK; i++) quantize_block_q4_1(src + i * SLM_QK, (slm_block_q4_1 *)dst + i);
        break;
    case SLM_TYPE_Q8_0:
        for (int64_t i = 0; i < n / SLM_QK; i++) quantize_block_q8_0(src + i * SLM_QK, (slm_block_q8_0 *)dst + i);
        break;
    default:
        slm_quantize_row_unpacked(type, src, dst, n);
        break;
    }
}

// Reads through memcpy: `src` may be a weight row at any 2-byte offset of a memory map.
void slm_dequantize_row(slm_type type, const void *src, float *dst, int64_t n) {
    const uint8_t *p = src;
    switch (type) {
    case SLM_TYPE_F32:
        memcpy(dst, src, (size_t)n * sizeof(float));
        break;
    case SLM_TYPE_F16:
        for (int64_t i = 0; i < n; i++) dst[i] = slm_half_to_float(slm_load_u16(p + 2 * i));
        break;
    case SLM_TYPE_Q4_0:
        for (int64_t i = 0; i < n / SLM_QK; i++, p += sizeof(slm_block_q4_0)) {
            float d = slm_half_to_float(slm_load_u16(p));
            const uint8_t *qs = p + 2;
            for (int j = 0; j < SLM_QK / 2; j++) {
                dst[i * SLM_QK + j] = (float)((qs[j] & 0x0f) - 8) * d;
                dst[i * SLM_QK + j + SLM_QK / 2] = (float)((qs[j] >> 4) - 8) * d;
            }
        }
        break;
    case SLM_TYPE_Q4_1:
        for (int64_t i = 0; i < n / SLM_QK; i++, p += sizeof(slm_block_q4_1)) {
            float d = slm_half_to_float(slm_load_u16(p));
            float m = slm_half_to_float(slm_load_u16(p + 2));
            const uint8_t *qs = p + 4;
            for (int j = 0; j < SLM_QK / 2; j++) {
                dst[i * SLM_QK + j] = (float)(qs[j] & 0x0f) * d + m;
                dst[i * SLM_QK + j + SLM_QK / 2] = (float)(qs[j] >> 4) * d + m;
            }
        }
        break;
    case SLM_TYPE_Q8_0:
        for (int64_t i = 0; i < n / SLM_QK; i++, p += sizeof(slm_block_q8_0)) {
            float d = slm_half_to_float(slm_load_u16(p));
            const int8_t *qs = (const int8_t *)(p + 2);
            for (int j = 0; j < SLM_QK; j++) dst[i * SLM_QK + j] = (float)qs[j] * d;
        }
        break;
    default:
        slm_dequantize_row_unpacked(type, src, dst, n);
        break;
    }
}

// The references work in double on dequantized values: independent of the integer formulation the kernels use
// (d_w*d_x*sum(q_w*q_x) + m_w*s_x), so a mistake there cannot hide in both.
void slm_matmul_q_ref(slm_type type, const void *w, size_t row_bytes, const slm_block_q8 *x, int64_t n, float *y,
                      int64_t ldy, int64_t row0, int64_t row1, int64_t ntok) {
    float *row = malloc((size_t)n * sizeof(float));
    if (row == NULL) return;
    const int64_t nb = n / SLM_QK;
    for (int64_t r = row0; r < row1; r++) {
        slm_dequantize_row(type, (const char *)w + (size_t)r * row_bytes, row, n);
        for (int64_t t = 0; t < ntok; t++) {
            const slm_block_q8 *xt = x + t * nb;
            double acc = 0.0;
            for (int64_t b = 0; b < nb; b++) {
                for (int j = 0; j < SLM_QK; j++) {
                    acc += (double)row[b * SLM_QK + j] * ((double)xt[b].d * (double)xt[b].qs[j]);
                }
            }
            y[t * ldy + r] = (float)acc;
        }
    }
    free(row);
}

void slm_matmul_f_ref(slm_type type, const void *w, size_t row_bytes, const float *x, int64_t ldx, int64_t n,
                      float *y, int64_t ldy, int64_t row0, int64_t row1, int64_t ntok) {
    float *row = malloc((size_t)n * sizeof(float));
    if (row == NULL) return;
    for (int64_t r = row0; r < row1; r++) {
        slm_dequantize_row(type, (const char *)w + (size_t)r * row_bytes, row, n);
        for (int64_t t = 0; t < ntok; t++) {
            double acc = 0.0;
            for (int64_t i = 0; i < n; i++) acc += (double)row[i] * (double)x[t * ldx + i];
            y[t * ldy + r] = (float)acc;
        }
    }
    free(row);
}

// The portable level. It uses the same integer formulation as the vector paths, in plain C.

void slm_scalar_quantize_row_q8(const float *x, slm_block_q8 *y, int64_t n) {
    for (int64_t i = 0; i < n / SLM_QK; i++) {
        const float *xb = x + i * SLM_QK;
        // The vector paths compute exactly these operations (divide, reciprocal, multiply, round to nearest even),
        // so every level produces the same bytes.
        float d = max_abs(xb, SLM_QK) / 127.0f;
        float id = d != 0.0f ? 1.0f / d : 0.0f;
        int sum = 0;
        for (int j = 0; j < SLM_QK; j++) {
            int q = (int)rintf(xb[j] * id);
            y[i].qs[j] = (int8_t)q;
            sum += q;
        }
        y[i].d = d;
        y[i].s = d * (float)sum;
    }
}

enum { SCALAR_TOK_TILE = 8 };

static int block_dot_q4(const uint8_t *qs, const int8_t *xq) {
    int s = 0;
    for (int j = 0; j < SLM_QK / 2; j++) s += (qs[j] & 0x0f) * xq[j] + (qs[j] >> 4) * xq[j + SLM_QK / 2];
    return s;
}

static int block_dot_q4_0(const uint8_t *qs, const int8_t *xq) {
    int s = 0;
    for (int j = 0; j < SLM_QK / 2; j++) {
        s += ((qs[j] & 0x0f) - 8) * xq[j] + ((qs[j] >> 4) - 8) * xq[j + SLM_QK / 2];
    }
    return s;
}

static int block_dot_q8(const int8_t *qs, const int8_t *xq) {
    int s = 0;
    for (int j = 0; j < SLM_QK; j++) s += qs[j] * xq[j];
    return s;
}

void slm_scalar_matmul_q(slm_type type, const void *w, size_t row_bytes, const slm_block_q8 *x, int64_t n, float *y,
                         int64_t ldy, int64_t row0, int64_t row1, int64_t ntok) {
    if (slm_type_is_unpacked(type)) {
        slm_scalar_matmul_unpacked(type, w, row_bytes, x, n, y, ldy, row0, row1, ntok);
        return;
    }
    const int64_t nb = n / SLM_QK;
    const size_t bsz = slm_type_block_bytes(type);
    for (int64_t r = row0; r < row1; r++) {
        const uint8_t *row = (const uint8_t *)w + (size_t)r * row_bytes;
        for (int64_t t0 = 0; t0 < ntok; t0 += SCALAR_TOK_TILE) {
            int nt = (int)(ntok - t0 < SCALAR_TOK_TILE ? ntok - t0 : SCALAR_TOK_TILE);
            float acc[SCALAR_TOK_TILE] = {0};
            for (int64_t b = 0; b < nb; b++) {
                const uint8_t *blk = row + (size_t)b * bsz;
                float d = slm_half_to_float(slm_load_u16(blk));
                for (int t = 0; t < nt; t++) {
                    const slm_block_q8 *xb = x + (t0 + t) * nb + b;
                    switch (type) {
                    case SLM_TYPE_Q4_0:
                        acc[t] += d * xb->d * (float)block_dot_q4_0(blk + 2, xb->qs);
                        break;
                    case SLM_TYPE_Q4_1: {
                        float m = slm_half_to_float(slm_load_u16(blk + 2));
                        acc[t] += d * xb->d * (float)block_dot_q4(blk + 4, xb->qs) + m * xb->s;
                        break;
                    }
                    case SLM_TYPE_Q8_0:
                        acc[t] += d * xb->d * (float)block_dot_q8((const int8_t *)(blk + 2), xb->qs);
                        break;
                    default:
                        break;
                    }
                }
            }
            for (int t = 0; t < nt; t++) y[(t0 + t) * ldy + r] = acc[t];
        }
    }
}

void slm_scalar_matmul_f(slm_type type, const void *w, size_t row_bytes, const float *x, int64_t ldx, int64_t n,
                         float *y, int64_t ldy, int64_t row0, int64_t row1, int64_t ntok) {
    for (int64_t r = row0; r < row1; r++) {
        const uint8_t *row = (const uint8_t *)w + (size_t)r * row_bytes;
        for (int64_t t = 0; t < ntok; t++) {
            const float *xt = x + t * ldx;
            float acc = 0.0f;
            if (type == SLM_TYPE_F32) {
                const float *wr = (const float *)row;
                for (int64_t i = 0; i < n; i++) acc += wr[i] * xt[i];
            } else {
                for (int64_t i = 0; i < n; i++) acc += slm_half_to_float(slm_load_u16(row + 2 * i)) * xt[i];
            }
            y[t * ldy + r] = acc;
        }
    }
}
