"""Pure-NumPy/Python reference of the training kernel, written from its documented semantics
(src/fe_train.h), for comparing the C code against on tiny inputs."""

import numpy as np

M64 = (1 << 64) - 1
BINS, MAX_EXP = 1024, 6.0


class SplitMix64:
    """The kernel's RNG (src/fe_rng.h), bit for bit."""

    def __init__(self, state):
        self.state = state & M64

    def next64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def next32(self):
        return self.next64() >> 32

    def below(self, n):
        return (self.next32() * n) >> 32

    @classmethod
    def seeded(cls, seed, a=0, b=0):
        mix = cls(seed)
        s = mix.next64()
        mix.state = s ^ ((a * 0xD1B54A32D192ED03) & M64)
        s = mix.next64()
        mix.state = s ^ ((b * 0x8CB92BA72F3D8DD7) & M64)
        return cls(mix.next64())


def table_sigmoid(x):
    x = np.float32(x)
    if x >= MAX_EXP:
        return 1.0
    if x <= -MAX_EXP:
        return 0.0
    i = min(int((x + np.float32(MAX_EXP)) * np.float32(BINS / (2 * MAX_EXP))), BINS - 1)
    centre = -MAX_EXP + (i + 0.5) * (2 * MAX_EXP / BINS)
    return 1.0 / (1.0 + np.exp(-centre))


def softplus(x):
    return max(x, 0.0) + np.log1p(np.exp(-abs(x)))


def predict(w_out, w_hs, l1, word, neg, code, point, alpha):
    """Input vector l1 predicts `word`: returns (gradient for l1, loss); updates outputs."""
    grad = np.zeros_like(l1, dtype=np.float64)
    loss = 0.0
    for bit, node in zip(code, point):
        l2 = w_hs[node]
        f = float(np.dot(l1.astype(np.float64), l2))
        label = 1.0 - bit
        g = (label - table_sigmoid(f)) * alpha
        loss += softplus(-f if label else f)
        grad += g * l2
        w_hs[node] = l2 + g * l1
    if w_out is not None:
        for d, target in enumerate([word] + list(neg)):
            if d > 0 and target == word:
                continue
            label = 1.0 if d == 0 else 0.0
            l2 = w_out[target]
            f = float(np.dot(l1.astype(np.float64), l2))
            g = (label - table_sigmoid(f)) * alpha
            loss += softplus(-f if d == 0 else f)
            grad += g * l2
            w_out[target] = l2 + g * l1
    return grad, loss


def lock_factor(lockf, row):
    """The factor of input row `row`'s updates: lockf[row % len(lockf)]; 1 without lockf."""
    return 1.0 if lockf is None else float(lockf[row % len(lockf)])


def sg_step(w_in, w_out, w_hs, context, word, neg=(), code=(), point=(), alpha=0.025, lockf=None):
    l1 = w_in[context].copy()
    grad, loss = predict(w_out, w_hs, l1, word, neg, code, point, alpha)
    w_in[context] = l1 + lock_factor(lockf, context) * grad
    return loss


def sg_window_step(
    w_in, w_out, w_hs, context, word, neg=(), code=(), point=(), alpha=0.025, lockf=None
):
    """Every context row predicts the same outputs, the context rows in turn: each is scored
    against the output rows as the earlier ones left them (gensim's order). The context rows
    are all read as they were before the window (a repeated context word is updated twice
    from its old row), an output listed twice counts as two rows, and every row's changes
    are added to it at the end."""
    outputs = [(w_hs, node, 1.0 - bit) for bit, node in zip(code, point)]
    if w_out is not None:
        outputs.append((w_out, word, 1.0))
        outputs += [(w_out, n, 0.0) for n in neg if n != word]
    old_in = {c: w_in[c].astype(np.float64) for c in context}
    slots = [mat[r].astype(np.float64) for mat, r, _ in outputs]  # each listed output's row
    moved = [np.zeros(w_in.shape[1]) for _ in outputs]
    d_in = {c: np.zeros(w_in.shape[1]) for c in context}
    loss = 0.0
    for c in context:
        l1 = old_in[c]
        grad = np.zeros(w_in.shape[1])
        steps = []
        for (_, _, label), l2, m in zip(outputs, slots, moved):
            f = float(np.dot(l1, l2 + m))
            g = (label - table_sigmoid(f)) * alpha
            loss += softplus(-f if label > 0.5 else f)
            grad += g * (l2 + m)
            steps.append(g)
        for m, g in zip(moved, steps):
            m += g * l1
        d_in[c] += lock_factor(lockf, c) * grad
    for (mat, r, _), m in zip(outputs, moved):
        mat[r] = mat[r] + m
    for c in set(context):
        w_in[c] = old_in[c] + d_in[c]
    return loss


