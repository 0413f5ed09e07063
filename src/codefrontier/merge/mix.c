/* The merge's arithmetic for bfloat16 and float32 tensors, fused: every output of a sweep
 * from one read of each input block, with no float32 arrays the size of the block.
 *
 * It computes exactly what engine.py's torch path computes, operation for operation:
 * inputs widened to float32 (exact); for the linear formula acc = x0*w0, then
 * acc = acc + xj*wj for j = 1.. in order; for the anchored formula dj = xj - x0 first,
 * then acc = x0 and acc = acc + dj*wj; each product and sum rounded to float32 (built
 * with -ffp-contract=off: no fused multiply-add), and the result rounded once to the
 * output dtype, to nearest, ties to even. A NaN result is written as 0xFFFF in
 * bfloat16, as torch's vectorized conversion writes it.
 *
 * Built at run time by codefrontier.native (gcc -O3 -ffp-contract=off -shared -fPIC).
 * target_clones gives AVX-512, AVX2 and baseline versions, chosen when loaded.
 */
#include <stdint.h>
#include <string.h>

#define CHUNK 1024 /* elements per pass over the outputs: inputs stay in L1/L2 */
#define MAX_INPUTS 16

enum { DT_BF16 = 0, DT_F32 = 1 };
enum { LINEAR = 0, ANCHORED = 1 };

static inline float bf16_to_f32(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static inline uint16_t f32_to_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return 0xffffu;
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

__attribute__((target_clones("avx512f", "avx2", "default")))
static void widen(const void *src, int dtype, long start, long n, float *dst) {
    if (dtype == DT_BF16) {
        const uint16_t *s = (const uint16_t *)src + start;
        for (long i = 0; i < n; i++) dst[i] = bf16_to_f32(s[i]);
    } else {
        memcpy(dst, (const float *)src + start, (size_t)n * sizeof(float));
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
static void subtract(float *x, const float *base, long n) {
    for (long i = 0; i < n; i++) x[i] = x[i] - base[i];
}

__attribute__((target_clones("avx512f", "avx2", "default")))
static void scale(float *acc, const float *x, float w, long n) {
    for (long i = 0; i < n; i++) acc[i] = x[i] * w;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
static void add_scaled(float *acc, const float *x, float w, long n) {
    for (long i = 0; i < n; i++) {
        float t = x[i] * w;
        acc[i] = acc[i] + t;
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
static void narrow(const float *acc, int dtype, long start, long n, void *dst) {
    if (dtype == DT_BF16) {
        uint16_t *d = (uint16_t *)dst + start;
        for (long i = 0; i < n; i++) d[i] = f32_to_bf16(acc[i]);
    } else {
        memcpy((float *)dst + start, acc, (size_t)n * sizeof(float));
    }
}

/* inputs[n_inputs] of in_dtype, outputs[n_outputs] of out_dtype, all `count` elements;
 * weights[k * n_inputs + j] is output k's weight of input j (linear), or of the
 * difference input j - input 0 for j >= 1 (anchored; weights[k * n_inputs] unused).
 * Returns 0, or -1 for arguments it does not handle (the caller uses torch instead). */
int cf_mix(int n_inputs, const void *const *inputs, int in_dtype, int n_outputs, void *const *outputs,
           int out_dtype, const float *weights, int formula, long count) {
    if (n_inputs < 1 || n_inputs > MAX_INPUTS || n_outputs < 0) return -1;
    if ((in_dtype != DT_BF16 && in_dtype != DT_F32) || (out_dtype != DT_BF16 && out_dtype != DT_F32)) return -1;
    if (formula != LINEAR && formula != ANCHORED) return -1;
    static __thread float x[MAX_INPUTS][CHUNK] __attribute__((aligned(64)));
    static __thread float acc[CHUNK] __attribute__((aligned(64)));
    for (long start = 0; start < count; start += CHUNK) {
        long n = count - start < CHUNK ? count - start : CHUNK;
        for (int j = 0; j < n_inputs; j++) widen(inputs[j], in_dtype, start, n, x[j]);
        if (formula == ANCHORED)
            for (int j = 1; j < n_inputs; j++) subtract(x[j], x[0], n);
        for (int k = 0; k < n_outputs; k++) {
            const float *w = weights + (long)k * n_inputs;
            if (formula == LINEAR) {
                scale(acc, x[0], w[0], n);
            } else {
                memcpy(acc, x[0], (size_t)n * sizeof(float));
            }
            for (int j = 1; j < n_inputs; j++) add_scaled(acc, x[j], w[j], n);
            narrow(acc, out_dtype, start, n, outputs[k]);
        }
    }
    return 0;
}
