// Parity of the NEON level with the portable reference, for an ARM64 build of the kernels run under emulation (or
// on a board). Every quantized format and the float primitives, over the shapes the x86 tests use: row ranges off
// tile boundaries, wide output strides, token counts on both sides of each tile. Prints one line per failure and
// a summary; exits non-zero on any failure.
#include "SLMKernels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x5eed5eedULL;

static float next_float(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (float)((rng_state >> 11) * (1.0 / 9007199254740992.0)) * 2.0f - 1.0f;
}

// Values whose magnitude varies from block to block, as activations and weights do.
static void block_scaled(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i += 32) {
        float scale = 0.05f + 4.0f * fabsf(next_float());
        for (int64_t j = i; j < i + 32 && j < n; j++) x[j] = scale * next_float();
    }
}

static int failures = 0, checks = 0;

static void compare(const char *what, const float *y, const float *ref, const float *magnitude, int64_t count,
                    float tolerance) {
    for (int64_t i = 0; i < count; i++) {
        checks++;
        float bound = tolerance * (magnitude ? magnitude[i] : fabsf(ref[i])) + 1e-6f;
        if (!(fabsf(y[i] - ref[i]) <= bound)) {
            if (failures < 20) printf("FAIL %s [%lld]: %g, reference %g\n", what, (long long)i, y[i], ref[i]);
            failures++;
        }
    }
}

enum { TOTAL_ROWS = 13, ROW0 = 3, ROW1 = 12, LDY = 18 };

static void check_quantized(slm_type type, const char *name) {
    const int64_t per = slm_type_block_elems(type);
    const int64_t widths_small[] = {32, 576, 1536}, widths_k[] = {256, 768, 2048};
    const int64_t *widths = per == 256 ? widths_k : widths_small;
    const int64_t tokens[] = {1, 2, 3, 4, 5, 8, 17};
    for (int wi = 0; wi < 3; wi++) {
        const int64_t n = widths[wi], nb = n / 32;
        const size_t rb = (size_t)(n / per) * slm_type_block_bytes(type);
        // Rows only 2-byte aligned, as inside a memory map.
        unsigned char *raw = malloc(TOTAL_ROWS * rb + 64);
        unsigned char *w = raw + 2;
        float *row = malloc(n * sizeof(float)), *dense = malloc(TOTAL_ROWS * n * sizeof(float));
        for (int r = 0; r < TOTAL_ROWS; r++) {
            block_scaled(row, n);
            slm_quantize_row(type, row, w + r * rb, n);
            slm_dequantize_row(type, w + r * rb, dense + r * n, n);
        }
        for (int ti = 0; ti < 7; ti++) {
            const int64_t ntok = tokens[ti];
            float *x = malloc(ntok * n * sizeof(float));
            slm_block_q8 *xq = malloc(ntok * nb * sizeof(slm_block_q8));
            block_scaled(x, ntok * n);
            for (int64_t t = 0; t < ntok; t++) slm_quantize_row_q8(x + t * n, xq + t * nb, n);
            float *ref = calloc(ntok * LDY, sizeof(float)), *y = calloc(ntok * LDY, sizeof(float));
            float *magnitude = calloc(ntok * LDY, sizeof(float));
            slm_matmul_q_ref(type, w, rb, xq, n, ref, LDY, ROW0, ROW1, ntok);
            for (int64_t t = 0; t < ntok; t++) {
                for (int r = ROW0; r < ROW1; r++) {
                    double m = 0;
                    for (int64_t k = 0; k < n; k++) {
                        const slm_block_q8 *b = xq + t * nb + k / 32;
                        m += fabs((double)dense[r * n + k] * b->d * b->qs[k % 32]);
                    }
                    magnitude[t * LDY + r] = (float)m;
                }
            }
            for (int level = 0; level < 2; level++) {
                slm_set_isa_cap(level == 0 ? SLM_ISA_SCALAR : SLM_ISA_NEON);
                for (int64_t i = 0; i < ntok * LDY; i++) y[i] = ref[i];
                slm_matmul_q(type, w, rb, xq, n, y, LDY, ROW0, ROW1, ntok);
                char what[96];
                snprintf(what, sizeof what, "%s %s n %lld ntok %lld", slm_isa_name(slm_active_isa()), name,
                         (long long)n, (long long)ntok);
                compare(what, y, ref, magnitude, ntok * LDY, 1e-4f);
            }
            free(x), free(xq), free(ref), free(y), free(magnitude);
        }
        free(raw), free(row), free(dense);
    }
}

