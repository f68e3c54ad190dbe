/* fe_sigmoid.h — the logistic function as the updates use it (see fe_train.h for the rule).
 * The table is filled by fe_sigmoid_init() and only read afterwards. */
#ifndef FE_SIGMOID_H
#define FE_SIGMOID_H

#include <math.h>

#define FE_SIGMOID_BINS 1024
#define FE_MAX_EXP 6.0f

extern float fe_sigmoid_table[FE_SIGMOID_BINS];

/* Fills the table unless it is filled already; any number of threads may call it at once,
 * and each returns only once the table is complete. fe_simd_ops() and fe_train_range() call
 * it, so whoever holds a set of updates can use them. */
void fe_sigmoid_init(void);

static inline float fe_sigmoid_lookup(float x)
{
    if (x >= FE_MAX_EXP) return 1.0f;
    if (!(x > -FE_MAX_EXP)) return 0.0f; /* also NaN: never index the table with it */
    int i = (int)((x + FE_MAX_EXP) * (FE_SIGMOID_BINS / (2.0f * FE_MAX_EXP)));
    return fe_sigmoid_table[i < FE_SIGMOID_BINS ? i : FE_SIGMOID_BINS - 1];
}

/* log(1 + e^x) without overflow: the loss of a logistic prediction. */
static inline double fe_softplus(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }

#endif