def cbow_step(
    w_in,
    w_out,
    w_hs,
    context,
    word,
    neg=(),
    code=(),
    point=(),
    alpha=0.025,
    cbow_mean=1,
    lockf=None,
):
    """CBOW: the combined context predicts the centre (a subword step with one target)."""
    return subword_step(
        w_in, w_out, w_hs, context, [(word, neg, code, point)], alpha, cbow_mean, lockf
    )


def subword_step(w_in, w_out, w_hs, rows, targets, alpha=0.025, cbow_mean=1, lockf=None):
    """The sum (mean with cbow_mean) of the input rows `rows` predicts every output of every
    target (word, negatives, code, point), each scored from the weights before the step; the
    output rows then move (a row listed twice moves twice) and the input's gradient is added
    to every listed row, divided by len(rows) when summing."""
    rows = list(rows)
    if not rows:
        return 0.0
    h = w_in[rows].astype(np.float64).sum(axis=0)
    if cbow_mean:
        h /= len(rows)
    grad, loss = _predict_all(w_out, w_hs, h, targets, alpha)
    scale = 1.0 if cbow_mean else 1.0 / len(rows)
    for r in rows:
        w_in[r] = w_in[r] + scale * lock_factor(lockf, r) * grad
    return loss


def rows_sum(w_in, rows):
    """cbow_sums: the sum of a word's rows (float32)."""
    return w_in[list(rows)].astype(np.float64).sum(axis=0).astype(np.float32)


def rows_add(w_in, rows, grad, lockf=None):
    """cbow_sums: a word's gathered gradient added to each of its rows (a row listed twice
    gets it twice), times the row's lock factor."""
    for r in rows:
        w_in[r] = w_in[r] + lock_factor(lockf, r) * grad.astype(np.float64)


def sums_step(w_out, w_hs, sums, grads, targets, in_scale, grad_scale, alpha=0.025):
    """cbow_sums: in_scale times the sum of the vectors ``sums`` predicts the targets (as
    subword_step); grad_scale times the input's gradient is added to every vector of
    ``grads`` in place, not to any row."""
    h = np.sum([np.asarray(v, np.float64) for v in sums], axis=0) * in_scale
    grad, loss = _predict_all(w_out, w_hs, h, targets, alpha)
    for g in grads:
        g += (grad_scale * grad).astype(g.dtype)
    return loss


def _predict_all(w_out, w_hs, h, targets, alpha):
    """Input h predicts every output of every target, each scored from the weights before
    the step; the output rows move. Returns the input's gradient and the loss."""
    h = h.astype(np.float32).astype(np.float64)  # the kernel keeps the input in float32
    outputs = []
    for word, neg, code, point in targets:
        outputs += [(w_hs, node, 1.0 - bit) for bit, node in zip(code, point)]
        if w_out is not None:
            outputs.append((w_out, word, 1.0))
            outputs += [(w_out, n, 0.0) for n in neg if n != word]
    old = [mat[r].astype(np.float64) for mat, r, _ in outputs]
    grad = np.zeros_like(h)
    loss = 0.0
    steps = []
    for (_mat, _row, label), o in zip(outputs, old):
        f = float(np.dot(h, o))
        g = (label - table_sigmoid(f)) * alpha
        loss += softplus(-f if label > 0.5 else f)
        grad += g * o
        steps.append(g)
    for (mat, r, _), g in zip(outputs, steps):
        mat[r] = mat[r] + g * h
    return grad, loss


