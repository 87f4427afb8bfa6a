// Run-time choice of the instruction-set level, and the public entry points, which forward to the table of that
// level. The binary is built for the baseline of its architecture; faster code is only ever reached through here.
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>

const slm_kernel_table slm_kernels_scalar = SLM_LEVEL_TABLE(slm_scalar);
#if defined(__x86_64__)
const slm_kernel_table slm_kernels_avx2 = SLM_LEVEL_TABLE(slm_avx2);
const slm_kernel_table slm_kernels_avx512 = SLM_LEVEL_TABLE(slm_avx512);
#endif
#if defined(SLM_HAVE_NEON)
const slm_kernel_table slm_kernels_neon = SLM_LEVEL_TABLE(slm_neon);
#endif

static slm_isa detect_best(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    // compiler-rt checks XGETBV as well, so these are false when the OS does not save the wider registers.
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) {
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni")) {
            return SLM_ISA_AVX512_VNNI;
        }
        return SLM_ISA_AVX2;
    }
    return SLM_ISA_SCALAR;
#elif defined(SLM_HAVE_NEON)
    return SLM_ISA_NEON;
#else
    return SLM_ISA_SCALAR;
#endif
}

static const slm_kernel_table *table_for(slm_isa isa) {
    switch (isa) {
#if defined(__x86_64__)
    case SLM_ISA_AVX512_VNNI:
        return &slm_kernels_avx512;
    case SLM_ISA_AVX2:
        return &slm_kernels_avx2;
#endif
#if defined(SLM_HAVE_NEON)
    case SLM_ISA_NEON:
        return &slm_kernels_neon;
#endif
    default:
        return &slm_kernels_scalar;
    }
}

// Levels are published with relaxed atomics: every table is immutable, so a racing reader sees either the old or
// the new one, both valid. -1 means not yet detected.
static int best_isa = -1;
static int active_isa = -1;
static const slm_kernel_table *active_table;

static slm_isa best(void) {
    int b = __atomic_load_n(&best_isa, __ATOMIC_RELAXED);
    if (b < 0) {
        b = (int)detect_best();
        __atomic_store_n(&best_isa, b, __ATOMIC_RELAXED);
    }
    return (slm_isa)b;
}

// The highest level at most `cap` that this machine runs: NEON and the x86 levels are not a single ladder.
static slm_isa level_under(slm_isa cap) {
    slm_isa b = best();
    if (b <= cap) return b;
#if defined(__x86_64__)
    if (cap >= SLM_ISA_AVX2) return SLM_ISA_AVX2;
#endif
    return SLM_ISA_SCALAR;
}

static void activate(slm_isa isa) {
    __atomic_store_n(&active_table, table_for(isa), __ATOMIC_RELEASE);
    __atomic_store_n(&active_isa, (int)isa, __ATOMIC_RELEASE);
}

static inline const slm_kernel_table *kernels(void) {
    const slm_kernel_table *k = __atomic_load_n(&active_table, __ATOMIC_ACQUIRE);
    if (__builtin_expect(k == NULL, 0)) {
        activate(best());
        k = __atomic_load_n(&active_table, __ATOMIC_ACQUIRE);
    }
    return k;
}

slm_isa slm_active_isa(void) {
    kernels();
    return (slm_isa)__atomic_load_n(&active_isa, __ATOMIC_ACQUIRE);
}

const char *slm_isa_name(slm_isa isa) {
    switch (isa) {
    case SLM_ISA_AVX512_VNNI:
        return "avx512vnni";
    case SLM_ISA_AVX2:
        return "avx2";
    case SLM_ISA_NEON:
        return "neon";
    default:
        return "scalar";
    }
}

slm_isa slm_set_isa_cap(slm_isa cap) {
    slm_isa isa = level_under(cap);
    activate(isa);
    return isa;
}

size_t slm_type_block_bytes(slm_type type) {
    switch (type) {
    case SLM_TYPE_F32:
        return 4;
    case SLM_TYPE_F16:
        return 2;
    case SLM_TYPE_Q4_0:
        return sizeof(slm_block_q4_0);
    case SLM_TYPE_Q4_1:
        return sizeof(slm_block_q4_1);
    case SLM_TYPE_Q8_0:
        return sizeof(slm_block_q8_0);
    case SLM_TYPE_Q5_0:
        return sizeof(slm_block_q5_0);
    case SLM_TYPE_Q5_1:
        return sizeof(slm_block_q5_1);
    case SLM_TYPE_Q4_K:
        return sizeof(slm_block_q4_K);
    case SLM_TYPE_Q5_K:
        return sizeof(slm_block_q5_K);
    case SLM_TYPE_Q6_K:
        return sizeof(slm_block_q6_K);
    }
    return 0;
}

