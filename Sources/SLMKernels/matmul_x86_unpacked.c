// x86 row kernels of the 5-bit formats and the K-quants, for decode and the tokens the prefill kernel leaves over
// (matmul_x86.c runs those through its token lanes). Each 32-weight block is unpacked in registers into 32 small
// integers and per-lane scales (the form of slm_unpack32), then multiplied with up to four tokens' activations at
// once. AVX2 only: maddubs never saturates here, since a weight is at most 32 in magnitude and an activation at most
// 127 (pairs stay under 2^13).
#if defined(__x86_64__)

#include "matmul_x86_unpack.h"

enum { AHEAD = 4096 };

// Bytes of one storage block (a 32-weight block, or a K-quant super-block of eight) and 32-blocks per storage block.
static inline size_t storage_bytes(int type) {
    return type == SLM_TYPE_Q5_0 ? 22 : type == SLM_TYPE_Q5_1 ? 24 : type == SLM_TYPE_Q4_K ? 144
                                                                  : type == SLM_TYPE_Q5_K ? 176 : 210;
}
static inline int64_t storage_blocks(int type) { return type == SLM_TYPE_Q5_0 || type == SLM_TYPE_Q5_1 ? 1 : 8; }

#define TARGET SLM_TARGET_AVX2
#define FN(name) avx2_##name
#define DOT_U8S8(u, s) _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1))
#include "matmul_x86_unpacked_tile.h"
#undef TARGET
#undef FN
#undef DOT_U8S8

#define TARGET SLM_TARGET_AVX512
#define FN(name) vnni_##name
#define DOT_U8S8(u, s) _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s)
#include "matmul_x86_unpacked_tile.h"
#undef TARGET
#undef FN
#undef DOT_U8S8

SLM_TARGET_AVX2 void slm_x86_matmul_unpacked(slm_type type, const void *w, size_t row_bytes, const slm_block_q8 *x,
                                             int64_t n, float *y, int64_t ldy, int64_t row0, int64_t row1,
                                             int64_t ntok) {
    const int64_t nb = n / SLM_QK;
    const uint8_t *wb = w;
    switch (type) {
    case SLM_TYPE_Q5_0:
        avx2_matmul(SLM_TYPE_Q5_0, wb, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    case SLM_TYPE_Q5_1:
        avx2_matmul(SLM_TYPE_Q5_1, wb, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    case SLM_TYPE_Q4_K:
        avx2_matmul(SLM_TYPE_Q4_K, wb, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    case SLM_TYPE_Q5_K:
        avx2_matmul(SLM_TYPE_Q5_K, wb, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    case SLM_TYPE_Q6_K:
        avx2_matmul(SLM_TYPE_Q6_K, wb, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    default:
        break;
    }
}

SLM_TARGET_AVX512 void slm_x86_vnni_matmul_unpacked(slm_type type, const void *w, size_t row_bytes,
                                                  const slm_block_q8 *x, int64_t n, float *y, int64_t ldy,
                                                  int64_t row0, int64_t row1, int64_t ntok) {
    const int64_t nb = n / SLM_QK;
    const uint8_t *wb = w;
    switch (type) {
    case SLM_TYPE_Q5_0:
        vnni_matmul(SLM_TYPE_Q5_0, wb, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    case SLM_TYPE_Q5_1:
        vnni_matmul(SLM_TYPE_Q5_1, wb, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    case SLM_TYPE_Q4_K:
        vnni_matmul(SLM_TYPE_Q4_K, wb, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    case SLM_TYPE_Q5_K:
        vnni_matmul(SLM_TYPE_Q5_K, wb, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    case SLM_TYPE_Q6_K:
        vnni_matmul(SLM_TYPE_Q6_K, wb, row_bytes, x, nb, y, ldy, row0, row1, ntok);
        break;
    default:
        break;
    }
}

#endif
