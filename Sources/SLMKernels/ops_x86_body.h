// Float primitives written once against a small vector vocabulary and compiled twice by ops_x86.c: with 8-lane
// AVX2 registers and with 16-lane AVX-512 registers. Not a public header; included only there.
//
// The including file defines TARGET, W (lanes), FN(name), VF and the V_* operations.

// exp with a relative error of a few ulp, by the classic reduction x = n*ln2 + r, |r| <= ln2/2, and a degree-6
// polynomial for e^r. Inputs above 88 saturate at e^88 so that 2^n stays a normal float; inputs below the smallest
// normal's logarithm give 0.
TARGET static inline VF FN(exp)(VF x) {
    const VF hi = V_SET1(88.0f);
    const VF lo = V_SET1(-87.33654475f);
    VF xc = V_MIN(x, hi);
    VF n = V_ROUND(V_MUL(xc, V_SET1(1.44269504088896341f)));
    VF r = V_FNMA(n, V_SET1(0.693359375f), xc);
    r = V_FNMA(n, V_SET1(-2.12194440e-4f), r);
    VF p = V_SET1(1.9875691500e-4f);
    p = V_FMA(p, r, V_SET1(1.3981999507e-3f));
    p = V_FMA(p, r, V_SET1(8.3334519073e-3f));
    p = V_FMA(p, r, V_SET1(4.1665795894e-2f));
    p = V_FMA(p, r, V_SET1(1.6666665459e-1f));
    p = V_FMA(p, r, V_SET1(5.0000001201e-1f));
    VF y = V_FMA(p, V_MUL(r, r), V_ADD(r, V_SET1(1.0f)));
    return V_ZERO_BELOW(V_MUL(y, V_EXP2I(n)), x, lo);
}

