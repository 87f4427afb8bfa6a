// Interim scalar kernels until the tuned ones land.
#include "SLMKernels.h"
#include <math.h>
#include <string.h>
#include <stdlib.h>

static float h2f(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
    if (exp == 0) {
        if (mant == 0) bits = sign;
        else { float f = ldexpf((float)mant, -24); return sign ? -f : f; }
    } else if (exp == 31) bits = sign | 0x7f800000 | (mant << 13);
    else bits = sign | ((exp + 112) << 23) | (mant << 13);
    float f; memcpy(&f, &bits, 4); return f;
}
static uint16_t f2h(float f) { _Float16 h = (_Float16)f; uint16_t r; memcpy(&r, &h, 2); return r; }

slm_isa slm_active_isa(void) { return SLM_ISA_SCALAR; }
const char *slm_isa_name(slm_isa isa) { (void)isa; return "scalar"; }
slm_isa slm_set_isa_cap(slm_isa cap) { (void)cap; return SLM_ISA_SCALAR; }

void slm_quantize_row_q8(const float *x, slm_block_q8 *y, int64_t n) {
    for (int64_t b = 0; b < n / 32; b++) {
        float amax = 0; for (int i = 0; i < 32; i++) amax = fmaxf(amax, fabsf(x[b*32+i]));
        float d = amax / 127.f, id = d ? 1.f / d : 0; int sum = 0;
        for (int i = 0; i < 32; i++) { int q = (int)roundf(x[b*32+i] * id); y[b].qs[i] = q; sum += q; }
        y[b].d = getenv("MIMIC") ? h2f(f2h(d)) : d; y[b].s = getenv("MIMIC") ? h2f(f2h(d * sum)) : d * sum;
    }
}
void slm_dequantize_row(slm_type type, const void *src, float *dst, int64_t n) {
    const uint8_t *p = src;
    switch (type) {
    case SLM_TYPE_F32: memcpy(dst, src, n * 4); break;
    case SLM_TYPE_F16: for (int64_t i = 0; i < n; i++) { uint16_t h; memcpy(&h, p + 2*i, 2); dst[i] = h2f(h); } break;
    case SLM_TYPE_Q8_0: for (int64_t b = 0; b < n/32; b++) { uint16_t h; memcpy(&h, p + 34*b, 2); float d = h2f(h);
        for (int i = 0; i < 32; i++) dst[b*32+i] = d * (int8_t)p[34*b+2+i]; } break;
    case SLM_TYPE_Q4_0: for (int64_t b = 0; b < n/32; b++) { uint16_t h; memcpy(&h, p + 18*b, 2); float d = h2f(h);
        for (int i = 0; i < 16; i++) { dst[b*32+i] = d * ((p[18*b+2+i] & 15) - 8); dst[b*32+i+16] = d * ((p[18*b+2+i] >> 4) - 8); } } break;
    case SLM_TYPE_Q4_1: for (int64_t b = 0; b < n/32; b++) { uint16_t h, hm; memcpy(&h, p + 20*b, 2); memcpy(&hm, p + 20*b + 2, 2);
        float d = h2f(h), m = h2f(hm);
        for (int i = 0; i < 16; i++) { dst[b*32+i] = d * (p[20*b+4+i] & 15) + m; dst[b*32+i+16] = d * (p[20*b+4+i] >> 4) + m; } } break;
    }
}
void slm_matmul_q(slm_type type, const void *w, size_t row_bytes, const slm_block_q8 *x, int64_t n, float *y,
                  int64_t ldy, int64_t row0, int64_t row1, int64_t ntok) {
    float row[8192], act[8192];
    for (int64_t r = row0; r < row1; r++) {
        slm_dequantize_row(type, (const char *)w + r * row_bytes, row, n);
        for (int64_t t = 0; t < ntok; t++) {
            const slm_block_q8 *xb = x + t * (n / 32); float s = 0;
            for (int64_t i = 0; i < n; i++) act[i] = xb[i/32].d * xb[i/32].qs[i%32];
            for (int64_t i = 0; i < n; i++) s += row[i] * act[i];
            y[t * ldy + r] = s;
        }
    }
}
void slm_matmul_f(slm_type type, const void *w, size_t row_bytes, const float *x, int64_t ldx, int64_t n, float *y,
                  int64_t ldy, int64_t row0, int64_t row1, int64_t ntok) {
    float row[8192];
    for (int64_t r = row0; r < row1; r++) {
        slm_dequantize_row(type, (const char *)w + r * row_bytes, row, n);
        for (int64_t t = 0; t < ntok; t++) { float s = 0; for (int64_t i = 0; i < n; i++) s += row[i] * x[t*ldx+i]; y[t*ldy+r] = s; }
    }
}
float slm_dot_f32(const float *a, const float *b, int64_t n) { float s = 0; for (int64_t i = 0; i < n; i++) s += a[i]*b[i]; return s; }
void slm_rmsnorm(float *out, const float *x, const float *w, int64_t n, float eps) {
    double ss = 0; for (int64_t i = 0; i < n; i++) ss += x[i]*x[i];
    float sc = 1.f / sqrtf((float)(ss / n) + eps); for (int64_t i = 0; i < n; i++) out[i] = x[i] * sc * w[i];
}
void slm_swiglu(float *out, const float *g, const float *u, int64_t n) { for (int64_t i = 0; i < n; i++) out[i] = g[i] / (1.f + expf(-g[i])) * u[i]; }
void slm_add(float *y, const float *x, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] += x[i]; }
void slm_softmax(float *x, int64_t n) { float m = -INFINITY; for (int64_t i = 0; i < n; i++) m = fmaxf(m, x[i]);
    double s = 0; for (int64_t i = 0; i < n; i++) { x[i] = expf(x[i]-m); s += x[i]; } for (int64_t i = 0; i < n; i++) x[i] /= s; }
void slm_rope_pairs(float *x, int64_t nh, int64_t hd, const float *cs) {
    for (int64_t h = 0; h < nh; h++) for (int64_t i = 0; i < hd/2; i++) { float *p = x + h*hd + 2*i; float a = p[0], b = p[1];
        p[0] = a*cs[2*i] - b*cs[2*i+1]; p[1] = a*cs[2*i+1] + b*cs[2*i]; } }
void slm_f32_to_f16(const float *x, uint16_t *y, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] = f2h(x[i]); }
void slm_f16_to_f32(const uint16_t *x, float *y, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] = h2f(x[i]); }
void slm_attention_f16(const float *q, const uint16_t *k, const uint16_t *v, int64_t kv_stride, int64_t npos,
                       int64_t hd, float scale, float *scores, float *out) {
    for (int64_t t = 0; t < npos; t++) { float s = 0; for (int64_t i = 0; i < hd; i++) s += (getenv("MIMIC2") ? h2f(f2h(q[i])) : q[i]) * h2f(k[t*kv_stride+i]); scores[t] = s * scale; }
    slm_softmax(scores, npos);
    for (int64_t i = 0; i < hd; i++) out[i] = 0;
    for (int64_t t = 0; t < npos; t++) for (int64_t i = 0; i < hd; i++) out[i] += (getenv("MIMIC2") ? h2f(f2h(scores[t])) : scores[t]) * h2f(v[t*kv_stride+i]);
}
