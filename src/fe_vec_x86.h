/* fe_vec_x86.h — the vector helpers of the x86 paths, written once for any vector width.
 *
 * Not a public header: fe_updates_avx2.c (8 floats a vector) and fe_updates_avx512.c (16)
 * define the width and the operations below for their instruction set, then include this
 * file and fe_updates.h, so each set of updates inlines the helpers of its own width.
 *
 *   FE_W                   floats in a vector
 *   FE_PANEL               vectors a many-row helper keeps in registers (see "Panels")
 *   fe_vec, fe_mask        the vector type, and the lane mask of a partial last block
 *   FE_ZERO() FE_SET1(a)   all lanes 0 / a
 *   FE_LOAD(p) FE_STORE(p, v) FE_FMA(a, b, c) = a * b + c    (unaligned loads and stores)
 *   FE_ADD(a, b) FE_MUL(a, b)
 *   FE_HSUM(v)             the sum of the lanes
 *   FE_HSUM4(out, a, b, c, d)  out[0..4) = the sums of the lanes of a, b, c and d
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

#if defined(_MSC_VER)
#define FE_INLINE static __forceinline
#else
#define FE_INLINE static inline __attribute__((always_inline))
#endif

/* out[0..r) = x . y[0..r) for r <= 4 rows (a constant): x is loaded once per block for all
 * of them, and the r sums are reduced together (FE_HSUM4). */
FE_INLINE void dot_rows(const int r, const float *x, float *const *y, float *out, int64_t n)
{
    fe_vec a[4] = {FE_ZERO(), FE_ZERO(), FE_ZERO(), FE_ZERO()};
    int64_t i = 0;
    for (; i + 2 * FE_W <= n; i += 2 * FE_W) { /* two blocks a pass: half the loop overhead */
        const fe_vec v = FE_LOAD(x + i), u = FE_LOAD(x + i + FE_W);
        for (int k = 0; k < r; k++) a[k] = FE_FMA(v, FE_LOAD(y[k] + i), a[k]);
        for (int k = 0; k < r; k++) a[k] = FE_FMA(u, FE_LOAD(y[k] + i + FE_W), a[k]);
    }
    for (; i + FE_W <= n; i += FE_W) {
        const fe_vec v = FE_LOAD(x + i);
        for (int k = 0; k < r; k++) a[k] = FE_FMA(v, FE_LOAD(y[k] + i), a[k]);
    }
    if (i < n) {
        const fe_mask mk = FE_TAIL(n - i);
        const fe_vec v = FE_LOAD_TAIL(x + i, mk);
        for (int k = 0; k < r; k++) a[k] = FE_FMA(v, FE_LOAD_TAIL(y[k] + i, mk), a[k]);
    }
    float sums[4];
    FE_HSUM4(sums, a[0], a[1], a[2], a[3]);
    for (int k = 0; k < r; k++) out[k] = sums[k];
}

/* out[j] = x . y[j] for j < m, four rows at a time. */
static inline void vec_dot_many(const float *x, float *const *y, int32_t m, float *out, int64_t n)
{
    int32_t j = 0;
    for (; j + 4 <= m; j += 4) dot_rows(4, x, y + j, out + j, n);
    switch (m - j) {
    case 3: dot_rows(3, x, y + j, out + j, n); break;
    case 2: dot_rows(2, x, y + j, out + j, n); break;
    case 1: dot_rows(1, x, y + j, out + j, n); break;
    default: break;
    }
}

/* out0[k] = x0 . y[k] and out1[k] = x1 . y[k] for k < r <= 4 rows (a constant): two inputs
 * against the same rows, so each block of a row is loaded once for both (6 loads for 8 FMAs,
 * where one input takes 5 for 4), with 8 independent sums. */
