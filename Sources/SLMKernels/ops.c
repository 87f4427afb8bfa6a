// Float primitives of a transformer layer, portable C. This level is the reference for the vector levels.
#include "internal.h"

#include <math.h>

float slm_scalar_dot_f32(const float *a, const float *b, int64_t n) {
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

void slm_scalar_rmsnorm(float *out, const float *x, const float *w, int64_t n, float eps) {
    float ss = 0.0f;
    for (int64_t i = 0; i < n; i++) ss += x[i] * x[i];
    float scale = 1.0f / sqrtf(ss / (float)n + eps);
    for (int64_t i = 0; i < n; i++) out[i] = x[i] * scale * w[i];
}

void slm_scalar_swiglu(float *out, const float *gate, const float *up, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        float g = gate[i];
        out[i] = g / (1.0f + expf(-g)) * up[i];
    }
}

void slm_scalar_geglu(float *out, const float *gate, const float *up, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        float g = gate[i];
        float z = g * (SLM_GELU_C1 + SLM_GELU_C2 * g * g);
        out[i] = g / (1.0f + expf(-z)) * up[i];
    }
}

void slm_scalar_add(float *y, const float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] += x[i];
}

void slm_scalar_softmax(float *x, int64_t n) {
    if (n <= 0) return;
    float mx = x[0];
    for (int64_t i = 1; i < n; i++) mx = x[i] > mx ? x[i] : mx;
    float sum = 0.0f;
    for (int64_t i = 0; i < n; i++) {
        x[i] = expf(x[i] - mx);
        sum += x[i];
    }
    float inv = 1.0f / sum;
    for (int64_t i = 0; i < n; i++) x[i] *= inv;
}

void slm_scalar_rope_pairs(float *x, int64_t nheads, int64_t head_dim, const float *cos_sin) {
    for (int64_t h = 0; h < nheads; h++) {
        float *xh = x + h * head_dim;
        for (int64_t i = 0; i < head_dim / 2; i++) {
            float c = cos_sin[2 * i], s = cos_sin[2 * i + 1];
            float a = xh[2 * i], b = xh[2 * i + 1];
            xh[2 * i] = a * c - b * s;
            xh[2 * i + 1] = a * s + b * c;
        }
    }
}

void slm_scalar_f32_to_f16(const float *x, uint16_t *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = slm_float_to_half(x[i]);
}

void slm_scalar_f16_to_f32(const uint16_t *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = slm_half_to_float(x[i]);
}

void slm_scalar_attention_f16(const float *q, const uint16_t *k, const uint16_t *v, int64_t kv_stride, int64_t npos,
                              int64_t head_dim, float scale, float *scores, float *out) {
    for (int64_t t = 0; t < npos; t++) {
        const uint16_t *kt = k + t * kv_stride;
        float s = 0.0f;
        for (int64_t i = 0; i < head_dim; i++) s += q[i] * slm_half_to_float(kt[i]);
        scores[t] = s * scale;
    }
    slm_scalar_softmax(scores, npos);
    for (int64_t i = 0; i < head_dim; i++) out[i] = 0.0f;
    for (int64_t t = 0; t < npos; t++) {
        const uint16_t *vt = v + t * kv_stride;
        float p = scores[t];
        for (int64_t i = 0; i < head_dim; i++) out[i] += p * slm_half_to_float(vt[i]);
    }
}

// Head by head, the simplest correct form (the x86 levels walk the cache in chunks shared by the heads).
void slm_scalar_attention_group_f16(const float *q, int64_t nq, const uint16_t *k, const uint16_t *v, int64_t kv_stride,
                                    int64_t npos, int64_t head_dim, float scale, float *scores, float *out) {
    for (int64_t h = 0; h < nq; h++) {
        slm_scalar_attention_f16(q + h * head_dim, k, v, kv_stride, npos, head_dim, scale, scores + h * npos,
                                 out + h * head_dim);
    }
}

// Rotation of the two halves of each head (the NeoX layout): not in the kernel table, since it costs a few hundred
// operations per head, against the tens of thousands of the products around it.
void slm_rope_halves(float *x, int64_t nheads, int64_t head_dim, const float *cos_sin) {
    const int64_t half = head_dim / 2;
    for (int64_t h = 0; h < nheads; h++) {
        float *v = x + h * head_dim;
        for (int64_t i = 0; i < half; i++) {
            float c = cos_sin[2 * i], s = cos_sin[2 * i + 1];
            float a = v[i], b = v[i + half];
            v[i] = a * c - b * s;
            v[i + half] = a * s + b * c;
        }
    }
}
