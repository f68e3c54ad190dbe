/* fe_vec_x86.h — the vector helpers of the x86 paths, written once for any vector width.
 *
 * Not a public header: fe_updates_avx2.c (8 floats a vector) and fe_updates_avx512.c (16)
 * define the width and the operations below for their instruction set, then include this
 * file and fe_updates.h, so each set of updates inlines the helpers of its own width.
 *
 *   FE_W                   floats in a vector
 *   fe_vec, fe_mask        the vector type, and the lane mask of a partial last block
 *   FE_ZERO() FE_SET1(a)   all lanes 0 / a
 *   FE_LOAD(p) FE_STORE(p, v) FE_FMA(a, b, c) = a * b + c    (unaligned loads and stores)
 *   FE_HSUM(v)             the sum of the lanes
 *   FE_TAIL(rem)           the mask of the first rem (< FE_W) lanes
 *   FE_LOAD_TAIL(p, m)     the masked lanes of p, 0 elsewhere (reads nothing past them)
 *   FE_STORE_TAIL(p, v, m, rem)  stores the first rem lanes of v (writes nothing past them)
 *
 * A row of any length is processed in whole vectors and one masked partial vector, with no
 * scalar tail loop: with dim = 100 such a loop cost a fifth of all instructions.
 */

static inline float vec_dot(const float *x, const float *y, int64_t n)
{
    fe_vec a0 = FE_ZERO(), a1 = FE_ZERO();
    int64_t i = 0;
    /* two accumulators: two independent chains of FMAs, whose latency bounds the loop */
    for (; i + 2 * FE_W <= n; i += 2 * FE_W) {
        a0 = FE_FMA(FE_LOAD(x + i), FE_LOAD(y + i), a0);
        a1 = FE_FMA(FE_LOAD(x + i + FE_W), FE_LOAD(y + i + FE_W), a1);
    }
    for (; i + FE_W <= n; i += FE_W) a0 = FE_FMA(FE_LOAD(x + i), FE_LOAD(y + i), a0);
    if (i < n) {
        fe_mask m = FE_TAIL(n - i);
        a1 = FE_FMA(FE_LOAD_TAIL(x + i, m), FE_LOAD_TAIL(y + i, m), a1);
    }
    return FE_HSUM(FE_ADD(a0, a1));
}

static inline void vec_axpy(float a, const float *x, float *y, int64_t n)
{
    fe_vec va = FE_SET1(a);
    int64_t i = 0;
    for (; i + FE_W <= n; i += FE_W) FE_STORE(y + i, FE_FMA(va, FE_LOAD(x + i), FE_LOAD(y + i)));
    if (i < n) {
        fe_mask m = FE_TAIL(n - i);
        fe_vec r = FE_FMA(va, FE_LOAD_TAIL(x + i, m), FE_LOAD_TAIL(y + i, m));
        FE_STORE_TAIL(y + i, r, m, n - i);
    }
}

/* out[j] = x . y[j] for j < m: x is loaded once per block for up to four rows at a time. */
static inline void vec_dot_many(const float *x, float *const *y, int32_t m, float *out, int64_t n)
{
    int32_t j = 0;
    for (; j + 4 <= m; j += 4) {
        const float *y0 = y[j], *y1 = y[j + 1], *y2 = y[j + 2], *y3 = y[j + 3];
        fe_vec a0 = FE_ZERO(), a1 = a0, a2 = a0, a3 = a0;
        int64_t i = 0;
        for (; i + FE_W <= n; i += FE_W) {
            fe_vec v = FE_LOAD(x + i);
            a0 = FE_FMA(v, FE_LOAD(y0 + i), a0);
            a1 = FE_FMA(v, FE_LOAD(y1 + i), a1);
            a2 = FE_FMA(v, FE_LOAD(y2 + i), a2);
            a3 = FE_FMA(v, FE_LOAD(y3 + i), a3);
        }
        if (i < n) {
            fe_mask mk = FE_TAIL(n - i);
            fe_vec v = FE_LOAD_TAIL(x + i, mk);
            a0 = FE_FMA(v, FE_LOAD_TAIL(y0 + i, mk), a0);
            a1 = FE_FMA(v, FE_LOAD_TAIL(y1 + i, mk), a1);
            a2 = FE_FMA(v, FE_LOAD_TAIL(y2 + i, mk), a2);
            a3 = FE_FMA(v, FE_LOAD_TAIL(y3 + i, mk), a3);
        }
        out[j] = FE_HSUM(a0);
        out[j + 1] = FE_HSUM(a1);
        out[j + 2] = FE_HSUM(a2);
        out[j + 3] = FE_HSUM(a3);
    }
    for (; j < m; j++) out[j] = vec_dot(x, y[j], n);
}

/* y = (overwrite ? 0 : y) + sum_j a[j] * x[j]: y is loaded and stored once per block
 * instead of once per term. Overwrite mode is only used on scratch rows, which have room for
 * a whole last block (fe_scratch_row): writing it whole lets the next read of the row take
 * its data straight from the store. */
static inline void vec_axpy_many(const float *a, float *const *x, int32_t m, float *y, int64_t n,
                                 int overwrite)
{
    int64_t i = 0;
    /* two blocks per pass: two independent chains of FMAs instead of one, whose latency
     * (not the arithmetic) bounded the loop */
    for (; i + 2 * FE_W <= n; i += 2 * FE_W) {
        fe_vec acc0 = overwrite ? FE_ZERO() : FE_LOAD(y + i);
        fe_vec acc1 = overwrite ? FE_ZERO() : FE_LOAD(y + i + FE_W);
        for (int32_t j = 0; j < m; j++) {
            fe_vec aj = FE_SET1(a[j]);
            acc0 = FE_FMA(aj, FE_LOAD(x[j] + i), acc0);
            acc1 = FE_FMA(aj, FE_LOAD(x[j] + i + FE_W), acc1);
        }
        FE_STORE(y + i, acc0);
        FE_STORE(y + i + FE_W, acc1);
    }
    for (; i + FE_W <= n; i += FE_W) {
        fe_vec acc = overwrite ? FE_ZERO() : FE_LOAD(y + i);
        for (int32_t j = 0; j < m; j++) acc = FE_FMA(FE_SET1(a[j]), FE_LOAD(x[j] + i), acc);
        FE_STORE(y + i, acc);
    }
    if (i < n) {
        fe_mask mk = FE_TAIL(n - i);
        fe_vec acc = overwrite ? FE_ZERO() : FE_LOAD_TAIL(y + i, mk);
        for (int32_t j = 0; j < m; j++)
            acc = FE_FMA(FE_SET1(a[j]), FE_LOAD_TAIL(x[j] + i, mk), acc);
        if (overwrite) FE_STORE(y + i, acc);
        else FE_STORE_TAIL(y + i, acc, mk, n - i);
    }
}