FE_INLINE void dot_rows2(const int r, const float *x0, const float *x1, float *const *y,
                         float *out0, float *out1, int64_t n)
{
    fe_vec a[4] = {FE_ZERO(), FE_ZERO(), FE_ZERO(), FE_ZERO()};
    fe_vec b[4] = {FE_ZERO(), FE_ZERO(), FE_ZERO(), FE_ZERO()};
    int64_t i = 0;
    for (; i + FE_W <= n; i += FE_W) {
        const fe_vec v0 = FE_LOAD(x0 + i), v1 = FE_LOAD(x1 + i);
        for (int k = 0; k < r; k++) {
            const fe_vec yk = FE_LOAD(y[k] + i);
            a[k] = FE_FMA(v0, yk, a[k]);
            b[k] = FE_FMA(v1, yk, b[k]);
        }
    }
    if (i < n) {
        const fe_mask mk = FE_TAIL(n - i);
        const fe_vec v0 = FE_LOAD_TAIL(x0 + i, mk), v1 = FE_LOAD_TAIL(x1 + i, mk);
        for (int k = 0; k < r; k++) {
            const fe_vec yk = FE_LOAD_TAIL(y[k] + i, mk);
            a[k] = FE_FMA(v0, yk, a[k]);
            b[k] = FE_FMA(v1, yk, b[k]);
        }
    }
    float s0[4], s1[4];
    FE_HSUM4(s0, a[0], a[1], a[2], a[3]);
    FE_HSUM4(s1, b[0], b[1], b[2], b[3]);
    for (int k = 0; k < r; k++) {
        out0[k] = s0[k];
        out1[k] = s1[k];
    }
}

/* out0[j] = x0 . y[j] and out1[j] = x1 . y[j] for j < m, four rows at a time. (Inlined
 * into both widths of window_scales: called from two places, the compiler would not.) */
FE_INLINE void vec_dot_many2(const float *x0, const float *x1, float *const *y, int32_t m,
                             float *out0, float *out1, int64_t n)
{
    int32_t j = 0;
    for (; j + 4 <= m; j += 4) dot_rows2(4, x0, x1, y + j, out0 + j, out1 + j, n);
    switch (m - j) {
    case 3: dot_rows2(3, x0, x1, y + j, out0 + j, out1 + j, n); break;
    case 2: dot_rows2(2, x0, x1, y + j, out0 + j, out1 + j, n); break;
    case 1: dot_rows2(1, x0, x1, y + j, out0 + j, out1 + j, n); break;
    default: break;
    }
}

enum { FE_WINDOW_ROWS = 32 };

/* The gradient scales of a skip-gram window's context rows in[c] = out[n_out + c] against its
 * n_out output rows, row by row as sg_window_step (fe_updates.h) defines them: g[c][o] (n_out
 * floats a row) from the score in[c] . out[o] plus sum_{e < c} g[e][o] * (in[c] . in[e]),
 * through the output step; then earlier[c][e] = g[c] . g[e] (n_context floats a row).
 *
 * Each row of g is kept in vector registers and read back from there. The loops of
 * fe_updates.h write a row with scalar or masked stores and read it at another width, which
 * gets no store-to-load forwarding: the row waits for the stores to reach the cache (with
 * the full gather, 13 % of skip-gram's time on an AMD Zen 4 core, bench/README.md). The
 * scores are taken two context rows at a time (vec_dot_many2): rows are 400 bytes long, so
 * most loads straddle two cache lines, and loading each block once for both rows saved 8 %.
 *
 * A row of g takes nv (a constant: 1 or 2) vectors, the last whole or partial. Two cover the
 * Huffman paths of hierarchical softmax: 12 nodes on average on the benchmark corpus, past
 * one AVX2 vector for 85 % of the centres, past one AVX-512 vector for 10 %. */
