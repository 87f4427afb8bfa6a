// AArch64 NEON float primitives, 4 lanes, with scalar tails.
#include "internal.h"

#if defined(SLM_HAVE_NEON)

#include <arm_neon.h>
#include <math.h>

// exp as in ops_x86_body.h: x = n ln2 + r, a degree-6 polynomial for e^r, 2^n through the exponent bits; saturates
// at e^88 and returns 0 below the smallest normal's logarithm.
static inline float32x4_t exp4(float32x4_t x) {
    float32x4_t xc = vminq_f32(x, vdupq_n_f32(88.0f));
    float32x4_t n = vrndnq_f32(vmulq_n_f32(xc, 1.44269504088896341f));
    float32x4_t r = vfmsq_f32(xc, n, vdupq_n_f32(0.693359375f));
    r = vfmsq_f32(r, n, vdupq_n_f32(-2.12194440e-4f));
    float32x4_t p = vdupq_n_f32(1.9875691500e-4f);
    p = vfmaq_f32(vdupq_n_f32(1.3981999507e-3f), p, r);
    p = vfmaq_f32(vdupq_n_f32(8.3334519073e-3f), p, r);
    p = vfmaq_f32(vdupq_n_f32(4.1665795894e-2f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.6666665459e-1f), p, r);
    p = vfmaq_f32(vdupq_n_f32(5.0000001201e-1f), p, r);
    float32x4_t y = vfmaq_f32(vaddq_f32(r, vdupq_n_f32(1.0f)), p, vmulq_f32(r, r));
    int32x4_t e = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127)), 23);
    y = vmulq_f32(y, vreinterpretq_f32_s32(e));
    uint32x4_t keep = vcgeq_f32(x, vdupq_n_f32(-87.33654475f));
    return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(y), keep));
}

static inline float32x4_t load_half4(const uint16_t *p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))); }

float slm_neon_dot_f32(const float *a, const float *b, int64_t n) {
    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0, s2 = s0, s3 = s0;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
        s1 = vfmaq_f32(s1, vld1q_f32(a + i + 4), vld1q_f32(b + i + 4));
        s2 = vfmaq_f32(s2, vld1q_f32(a + i + 8), vld1q_f32(b + i + 8));
        s3 = vfmaq_f32(s3, vld1q_f32(a + i + 12), vld1q_f32(b + i + 12));
    }
    for (; i + 4 <= n; i += 4) s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
    float s = vaddvq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

void slm_neon_rmsnorm(float *out, const float *x, const float *w, int64_t n, float eps) {
    float ss = slm_neon_dot_f32(x, x, n);
    float scale = 1.0f / sqrtf(ss / (float)n + eps);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(out + i, vmulq_f32(vmulq_n_f32(vld1q_f32(x + i), scale), vld1q_f32(w + i)));
    for (; i < n; i++) out[i] = x[i] * scale * w[i];
}

void slm_neon_swiglu(float *out, const float *gate, const float *up, int64_t n) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float32x4_t g = vld1q_f32(gate + i);
        float32x4_t e = exp4(vnegq_f32(g));
        vst1q_f32(out + i, vdivq_f32(vmulq_f32(g, vld1q_f32(up + i)), vaddq_f32(vdupq_n_f32(1.0f), e)));
    }
    for (; i < n; i++) {
        float g = gate[i];
        out[i] = g / (1.0f + expf(-g)) * up[i];
    }
}

void slm_neon_geglu(float *out, const float *gate, const float *up, int64_t n) {
    const float32x4_t one = vdupq_n_f32(1.0f), c1 = vdupq_n_f32(SLM_GELU_C1), c2 = vdupq_n_f32(SLM_GELU_C2);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float32x4_t g = vld1q_f32(gate + i);
        float32x4_t z = vmulq_f32(g, vfmaq_f32(c1, c2, vmulq_f32(g, g)));
        float32x4_t e = exp4(vnegq_f32(z));
        vst1q_f32(out + i, vdivq_f32(vmulq_f32(g, vld1q_f32(up + i)), vaddq_f32(one, e)));
    }
    for (; i < n; i++) {
        float g = gate[i];
        float z = g * (SLM_GELU_C1 + SLM_GELU_C2 * g * g);
        out[i] = g / (1.0f + expf(-z)) * up[i];
    }
}

void slm_neon_add(float *y, const float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vaddq_f32(vld1q_f32(y + i), vld1q_f32(x + i)));
    for (; i < n; i++) y[i] += x[i];
}

void slm_neon_softmax(float *x, int64_t n) {
    if (n <= 0) return;
    float mx = x[0];
    int64_t i = 0;
    if (n >= 4) {
        float32x4_t m = vld1q_f32(x);
        for (i = 4; i + 4 <= n; i += 4) m = vmaxq_f32(m, vld1q_f32(x + i));
        mx = vmaxvq_f32(m);
    }
    for (; i < n; i++) mx = x[i] > mx ? x[i] : mx;
    float32x4_t vmx = vdupq_n_f32(mx), acc = vdupq_n_f32(0.0f);
    for (i = 0; i + 4 <= n; i += 4) {
        float32x4_t e = exp4(vsubq_f32(vld1q_f32(x + i), vmx));
        vst1q_f32(x + i, e);
        acc = vaddq_f32(acc, e);
    }
    float sum = vaddvq_f32(acc);
    for (; i < n; i++) {
        x[i] = expf(x[i] - mx);
        sum += x[i];
    }
    float inv = 1.0f / sum;
    for (i = 0; i + 4 <= n; i += 4) vst1q_f32(x + i, vmulq_n_f32(vld1q_f32(x + i), inv));
    for (; i < n; i++) x[i] *= inv;
}