TARGET float FN(dot_f32)(const float *a, const float *b, int64_t n) {
    VF s0 = V_ZERO(), s1 = V_ZERO(), s2 = V_ZERO(), s3 = V_ZERO();
    int64_t i = 0;
    for (; i + 4 * W <= n; i += 4 * W) {
        s0 = V_FMA(V_LOAD(a + i), V_LOAD(b + i), s0);
        s1 = V_FMA(V_LOAD(a + i + W), V_LOAD(b + i + W), s1);
        s2 = V_FMA(V_LOAD(a + i + 2 * W), V_LOAD(b + i + 2 * W), s2);
        s3 = V_FMA(V_LOAD(a + i + 3 * W), V_LOAD(b + i + 3 * W), s3);
    }
    for (; i + W <= n; i += W) s0 = V_FMA(V_LOAD(a + i), V_LOAD(b + i), s0);
    float s = V_HSUM(V_ADD(V_ADD(s0, s1), V_ADD(s2, s3)));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

TARGET void FN(rmsnorm)(float *out, const float *x, const float *w, int64_t n, float eps) {
    float ss = FN(dot_f32)(x, x, n);
    float scale = 1.0f / sqrtf(ss / (float)n + eps);
    VF vs = V_SET1(scale);
    int64_t i = 0;
    for (; i + W <= n; i += W) V_STORE(out + i, V_MUL(V_MUL(V_LOAD(x + i), vs), V_LOAD(w + i)));
    for (; i < n; i++) out[i] = x[i] * scale * w[i];
}

TARGET void FN(swiglu)(float *out, const float *gate, const float *up, int64_t n) {
    const VF one = V_SET1(1.0f);
    int64_t i = 0;
    for (; i + W <= n; i += W) {
        VF g = V_LOAD(gate + i);
        VF e = FN(exp)(V_SUB(V_ZERO(), g));
        V_STORE(out + i, V_DIV(V_MUL(g, V_LOAD(up + i)), V_ADD(one, e)));
    }
    for (; i < n; i++) {
        float g = gate[i];
        out[i] = g / (1.0f + expf(-g)) * up[i];
    }
}

TARGET void FN(geglu)(float *out, const float *gate, const float *up, int64_t n) {
    const VF one = V_SET1(1.0f), c1 = V_SET1(SLM_GELU_C1), c2 = V_SET1(SLM_GELU_C2);
    int64_t i = 0;
    for (; i + W <= n; i += W) {
        VF g = V_LOAD(gate + i);
        VF z = V_MUL(g, V_FMA(c2, V_MUL(g, g), c1));
        VF e = FN(exp)(V_SUB(V_ZERO(), z));
        V_STORE(out + i, V_DIV(V_MUL(g, V_LOAD(up + i)), V_ADD(one, e)));
    }
    for (; i < n; i++) {
        float g = gate[i];
        float z = g * (SLM_GELU_C1 + SLM_GELU_C2 * g * g);
        out[i] = g / (1.0f + expf(-z)) * up[i];
    }
}

TARGET void FN(add)(float *y, const float *x, int64_t n) {
    int64_t i = 0;
    for (; i + W <= n; i += W) V_STORE(y + i, V_ADD(V_LOAD(y + i), V_LOAD(x + i)));
    for (; i < n; i++) y[i] += x[i];
}

TARGET void FN(softmax)(float *x, int64_t n) {
    if (n <= 0) return;
    float mx = x[0];
    int64_t i = 0;
    if (n >= W) {
        VF m = V_LOAD(x);
        for (i = W; i + W <= n; i += W) m = V_MAX(m, V_LOAD(x + i));
        mx = V_HMAX(m);
    }
    for (; i < n; i++) mx = x[i] > mx ? x[i] : mx;

    VF vmx = V_SET1(mx);
    VF acc = V_ZERO();
    for (i = 0; i + W <= n; i += W) {
        VF e = FN(exp)(V_SUB(V_LOAD(x + i), vmx));
        V_STORE(x + i, e);
        acc = V_ADD(acc, e);
    }
    float sum = V_HSUM(acc);
    for (; i < n; i++) {
        x[i] = expf(x[i] - mx);
        sum += x[i];
    }

    float inv = 1.0f / sum;
    VF vinv = V_SET1(inv);
    for (i = 0; i + W <= n; i += W) V_STORE(x + i, V_MUL(V_LOAD(x + i), vinv));
    for (; i < n; i++) x[i] *= inv;
}

// Pairs sit in adjacent lanes, and so do their cosine and sine; fmaddsub subtracts in even lanes and adds in odd
// ones, which is exactly the rotation: (a c - b s, b c + a s).
TARGET void FN(rope_pairs)(float *x, int64_t nheads, int64_t head_dim, const float *cos_sin) {
    for (int64_t h = 0; h < nheads; h++) {
        float *xh = x + h * head_dim;
        int64_t i = 0;
        for (; i + W <= head_dim; i += W) {
            VF v = V_LOAD(xh + i);
            VF cs = V_LOAD(cos_sin + i);
            VF sw = V_SWAP_PAIRS(v);
            V_STORE(xh + i, V_FMADDSUB(v, V_DUP_EVEN(cs), V_MUL(sw, V_DUP_ODD(cs))));
        }
        for (; i + 1 < head_dim; i += 2) {
            float c = cos_sin[i], s = cos_sin[i + 1];
            float a = xh[i], b = xh[i + 1];
            xh[i] = a * c - b * s;
            xh[i + 1] = a * s + b * c;
        }
    }
}

TARGET void FN(f32_to_f16)(const float *x, uint16_t *y, int64_t n) {
    int64_t i = 0;
    for (; i + W <= n; i += W) V_STORE_H(y + i, V_LOAD(x + i));
    for (; i < n; i++) y[i] = slm_float_to_half(x[i]);
}

TARGET void FN(f16_to_f32)(const uint16_t *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + W <= n; i += W) V_STORE(y + i, V_LOAD_H(x + i));
    for (; i < n; i++) y[i] = slm_half_to_float(x[i]);
}

