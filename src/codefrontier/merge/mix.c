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
 * Overflow: an output element that is infinite or NaN where every input element is
 * finite means the coefficients pushed it past the dtype's range (alpha 1e38). Each
 * narrowed chunk is checked for non-finite values in the same loop (a reduction that
 * costs next to nothing); only when one is found are that chunk's inputs looked at, and
 * cf_mix returns 1 + the output's number, so the caller refuses the merge.
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

static inline int f32_bits_nonfinite(uint32_t u) { return (u & 0x7f800000u) == 0x7f800000u; }
static inline int bf16_bits_nonfinite(uint16_t h) { return (h & 0x7f80u) == 0x7f80u; }

/* Narrow to the output dtype; returns nonzero if any narrowed element is inf or NaN. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static int narrow(const float *acc, int dtype, long start, long n, void *dst) {
    unsigned bad = 0;
    if (dtype == DT_BF16) {
        uint16_t *d = (uint16_t *)dst + start;
        for (long i = 0; i < n; i++) {
            uint16_t h = f32_to_bf16(acc[i]);
            d[i] = h;
            bad |= (unsigned)bf16_bits_nonfinite(h);
        }
    } else {
        memcpy((float *)dst + start, acc, (size_t)n * sizeof(float));
        for (long i = 0; i < n; i++) {
            uint32_t u;
            memcpy(&u, &acc[i], 4);
            bad |= (unsigned)f32_bits_nonfinite(u);
        }
    }
    return bad != 0;
}

static int element_finite(const void *src, int dtype, long i) {
    if (dtype == DT_BF16) return !bf16_bits_nonfinite(((const uint16_t *)src)[i]);
    uint32_t u;
    memcpy(&u, (const float *)src + i, 4);
    return !f32_bits_nonfinite(u);
}

/* Whether some element of [start, start + n) of the output is non-finite while every
 * input element at the same place is finite. Only called on a chunk that has a
 * non-finite output element, so it may be slow. */
static int overflowed(int n_inputs, const void *const *inputs, int in_dtype, const void *out, int out_dtype,
                      long start, long n) {
    for (long i = start; i < start + n; i++) {
        if (out_dtype == DT_BF16 ? !bf16_bits_nonfinite(((const uint16_t *)out)[i])
                                 : element_finite(out, DT_F32, i))
            continue;
        int finite = 1;
        for (int j = 0; j < n_inputs && finite; j++) finite = element_finite(inputs[j], in_dtype, i);
        if (finite) return 1;
    }
    return 0;
}

/* inputs[n_inputs] of in_dtype, outputs[n_outputs] of out_dtype, all `count` elements;
 * weights[k * n_inputs + j] is output k's weight of input j (linear), or of the
 * difference input j - input 0 for j >= 1 (anchored; weights[k * n_inputs] unused).
 * Returns 0; -1 for arguments it does not handle (the caller uses torch instead); or
 * 1 + k when output k overflowed (non-finite where every input is finite). */
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
            if (narrow(acc, out_dtype, start, n, outputs[k]) &&
                overflowed(n_inputs, inputs, in_dtype, outputs[k], out_dtype, start, n))
                return 1 + k;
        }
    }
    return 0;
}