FE_INLINE void window_scales(const int nv, float *const *out, int32_t n_out, int32_t n_context,
                             const float *label, float alpha, float *g, float *earlier, int64_t dim)
{
    static const float ones[16] = {1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f,
                                   1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f}; /* >= FE_W */
    float *const *in = out + n_out;
    const int32_t last = n_out - (nv - 1) * FE_W; /* lanes of the last vector: 1..FE_W */
    const fe_mask full = FE_TAIL(FE_W), mk = FE_TAIL(last);
    const fe_vec rate = FE_SET1(alpha);
    fe_vec labels[2], live[2]; /* live: 1 in the outputs' lanes, 0 past them */
    for (int k = 0; k < nv; k++) {
        const int partial = k == nv - 1;
        labels[k] = FE_LOAD_TAIL(label + k * FE_W, partial ? mk : full);
        live[k] = FE_LOAD_TAIL(ones, partial ? mk : full);
    }
    fe_vec rows[FE_WINDOW_ROWS][2];
    float pair[2][2 * FE_W + FE_WINDOW_ROWS]; /* the scores of two context rows */
    for (int32_t c = 0; c < n_context; c++) {
        /* rows c and c + 1 against the outputs and in[0..c) in one pass, then c + 1 against
         * in[c]: none of these depends on the scales, only on the rows before the window */
        const float *dots = pair[c & 1];
        if ((c & 1) == 0 && c + 1 < n_context) {
            vec_dot_many2(in[c], in[c + 1], out, n_out + c, pair[0], pair[1], dim);
            pair[1][n_out + c] = vec_dot(in[c + 1], in[c], dim);
        } else if ((c & 1) == 0) {
            vec_dot_many(in[c], out, n_out + c, pair[0], dim);
        }
        float *gc_out = g + (int64_t)c * n_out;
        for (int k = 0; k < nv; k++) {
            const int partial = k == nv - 1;
            const fe_mask m = partial ? mk : full;
            fe_vec gc = FE_LOAD_TAIL(dots + k * FE_W, m);
            for (int32_t e = 0; e < c; e++) gc = FE_FMA(FE_SET1(dots[n_out + e]), rows[e][k], gc);
            gc = FE_MUL(FE_OUTPUT_STEP(gc, labels[k], rate, m), live[k]); /* past n_out: 0 */
            rows[c][k] = gc;
            /* (FE_STORE_TAIL takes fewer than FE_W lanes) */
            if (!partial || last == FE_W) FE_STORE(gc_out + k * FE_W, gc);
            else FE_STORE_TAIL(gc_out + k * FE_W, gc, mk, last);
        }
        float *shared = earlier + (int64_t)c * n_context; /* g[c] . g[e], four at a time */
        for (int32_t e = 0; e < c; e += 4) {
            fe_vec prod[4];
            for (int j = 0; j < 4; j++) {
                prod[j] = e + j < c ? FE_MUL(rows[c][0], rows[e + j][0]) : FE_ZERO();
                for (int k = 1; k < nv && e + j < c; k++)
                    prod[j] = FE_FMA(rows[c][k], rows[e + j][k], prod[j]);
            }
            float sums[4];
            FE_HSUM4(sums, prod[0], prod[1], prod[2], prod[3]);
            for (int32_t k = 0; k < 4 && e + k < c; k++) shared[e + k] = sums[k];
        }
    }
}

/* Returns 0, having done nothing, when the outputs do not fit in two vectors or the window
 * has more rows than FE_WINDOW_ROWS; the caller then takes its general path. */
static inline int vec_window_scales(float *const *out, int32_t n_out, int32_t n_context,
                                    const float *label, float alpha, float *g, float *earlier,
                                    int64_t dim)
{
    if (n_context > FE_WINDOW_ROWS || n_out > 2 * FE_W) return 0;
    if (n_out <= FE_W) window_scales(1, out, n_out, n_context, label, alpha, g, earlier, dim);
    else window_scales(2, out, n_out, n_context, label, alpha, g, earlier, dim);
    return 1;
}

/* Panels: the many-row helpers below keep a stretch of up to FE_PANEL vectors of their rows
 * in registers while they run over all the rows, so every row costs one pointer load and one
 * broadcast per panel, not per block, and each vector of a row is read by an FMA's memory
 * operand. A row is split into panels of FE_PANEL vectors and one of what is left (dim = 100:
 * 7 + 6 vectors of 8 floats, or one panel of 7 vectors of 16). The panel functions are
 * instantiated for each width (1..FE_PANEL) and for whether the panel ends with the row's
 * partial block (loaded and stored under a lane mask), so every loop over a panel's vectors
 * is unrolled and its accumulators live in registers. The panel loop is entered once per
 * window for all rows: entering it once per row cost a tenth of all instructions. */