def alias_draw(alias, rng):
    n = len(alias)
    r = rng.next64()
    bucket = ((r >> 32) * n) >> 32
    entry = int(alias[bucket])
    return bucket if (r & 0xFFFFFFFF) < (entry & 0xFFFFFFFF) else entry >> 32


def draw_target(rng, word, negative, alias, hs_tables):
    """What one prediction of ``word`` trains against, in the kernel's order (fill_target in
    src/fe_train.c): its negatives drawn now, and its Huffman code and path (empty without
    hierarchical softmax). Returns (negatives, code, point)."""
    neg = [alias_draw(alias, rng) for _ in range(negative)] if negative else []
    code, point = (), ()
    if hs_tables is not None:
        off, codes, points = hs_tables
        code, point = codes[off[word] : off[word + 1]], points[off[word] : off[word + 1]]
    return neg, code, point


class Schedule:
    """One worker's learning rate (sync_progress in src/fe_train.c): its words join the shared
    progress a batch at a time, and the rate falls linearly with that progress."""

    def __init__(self, alpha, min_alpha, total_words, batch):
        self.start, self.end, self.total, self.batch = alpha, min_alpha, total_words, batch
        self.done = self.unsynced = 0
        self.sync()

    def sync(self):
        self.done += self.unsynced
        self.unsynced = 0
        progress = min(self.done / self.total, 1.0) if self.total else 1.0
        self.alpha = max(np.float32(self.start - (self.start - self.end) * progress), self.end)

    def count(self, words=1):
        """Counts words read; syncs once a batch of them is unsynced."""
        self.unsynced += words
        if self.unsynced >= self.batch:
            self.sync()