// scores[t] = scale * q · k[t] for t in [t0, t1).
TARGET static void FN(attention_scores)(const float *q, const uint16_t *k, int64_t kv_stride, int64_t t0, int64_t t1,
                                        int64_t head_dim, float scale, float *scores) {
    const int64_t full = head_dim / W * W;
    // Scores eight positions at a time: one transposing reduction yields all eight sums, where reducing each
    // position's register on its own would cost as much as its dot product.
    int64_t t = t0;
    for (; t + 8 <= t1; t += 8) {
        const uint16_t *kt = k + t * kv_stride;
        VF a[8];
        for (int j = 0; j < 8; j++) a[j] = V_ZERO();
        for (int64_t i = 0; i < full; i += W) {
            VF qi = V_LOAD(q + i);
            for (int j = 0; j < 8; j++) a[j] = V_FMA(qi, V_LOAD_H(kt + j * kv_stride + i), a[j]);
        }
        __m256 part[8];
        for (int j = 0; j < 8; j++) part[j] = V_FOLD8(a[j]);
        _mm256_storeu_ps(scores + t, _mm256_mul_ps(FN(hsum8x8)(part), _mm256_set1_ps(scale)));
        for (int64_t i = full; i < head_dim; i++) {
            for (int j = 0; j < 8; j++) scores[t + j] += scale * q[i] * slm_half_to_float(k[(t + j) * kv_stride + i]);
        }
    }
    for (; t < t1; t++) {
        const uint16_t *kt = k + t * kv_stride;
        VF a = V_ZERO();
        for (int64_t i = 0; i < full; i += W) a = V_FMA(V_LOAD(q + i), V_LOAD_H(kt + i), a);
        float s = V_HSUM(a);
        for (int64_t i = full; i < head_dim; i++) s += q[i] * slm_half_to_float(kt[i]);
        scores[t] = s * scale;
    }
}

// out = (accumulate ? out : 0) + sum over t in [t0, t1) of p[t] * v[t].
TARGET static void FN(attention_values)(const float *scores, const uint16_t *v, int64_t kv_stride, int64_t t0,
                                        int64_t t1, int64_t head_dim, int accumulate, float *out) {
    // Output lanes in groups of four registers held across all positions: each value row is read once per group,
    // and with head_dim = 64 a group covers a whole cache line of halves. Even and odd positions accumulate
    // separately so that consecutive multiply-adds into one register do not wait on each other.
    const int64_t full = head_dim / W * W;
    int64_t i0 = 0;
    for (; i0 + 4 * W <= full; i0 += 4 * W) {
        VF e[4];
        for (int j = 0; j < 4; j++) e[j] = accumulate ? V_LOAD(out + i0 + j * W) : V_ZERO();
        VF o[4] = {V_ZERO(), V_ZERO(), V_ZERO(), V_ZERO()};
        int64_t t = t0;
        for (; t + 2 <= t1; t += 2) {
            const uint16_t *v0 = v + t * kv_stride + i0, *v1 = v0 + kv_stride;
            VF p0 = V_SET1(scores[t]), p1 = V_SET1(scores[t + 1]);
            for (int j = 0; j < 4; j++) {
                e[j] = V_FMA(p0, V_LOAD_H(v0 + j * W), e[j]);
                o[j] = V_FMA(p1, V_LOAD_H(v1 + j * W), o[j]);
            }
        }
        if (t < t1) {
            const uint16_t *v0 = v + t * kv_stride + i0;
            for (int j = 0; j < 4; j++) e[j] = V_FMA(V_SET1(scores[t]), V_LOAD_H(v0 + j * W), e[j]);
        }
        for (int j = 0; j < 4; j++) V_STORE(out + i0 + j * W, V_ADD(e[j], o[j]));
    }
    for (; i0 < full; i0 += W) {
        VF o = accumulate ? V_LOAD(out + i0) : V_ZERO();
        for (int64_t t = t0; t < t1; t++) o = V_FMA(V_SET1(scores[t]), V_LOAD_H(v + t * kv_stride + i0), o);
        V_STORE(out + i0, o);
    }
    for (int64_t i = full; i < head_dim; i++) {
        float o = accumulate ? out[i] : 0.0f;
        for (int64_t t = t0; t < t1; t++) o += scores[t] * slm_half_to_float(v[t * kv_stride + i]);
        out[i] = o;
    }
}

TARGET void FN(attention_f16)(const float *q, const uint16_t *k, const uint16_t *v, int64_t kv_stride, int64_t npos,
                              int64_t head_dim, float scale, float *scores, float *out) {
    FN(attention_scores)(q, k, kv_stride, 0, npos, head_dim, scale, scores);
    FN(softmax)(scores, npos);
    FN(attention_values)(scores, v, kv_stride, 0, npos, head_dim, 0, out);
}