/* vector k of the panel at p, of a panel of nv vectors (masked when it is the row's tail) */
#define PANEL_LOAD(p, k, nv, tail, mk)                                                             \
    (((tail) && (k) == (nv) - 1) ? FE_LOAD_TAIL((p) + (k) * FE_W, (mk)) : FE_LOAD((p) + (k) * FE_W))
#define PANEL_STORE(p, k, nv, tail, v, mk, rem)                                                    \
    do {                                                                                           \
        if ((tail) && (k) == (nv) - 1) FE_STORE_TAIL((p) + (k) * FE_W, (v), (mk), (rem));          \
        else FE_STORE((p) + (k) * FE_W, (v));                                                      \
    } while (0)

/* Calls fn(nv, tail, args...) for every panel of a row of n floats, with nv and tail as
 * constants; i is the panel's first float, mk and rem describe the partial last block. */
#define PANEL_CASE(fn, nv, ...)                                                                    \
    case nv: fn(nv, 0, __VA_ARGS__); break;                                                        \
    case nv + FE_PANEL: fn(nv, 1, __VA_ARGS__); break;
#define FOR_EACH_PANEL(n, fn, ...)                                                                 \
    do {                                                                                           \
        const int64_t rem = (n) & (FE_W - 1);                                                      \
        const fe_mask mk = FE_TAIL(rem);                                                           \
        int64_t left = ((n) + FE_W - 1) / FE_W, i = 0; /* vectors not yet done */                  \
        while (left > 0) {                                                                         \
            const int nv = left > FE_PANEL ? FE_PANEL : (int)left;                                 \
            left -= nv;                                                                            \
            switch (nv + (left == 0 && rem != 0 ? FE_PANEL : 0)) {                                 \
                PANEL_CASE(fn, 1, __VA_ARGS__)                                                     \
                PANEL_CASE(fn, 2, __VA_ARGS__)                                                     \
                PANEL_CASE(fn, 3, __VA_ARGS__)                                                     \
                PANEL_CASE(fn, 4, __VA_ARGS__)                                                     \
                PANEL_CASE(fn, 5, __VA_ARGS__)                                                     \
                PANEL_CASE(fn, 6, __VA_ARGS__)                                                     \
                PANEL_CASE(fn, 7, __VA_ARGS__)                                                     \
            }                                                                                      \
            i += (int64_t)nv * FE_W;                                                               \
        }                                                                                          \
    } while (0)
#if FE_PANEL != 7
#error "FOR_EACH_PANEL lists the panel widths 1..7"
#endif

FE_INLINE void mean_rows_panel(const int nv, const int tail, int64_t i, fe_mask mk, int64_t rem,
                               float *const *x, int32_t m, float scale, float *y)
{
    (void)rem;
    fe_vec acc[FE_PANEL];
    for (int k = 0; k < nv; k++) acc[k] = FE_ZERO();
    for (int32_t j = 0; j < m; j++) {
        const float *xj = x[j] + i;
        for (int k = 0; k < nv; k++) acc[k] = FE_ADD(acc[k], PANEL_LOAD(xj, k, nv, tail, mk));
    }
    const fe_vec s = FE_SET1(scale);
    for (int k = 0; k < nv; k++) FE_STORE(y + i + k * FE_W, FE_MUL(acc[k], s));
}

/* y = scale * sum_j x[j], into a scratch row (whole last block written). */
static inline void vec_mean_rows(float *const *x, int32_t m, float scale, float *y, int64_t n)
{
    FOR_EACH_PANEL(n, mean_rows_panel, i, mk, rem, x, m, scale, y);
}

FE_INLINE void add_rows_panel(const int nv, const int tail, int64_t i, fe_mask mk, int64_t rem,
                              const float *g, float *const *x, int32_t m, float scale, float *y)
{
    fe_vec acc[FE_PANEL];
    for (int k = 0; k < nv; k++) acc[k] = FE_ZERO();
    for (int32_t j = 0; j < m; j++) {
        const float *xj = x[j] + i;
        const fe_vec gj = FE_SET1(g[j]);
        for (int k = 0; k < nv; k++) acc[k] = FE_FMA(gj, PANEL_LOAD(xj, k, nv, tail, mk), acc[k]);
    }
    const fe_vec s = FE_SET1(scale);
    for (int k = 0; k < nv; k++)
        PANEL_STORE(y + i, k, nv, tail, FE_FMA(s, acc[k], PANEL_LOAD(y + i, k, nv, tail, mk)), mk,
                    rem);
}