def train_range(
    w_in,
    w_out,
    w_hs,
    ids,
    offsets,
    seed,
    *,
    sg,
    window,
    negative,
    alias,
    keep,
    hs_tables,
    shrink_windows,
    cbow_mean,
    alpha,
    min_alpha,
    total_words,
    shared_negatives=True,
    progress_batch=10000,
    kept_cap=None,
    lockf=None,
    subwords=None,
    cbow_sums=False,
):
    """The whole single-worker training loop, with the kernel's RNG consumption order:
    per word a subsampling draw (if subsampling), per centre a window draw (if shrinking),
    `negative` alias draws per prediction (per window with shared_negatives). With
    ``subwords=(offsets, rows)`` fastText's models (centres_subwords). Returns (words,
    effective_words)."""
    rng = SplitMix64.seeded(seed)
    kept_cap = kept_cap or max(4 * window, 2 * window + 4096)
    sched = Schedule(alpha, min_alpha, total_words, progress_batch)

    def target_of(word):
        return draw_target(rng, word, negative, alias, hs_tables)

    def subword_rows(word):
        offsets, rows = subwords
        return [int(r) for r in rows[offsets[word] : offsets[word + 1]]]

    def centres_subwords(kept, first, end, n):
        """CBOW: the context words' subword rows predict the centre; skip-gram: the
        centre's rows predict every context word (own negatives), in one step per centre
        with shared_negatives, else one step per pair."""
        for i in range(first, end):
            reach = window - (rng.below(window) if shrink_windows else 0)
            ctx = [kept[c] for c in range(max(i - reach, 0), min(i + reach + 1, n)) if c != i]
            if not ctx:
                continue
            step = dict(alpha=sched.alpha, cbow_mean=cbow_mean, lockf=lockf)
            if not sg:
                rows = [r for c in ctx for r in subword_rows(c)]
                subword_step(w_in, w_out, w_hs, rows, [(kept[i], *target_of(kept[i]))], **step)
            elif shared_negatives:
                targets = [(c, *target_of(c)) for c in ctx]
                subword_step(w_in, w_out, w_hs, subword_rows(kept[i]), targets, **step)
            else:
                for c in ctx:
                    target = [(c, *target_of(c))]
                    subword_step(w_in, w_out, w_hs, subword_rows(kept[i]), target, **step)

    def centres_cbow_sums(kept, first, end, n):
        """CBOW from each word's row sum, taken when the first window reaching it runs; the
        gradients of its windows gathered and added to its rows once no later window can
        reach it (after centre p + window), the rest at the end of the piece."""
        sums, grads, used = {}, {}, set()
        summed = applied = max(first - window, 0)

        def apply(p):
            if p in used:
                rows_add(w_in, subword_rows(kept[p]), grads[p], lockf)

        for i in range(first, end):
            reach = window - (rng.below(window) if shrink_windows else 0)
            lo, hi = max(i - reach, 0), min(i + reach + 1, n)
            if hi - lo > 1:
                target = [(kept[i], *target_of(kept[i]))]
                for p in range(summed, hi):
                    sums[p] = rows_sum(w_in, subword_rows(kept[p]))
                    grads[p] = np.zeros(w_in.shape[1], np.float32)
                summed = max(summed, hi)
                ctx = [c for c in range(lo, hi) if c != i]
                used.update(ctx)
                inv = np.float32(1.0) / np.float32(sum(len(subword_rows(kept[c])) for c in ctx))
                scales = (inv, 1.0) if cbow_mean else (1.0, inv)
                sums_step(
                    w_out,
                    w_hs,
                    [sums[c] for c in ctx],
                    [grads[c] for c in ctx],
                    target,
                    *scales,
                    sched.alpha,
                )
            while applied <= i - window and applied < summed:
                apply(applied)
                applied += 1
        for p in range(applied, summed):
            apply(p)

    def centres(kept, first, end, n):
        if subwords is not None and cbow_sums and not sg:
            return centres_cbow_sums(kept, first, end, n)
        if subwords is not None:
            return centres_subwords(kept, first, end, n)
        for i in range(first, end):
            b = rng.below(window) if shrink_windows else 0
            reach = window - b
            lo, hi = max(i - reach, 0), min(i + reach + 1, n)
            if sg and shared_negatives:
                ctx = [kept[c] for c in range(lo, hi) if c != i]
                if ctx:
                    neg, code, point = target_of(kept[i])
                    sg_window_step(
                        w_in, w_out, w_hs, ctx, kept[i], neg, code, point, sched.alpha, lockf
                    )
            elif sg:
                for c in range(lo, hi):
                    if c != i:
                        neg, code, point = target_of(kept[i])
                        sg_step(
                            w_in,
                            w_out,
                            w_hs,
                            kept[c],
                            kept[i],
                            neg,
                            code,
                            point,
                            sched.alpha,
                            lockf,
                        )
            else:
                ctx = [kept[c] for c in range(lo, hi) if c != i]
                if ctx:
                    neg, code, point = target_of(kept[i])
                    cbow_step(
                        w_in,
                        w_out,
                        w_hs,
                        ctx,
                        kept[i],
                        neg,
                        code,
                        point,
                        sched.alpha,
                        cbow_mean,
                        lockf,
                    )

    words = effective = 0
    for s in range(len(offsets) - 1):
        kept, centre = [], 0
        for word in ids[offsets[s] : offsets[s + 1]]:
            words += 1
            sched.count()
            if keep is not None and rng.next32() > keep[word]:
                continue
            effective += 1
            kept.append(int(word))
            if len(kept) == kept_cap:
                centres(kept, centre, len(kept) - window, len(kept))
                kept = kept[len(kept) - 2 * window :]
                centre = window
        centres(kept, centre, len(kept), len(kept))
    return words, effective


def inference_start(words, seed, dim, dtype):
    """The RNG of one document's inference (seeded by the FNV-1a hash of its ids and its
    length, src/fe_doc2vec.c) and the vector it starts from, uniform(-0.5, 0.5) / dim."""
    h = 0xCBF29CE484222325
    for w in words:
        h = ((h ^ int(w)) * 0x100000001B3) & M64
    rng = SplitMix64.seeded(seed, h ^ len(words), 0x1AFE)
    vec = np.array(
        [(np.float32((rng.next64() >> 40) / 16777216.0) - 0.5) / dim for _ in range(dim)],
        dtype=dtype,
    )
    return rng, vec