// vld2 splits pairs into even and odd lanes, which makes the rotation two plain multiply-adds per half.
void slm_neon_rope_pairs(float *x, int64_t nheads, int64_t head_dim, const float *cos_sin) {
    for (int64_t h = 0; h < nheads; h++) {
        float *xh = x + h * head_dim;
        int64_t i = 0;
        for (; i + 8 <= head_dim; i += 8) {
            float32x4x2_t v = vld2q_f32(xh + i);
            float32x4x2_t cs = vld2q_f32(cos_sin + i);
            float32x4x2_t o;
            o.val[0] = vfmsq_f32(vmulq_f32(v.val[0], cs.val[0]), v.val[1], cs.val[1]);
            o.val[1] = vfmaq_f32(vmulq_f32(v.val[0], cs.val[1]), v.val[1], cs.val[0]);
            vst2q_f32(xh + i, o);
        }
        for (; i + 1 < head_dim; i += 2) {
            float c = cos_sin[i], s = cos_sin[i + 1];
            float a = xh[i], b = xh[i + 1];
            xh[i] = a * c - b * s;
            xh[i + 1] = a * s + b * c;
        }
    }
}

void slm_neon_f32_to_f16(const float *x, uint16_t *y, int64_t n) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) vst1_u16(y + i, vreinterpret_u16_f16(vcvt_f16_f32(vld1q_f32(x + i))));
    for (; i < n; i++) y[i] = slm_float_to_half(x[i]);
}

void slm_neon_f16_to_f32(const uint16_t *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, load_half4(x + i));
    for (; i < n; i++) y[i] = slm_half_to_float(x[i]);
}

void slm_neon_attention_f16(const float *q, const uint16_t *k, const uint16_t *v, int64_t kv_stride, int64_t npos,
                            int64_t head_dim, float scale, float *scores, float *out) {
    const int64_t full = head_dim / 4 * 4;
    for (int64_t t = 0; t < npos; t++) {
        const uint16_t *kt = k + t * kv_stride;
        float32x4_t a = vdupq_n_f32(0.0f);
        for (int64_t i = 0; i < full; i += 4) a = vfmaq_f32(a, vld1q_f32(q + i), load_half4(kt + i));
        float s = vaddvq_f32(a);
        for (int64_t i = full; i < head_dim; i++) s += q[i] * slm_half_to_float(kt[i]);
        scores[t] = s * scale;
    }
    slm_neon_softmax(scores, npos);
    for (int64_t i = 0; i < full; i += 4) {
        float32x4_t o = vdupq_n_f32(0.0f);
        for (int64_t t = 0; t < npos; t++) o = vfmaq_n_f32(o, load_half4(v + t * kv_stride + i), scores[t]);
        vst1q_f32(out + i, o);
    }
    for (int64_t i = full; i < head_dim; i++) {
        float o = 0.0f;
        for (int64_t t = 0; t < npos; t++) o += scores[t] * slm_half_to_float(v[t * kv_stride + i]);
        out[i] = o;
    }
}

void slm_neon_matmul_f(slm_type type, const void *w, size_t row_bytes, const float *x, int64_t ldx, int64_t n,
                       float *y, int64_t ldy, int64_t row0, int64_t row1, int64_t ntok) {
    const int64_t full = n / 4 * 4;
    for (int64_t r = row0; r < row1; r++) {
        const uint8_t *row = (const uint8_t *)w + (size_t)r * row_bytes;
        for (int64_t t = 0; t < ntok; t++) {
            const float *xt = x + t * ldx;
            float32x4_t a = vdupq_n_f32(0.0f);
            float s;
            if (type == SLM_TYPE_F32) {
                const float *wr = (const float *)row;
                for (int64_t i = 0; i < full; i += 4) a = vfmaq_f32(a, vld1q_f32(wr + i), vld1q_f32(xt + i));
                s = vaddvq_f32(a);
                for (int64_t i = full; i < n; i++) s += wr[i] * xt[i];
            } else {
                const uint16_t *wr = (const uint16_t *)row;
                for (int64_t i = 0; i < full; i += 4) a = vfmaq_f32(a, load_half4(wr + i), vld1q_f32(xt + i));
                s = vaddvq_f32(a);
                for (int64_t i = full; i < n; i++) s += slm_half_to_float(wr[i]) * xt[i];
            }
            y[t * ldy + r] = s;
        }
    }
}

// Head by head, the simplest correct form (the x86 levels walk the cache in chunks shared by the heads).
void slm_neon_attention_group_f16(const float *q, int64_t nq, const uint16_t *k, const uint16_t *v, int64_t kv_stride,
                                  int64_t npos, int64_t head_dim, float scale, float *scores, float *out) {
    for (int64_t h = 0; h < nq; h++) {
        slm_neon_attention_f16(q + h * head_dim, k, v, kv_stride, npos, head_dim, scale, scores + h * npos,
                               out + h * head_dim);
    }
}

#endif