static void check_ops(void) {
    enum { N = 1536, HEADS = 4, HEAD_DIM = 64, NPOS = 37 };
    float a[N], b[N], w[N], ref[N], out[N], cs[HEAD_DIM];
    block_scaled(a, N), block_scaled(b, N), block_scaled(w, N);
    for (int i = 0; i < HEAD_DIM / 2; i++) {
        float angle = 0.37f * (float)(i + 1);
        cs[2 * i] = cosf(angle), cs[2 * i + 1] = sinf(angle);
    }
    struct {
        const char *name;
        int op;
    } ops[] = {{"rmsnorm", 0}, {"swiglu", 1}, {"geglu", 2}, {"softmax", 3}, {"rope_pairs", 4},
               {"rope_halves", 5}, {"add", 6}, {"f16 round trip", 7}, {"attention", 8}, {"attention group", 9}};
    uint16_t k16[NPOS * HEAD_DIM], v16[NPOS * HEAD_DIM];
    slm_f32_to_f16(a, k16, NPOS * HEAD_DIM);
    slm_f32_to_f16(b, v16, NPOS * HEAD_DIM);
    float scores[4 * NPOS];
    for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++) {
        for (int level = 0; level < 2; level++) {
            slm_set_isa_cap(level == 0 ? SLM_ISA_SCALAR : SLM_ISA_NEON);
            float *dst = level == 0 ? ref : out;
            memcpy(dst, a, sizeof a);
            int64_t count = N;
            switch (ops[o].op) {
            case 0: slm_rmsnorm(dst, a, w, N, 1e-6f); break;
            case 1: slm_swiglu(dst, a, b, N); break;
            case 2: slm_geglu(dst, a, b, N); break;
            case 3: slm_softmax(dst, 300); count = 300; break;
            case 4: slm_rope_pairs(dst, HEADS, HEAD_DIM, cs); break;
            case 5: slm_rope_halves(dst, HEADS, HEAD_DIM, cs); break;
            case 6: slm_add(dst, b, N); break;
            case 7: {
                uint16_t h[N];
                slm_f32_to_f16(a, h, N);
                slm_f16_to_f32(h, dst, N);
                break;
            }
            case 8:
                slm_attention_f16(b, k16, v16, HEAD_DIM, NPOS, HEAD_DIM, 0.125f, scores, dst);
                count = HEAD_DIM;
                break;
            default:
                slm_attention_group_f16(b, 4, k16, v16, HEAD_DIM, NPOS, HEAD_DIM, 0.125f, scores, dst);
                count = 4 * HEAD_DIM;
                break;
            }
            if (level == 1) {
                char what[64];
                snprintf(what, sizeof what, "%s %s", slm_isa_name(slm_active_isa()), ops[o].name);
                compare(what, out, ref, NULL, count, 2e-5f);
            }
        }
    }
}

int main(void) {
    slm_set_isa_cap(SLM_ISA_NEON);
    if (slm_active_isa() != SLM_ISA_NEON) {
        printf("this build has no NEON level (%s)\n", slm_isa_name(slm_active_isa()));
        return 2;
    }
    const struct {
        slm_type type;
        const char *name;
    } types[] = {{SLM_TYPE_Q4_0, "Q4_0"}, {SLM_TYPE_Q4_1, "Q4_1"}, {SLM_TYPE_Q8_0, "Q8_0"}, {SLM_TYPE_Q5_0, "Q5_0"},
                 {SLM_TYPE_Q5_1, "Q5_1"}, {SLM_TYPE_Q4_K, "Q4_K"}, {SLM_TYPE_Q5_K, "Q5_K"}, {SLM_TYPE_Q6_K, "Q6_K"}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) check_quantized(types[i].type, types[i].name);
    check_ops();
    printf("%d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