int64_t slm_type_block_elems(slm_type type) {
    switch (type) {
    case SLM_TYPE_F32:
    case SLM_TYPE_F16:
        return 1;
    case SLM_TYPE_Q4_0:
    case SLM_TYPE_Q4_1:
    case SLM_TYPE_Q8_0:
    case SLM_TYPE_Q5_0:
    case SLM_TYPE_Q5_1:
        return SLM_QK;
    case SLM_TYPE_Q4_K:
    case SLM_TYPE_Q5_K:
    case SLM_TYPE_Q6_K:
        return SLM_QK_K;
    }
    return 0;
}

// Per-thread scratch, grown on demand and released by the key's destructor when the thread ends.
typedef struct {
    size_t cap;
    void *base;
} scratch_buf;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *p) {
    scratch_buf *s = p;
    free(s->base);
    free(s);
}

static void scratch_init(void) { pthread_key_create(&scratch_key, scratch_free); }

void *slm_thread_scratch(size_t bytes) {
    pthread_once(&scratch_once, scratch_init);
    scratch_buf *s = pthread_getspecific(scratch_key);
    if (s == NULL) {
        s = calloc(1, sizeof *s);
        if (s == NULL) return NULL;
        if (pthread_setspecific(scratch_key, s) != 0) {
            free(s);
            return NULL;
        }
    }
    if (s->cap < bytes) {
        size_t cap = bytes < 65536 ? 65536 : bytes + bytes / 4;
        cap = (cap + 63) & ~(size_t)63;
        void *p = NULL;
        if (posix_memalign(&p, 64, cap) != 0) return NULL;
        free(s->base);
        s->base = p;
        s->cap = cap;
    }
    return s->base;
}

// Public entry points.

void slm_quantize_row_q8(const float *x, slm_block_q8 *y, int64_t n) { kernels()->quantize_row_q8(x, y, n); }

void slm_matmul_q(slm_type type, const void *w, size_t row_bytes, const slm_block_q8 *x, int64_t n, float *y,
                  int64_t ldy, int64_t row0, int64_t row1, int64_t ntok) {
    if (row1 <= row0 || ntok <= 0 || n <= 0) return;
    if (type != SLM_TYPE_Q4_0 && type != SLM_TYPE_Q4_1 && type != SLM_TYPE_Q8_0 && !slm_type_is_unpacked(type)) return;
    if (n % slm_type_block_elems(type) != 0) return;
    kernels()->matmul_q(type, w, row_bytes, x, n, y, ldy, row0, row1, ntok);
}

void slm_matmul_f(slm_type type, const void *w, size_t row_bytes, const float *x, int64_t ldx, int64_t n, float *y,
                  int64_t ldy, int64_t row0, int64_t row1, int64_t ntok) {
    if (row1 <= row0 || ntok <= 0 || n <= 0) return;
    if (type != SLM_TYPE_F32 && type != SLM_TYPE_F16) return;
    kernels()->matmul_f(type, w, row_bytes, x, ldx, n, y, ldy, row0, row1, ntok);
}

float slm_dot_f32(const float *a, const float *b, int64_t n) { return kernels()->dot_f32(a, b, n); }

void slm_rmsnorm(float *out, const float *x, const float *w, int64_t n, float eps) {
    kernels()->rmsnorm(out, x, w, n, eps);
}

void slm_swiglu(float *out, const float *gate, const float *up, int64_t n) { kernels()->swiglu(out, gate, up, n); }

void slm_geglu(float *out, const float *gate, const float *up, int64_t n) { kernels()->geglu(out, gate, up, n); }

void slm_add(float *y, const float *x, int64_t n) { kernels()->add(y, x, n); }

void slm_softmax(float *x, int64_t n) { kernels()->softmax(x, n); }

void slm_rope_pairs(float *x, int64_t nheads, int64_t head_dim, const float *cos_sin) {
    kernels()->rope_pairs(x, nheads, head_dim, cos_sin);
}

void slm_f32_to_f16(const float *x, uint16_t *y, int64_t n) { kernels()->f32_to_f16(x, y, n); }

void slm_f16_to_f32(const uint16_t *x, float *y, int64_t n) { kernels()->f16_to_f32(x, y, n); }

void slm_attention_f16(const float *q, const uint16_t *k, const uint16_t *v, int64_t kv_stride, int64_t npos,
                       int64_t head_dim, float scale, float *scores, float *out) {
    kernels()->attention_f16(q, k, v, kv_stride, npos, head_dim, scale, scores, out);
}

void slm_attention_group_f16(const float *q, int64_t nq, const uint16_t *k, const uint16_t *v, int64_t kv_stride,
                             int64_t npos, int64_t head_dim, float scale, float *scores, float *out) {
    kernels()->attention_group_f16(q, nq, k, v, kv_stride, npos, head_dim, scale, scores, out);
}

// Thread names are a Linux (and BSD) extension of pthreads.
#if defined(__linux__)
#include <pthread.h>
int pthread_setname_np(pthread_t thread, const char *name);
#endif

void slm_name_current_thread(const char *name) {
#if defined(__linux__)
    pthread_setname_np(pthread_self(), name);
#else
    (void)name;
#endif
}