// The query heads of a group share their keys and values. Walking the positions in chunks that stay in L1 and
// serving every head from a chunk before moving on reads the cache from memory once per group instead of once per
// head: at long contexts the KV cache is larger than L2, and this read is what attention costs.
TARGET void FN(attention_group_f16)(const float *q, int64_t nq, const uint16_t *k, const uint16_t *v,
                                    int64_t kv_stride, int64_t npos, int64_t head_dim, float scale, float *scores,
                                    float *out) {
    enum { CHUNK = 64 };
    for (int64_t t0 = 0; t0 < npos; t0 += CHUNK) {
        int64_t t1 = t0 + CHUNK < npos ? t0 + CHUNK : npos;
        for (int64_t h = 0; h < nq; h++) {
            FN(attention_scores)(q + h * head_dim, k, kv_stride, t0, t1, head_dim, scale, scores + h * npos);
        }
    }
    for (int64_t h = 0; h < nq; h++) FN(softmax)(scores + h * npos, npos);
    for (int64_t t0 = 0; t0 < npos; t0 += CHUNK) {
        int64_t t1 = t0 + CHUNK < npos ? t0 + CHUNK : npos;
        for (int64_t h = 0; h < nq; h++) {
            FN(attention_values)(scores + h * npos, v, kv_stride, t0, t1, head_dim, t0 > 0, out + h * head_dim);
        }
    }
}

// One weight row against T tokens: each weight vector is loaded (and for F16 converted) once for all of them.
TARGET static inline __attribute__((always_inline)) void FN(matf_row)(slm_type type, const uint8_t *row,
                                                                       const float *x, int64_t ldx, int64_t n,
                                                                       float *y, int64_t ldy, const int T) {
    VF acc[4] = {V_ZERO(), V_ZERO(), V_ZERO(), V_ZERO()};
    int64_t i = 0;
    if (type == SLM_TYPE_F32) {
        const float *wr = (const float *)row;
        for (; i + W <= n; i += W) {
            VF wv = V_LOAD(wr + i);
            for (int t = 0; t < T; t++) acc[t] = V_FMA(wv, V_LOAD(x + t * ldx + i), acc[t]);
        }
    } else {
        const uint16_t *wr = (const uint16_t *)row;
        for (; i + W <= n; i += W) {
            VF wv = V_LOAD_H(wr + i);
            for (int t = 0; t < T; t++) acc[t] = V_FMA(wv, V_LOAD(x + t * ldx + i), acc[t]);
        }
    }
    for (int t = 0; t < T; t++) {
        float s = V_HSUM(acc[t]);
        for (int64_t j = i; j < n; j++) {
            float wj = type == SLM_TYPE_F32 ? ((const float *)row)[j] : slm_half_to_float(slm_load_u16(row + 2 * j));
            s += wj * x[t * ldx + j];
        }
        y[t * ldy] = s;
    }
}

TARGET void FN(matmul_f)(slm_type type, const void *w, size_t row_bytes, const float *x, int64_t ldx, int64_t n,
                         float *y, int64_t ldy, int64_t row0, int64_t row1, int64_t ntok) {
    for (int64_t r = row0; r < row1; r++) {
        const uint8_t *row = (const uint8_t *)w + (size_t)r * row_bytes;
        int64_t t = 0;
        for (; t + 4 <= ntok; t += 4) FN(matf_row)(type, row, x + t * ldx, ldx, n, y + t * ldy + r, ldy, 4);
        switch (ntok - t) {
        case 3:
            FN(matf_row)(type, row, x + t * ldx, ldx, n, y + t * ldy + r, ldy, 3);
            break;
        case 2:
            FN(matf_row)(type, row, x + t * ldx, ldx, n, y + t * ldy + r, ldy, 2);
            break;
        case 1:
            FN(matf_row)(type, row, x + t * ldx, ldx, n, y + t * ldy + r, ldy, 1);
            break;
        default:
            break;
        }
    }
}