/* y += scale * sum_j g[j] * x[j] (y a row of exactly n floats): one pass over y, however
 * many rows. */
static inline void vec_add_rows(const float *g, float *const *x, int32_t m, float scale, float *y,
                                int64_t n)
{
    FOR_EACH_PANEL(n, add_rows_panel, i, mk, rem, g, x, m, scale, y);
}

FE_INLINE void add_to_rows_panel(const int nv, const int tail, int64_t i, fe_mask mk, int64_t rem,
                                 const float *g, float *const *x, const float *a, int32_t m)
{
    fe_vec gv[FE_PANEL];
    for (int k = 0; k < nv; k++) gv[k] = PANEL_LOAD(g + i, k, nv, tail, mk);
    for (int32_t j = 0; j < m; j++) { /* a row listed twice: read after its first update */
        float *xj = x[j] + i;
        const fe_vec aj = FE_SET1(a[j]);
        for (int k = 0; k < nv; k++)
            PANEL_STORE(xj, k, nv, tail, FE_FMA(aj, gv[k], PANEL_LOAD(xj, k, nv, tail, mk)), mk,
                        rem);
    }
}

/* x[j] += a[j] * g for j < m, in order (rows of exactly n floats): g is loaded once per panel
 * for all the rows, each row read and written once, as m vec_axpy calls would (the same
 * result, bit for bit). */
static inline void vec_add_to_rows(const float *g, float *const *x, const float *a, int32_t m,
                                   int64_t n)
{
    FOR_EACH_PANEL(n, add_to_rows_panel, i, mk, rem, g, x, a, m);
}

FE_INLINE void backprop_panel(const int nv, const int tail, int64_t i, fe_mask mk, int64_t rem,
                              const float *g, float *const *out, int32_t n_out, const float *h,
                              float *const *in, int32_t n_in, float scale)
{
    fe_vec grad[FE_PANEL], hv[FE_PANEL];
    for (int k = 0; k < nv; k++) grad[k] = FE_ZERO();
    /* all the output rows' contributions first, from the rows as they were (a row listed
     * twice gives both from its old value) */
    for (int32_t o = 0; o < n_out; o++) {
        const float *row = out[o] + i;
        const fe_vec go = FE_SET1(g[o]);
        for (int k = 0; k < nv; k++)
            grad[k] = FE_FMA(go, PANEL_LOAD(row, k, nv, tail, mk), grad[k]);
    }
    for (int k = 0; k < nv; k++) hv[k] = FE_LOAD(h + i + k * FE_W);
    for (int32_t o = 0; o < n_out; o++) {
        float *row = out[o] + i;
        const fe_vec go = FE_SET1(g[o]);
        for (int k = 0; k < nv; k++)
            PANEL_STORE(row, k, nv, tail, FE_FMA(go, hv[k], PANEL_LOAD(row, k, nv, tail, mk)), mk,
                        rem);
    }
    const fe_vec s = FE_SET1(scale);
    for (int k = 0; k < nv; k++) grad[k] = FE_MUL(grad[k], s);
    for (int32_t c = 0; c < n_in; c++) {
        float *row = in[c] + i;
        for (int k = 0; k < nv; k++)
            PANEL_STORE(row, k, nv, tail, FE_ADD(grad[k], PANEL_LOAD(row, k, nv, tail, mk)), mk,
                        rem);
    }
}

FE_INLINE void block_backprop_panel(const int nv, const int tail, int64_t i, fe_mask mk,
                                    int64_t rem, const float *g, const float *g_t,
                                    float *const *out, int32_t n_out, float *const *in,
                                    int32_t n_in, const float *earlier, float *delta,
                                    int64_t delta_stride)
{
    fe_vec acc[FE_PANEL];
    /* the inputs' gradients from the old output rows (m >= 1 outputs: the first one sets) */
    for (int32_t c = 0; c < n_in; c++) {
        const float *gc = g + (int64_t)c * n_out;
        fe_vec a = FE_SET1(gc[0]);
        for (int k = 0; k < nv; k++) acc[k] = FE_MUL(a, PANEL_LOAD(out[0] + i, k, nv, tail, mk));
        for (int32_t o = 1; o < n_out; o++) {
            const float *row = out[o] + i;
            a = FE_SET1(gc[o]);
            for (int k = 0; k < nv; k++)
                acc[k] = FE_FMA(a, PANEL_LOAD(row, k, nv, tail, mk), acc[k]);
        }
        for (int32_t e = 0; e < c; e++) { /* what the earlier inputs moved the outputs by */
            const float *row = in[e] + i;
            a = FE_SET1(earlier[(int64_t)c * n_in + e]);
            for (int k = 0; k < nv; k++)
                acc[k] = FE_FMA(a, PANEL_LOAD(row, k, nv, tail, mk), acc[k]);
        }
        float *d = delta + c * delta_stride + i;
        for (int k = 0; k < nv; k++) FE_STORE(d + k * FE_W, acc[k]);
    }
    /* the output rows from the old input rows */
    for (int32_t o = 0; o < n_out; o++) {
        float *y = out[o] + i;
        const float *go = g_t + (int64_t)o * n_in;
        for (int k = 0; k < nv; k++) acc[k] = PANEL_LOAD(y, k, nv, tail, mk);
        for (int32_t c = 0; c < n_in; c++) {
            const float *row = in[c] + i;
            const fe_vec a = FE_SET1(go[c]);
            for (int k = 0; k < nv; k++)
                acc[k] = FE_FMA(a, PANEL_LOAD(row, k, nv, tail, mk), acc[k]);
        }
        for (int k = 0; k < nv; k++) PANEL_STORE(y, k, nv, tail, acc[k], mk, rem);
    }
    /* then the input rows */
    for (int32_t c = 0; c < n_in; c++) {
        float *y = in[c] + i;
        const float *d = delta + c * delta_stride + i;
        for (int k = 0; k < nv; k++)
            PANEL_STORE(y, k, nv, tail,
                        FE_ADD(FE_LOAD(d + k * FE_W), PANEL_LOAD(y, k, nv, tail, mk)), mk, rem);
    }
}

/* The update of n_in input rows that predicted the same n_out >= 1 output rows in turn, each
 * row written once: with gradient scales g (n_in x n_out, row-major) and g_t (its transpose),
 * input row c gets sum_o g[c][o] * out[o] + sum_{e < c} earlier[c][e] * in[e] (the second sum:
 * the output rows as the earlier inputs left them, earlier[c][e] = sum_o g[c][o] * g[e][o];
 * earlier is n_in x n_in, row-major) and every output row sum_c g[c][o] * in[c], all from the
 * rows as they were. Panel by panel: the inputs' gradients into delta (n_in scratch rows,
 * delta_stride floats apart), the outputs, then the inputs. */
static inline void vec_block_backprop(const float *g, const float *g_t, float *const *out,
                                      int32_t n_out, float *const *in, int32_t n_in,
                                      const float *earlier, float *delta, int64_t delta_stride,
                                      int64_t n)
{
    FOR_EACH_PANEL(n, block_backprop_panel, i, mk, rem, g, g_t, out, n_out, in, n_in, earlier,
                   delta, delta_stride);
}

/* The backward step of one input h (a scratch row) that predicted n_out output rows with
 * gradient scales g: grad = sum_o g[o] * out[o] from the rows as they were, then
 * out[o] += g[o] * h for every output, then in[c] += scale * grad for every input row. One
 * pass over each row per panel, with grad and h in registers. */
static inline void vec_backprop(const float *g, float *const *out, int32_t n_out, const float *h,
                                float *const *in, int32_t n_in, float scale, int64_t n)
{
    FOR_EACH_PANEL(n, backprop_panel, i, mk, rem, g, out, n_out, h, in, n_in, scale);
}
