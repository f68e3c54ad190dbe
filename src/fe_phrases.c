#include "fe_phrases.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---------------------------------------------------------------------- */

/* A growable byte buffer. */
typedef struct bytes_buf {
    unsigned char *data;
    int64_t len, cap;
} bytes_buf;

static int reserve_bytes(unsigned char **data, int64_t *cap, int64_t need)
{
    if (need <= *cap) return FE_OK;
    int64_t c = *cap > 0 ? *cap : 256;
    while (c < need) {
        if (c > INT64_MAX / 2) return FE_ERR_NOMEM;
        c *= 2;
    }
    if ((uint64_t)c > (uint64_t)SIZE_MAX) return FE_ERR_NOMEM;
    unsigned char *p = (unsigned char *)realloc(*data, (size_t)c);
    if (!p) return FE_ERR_NOMEM;
    *data = p;
    *cap = c;
    return FE_OK;
}

static int buf_append(bytes_buf *b, const void *bytes, int64_t n)
{
    if (n > INT64_MAX - b->len || reserve_bytes(&b->data, &b->cap, b->len + n) != FE_OK)
        return FE_ERR_NOMEM;
    if (n > 0) memcpy(b->data + b->len, bytes, (size_t)n);
    b->len += n;
    return FE_OK;
}

static int is_connector(const fe_phrase_syntax *syn, const unsigned char *w, int64_t n)
{
    return syn->connectors && syn->connectors->size > 0 &&
        fe_vocab_find(syn->connectors, w, n) >= 0;
}

static int64_t count_of(const fe_vocab *v, const unsigned char *w, int64_t n)
{
    int64_t id = fe_vocab_find(v, w, n);
    return id < 0 ? 0 : fe_vocab_count(v, id);
}


/* ---- planned lookups -------------------------------------------------------------------- */

/* Both passes are bound by cache misses: a lookup touches a slot, then a record, both cold for
 * all but the most frequent words. The keys of a stretch of sentences are therefore computed
 * first (a plan: each token's hash, and the phrase it closes with its hash), and the lookups
 * then run in order with the slots and records of tokens a few places ahead prefetched. */
#if defined(__GNUC__) || defined(__clang__)
#define FE_PREFETCH(p) __builtin_prefetch(p)
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <xmmintrin.h>
#define FE_PREFETCH(p) _mm_prefetch((const char *)(p), _MM_HINT_T0)
#else
#define FE_PREFETCH(p) ((void)(p))
#endif

enum { PLAN_TOKENS = 4096, SLOT_AHEAD = 16, RECORD_AHEAD = 8 };

typedef struct key_plan {
    int64_t n;          /* tokens planned */
    uint64_t *hash;     /* of each token (non-connectors only) */
    uint64_t *key_hash; /* of the phrase the token closes */
    int64_t *key_off;   /* its bytes in keys, or -1: the token closes no phrase */
    int64_t *key_len;
    unsigned char *connector;
    int64_t cap;
    bytes_buf keys;
} key_plan;

static void plan_free(key_plan *p)
{
    free(p->hash);
    free(p->key_hash);
    free(p->key_off);
    free(p->key_len);
    free(p->connector);
    free(p->keys.data);
    memset(p, 0, sizeof *p);
}

static int plan_reserve(key_plan *p, int64_t n)
{
    if (n <= p->cap) return FE_OK;
    plan_free(p);
    size_t m = (size_t)n;
    p->hash = (uint64_t *)malloc(m * sizeof(uint64_t));
    p->key_hash = (uint64_t *)malloc(m * sizeof(uint64_t));
    p->key_off = (int64_t *)malloc(m * sizeof(int64_t));
    p->key_len = (int64_t *)malloc(m * sizeof(int64_t));
    p->connector = (unsigned char *)malloc(m);
    if (!p->hash || !p->key_hash || !p->key_off || !p->key_len || !p->connector) {
        plan_free(p);
        return FE_ERR_NOMEM;
    }
    p->cap = n;
    return FE_OK;
}

/* Where the slot of a key would be: its first probe. */
static inline void prefetch_slot(const fe_vocab *v, uint64_t hash)
{
    FE_PREFETCH(&v->slots[hash & ((uint64_t)v->n_slots - 1)]);
}

/* The count the first probe points at (the slot is in cache by now). */
static inline void prefetch_record(const fe_vocab *v, uint64_t hash)
{
    const fe_vocab_slot *slot = &v->slots[hash & ((uint64_t)v->n_slots - 1)];
    if (slot->len >= 0) FE_PREFETCH(&v->counts[slot->id]);
}

static inline void prefetch_ahead(const fe_vocab *v, const key_plan *p, int64_t i)
{
    if (v->n_slots <= 0) return;
    int64_t j = i + SLOT_AHEAD;
    if (j < p->n) {
        if (!p->connector[j]) prefetch_slot(v, p->hash[j]);
        if (p->key_off[j] >= 0) prefetch_slot(v, p->key_hash[j]);
    }
    j = i + RECORD_AHEAD;
    if (j < p->n) {
        if (!p->connector[j]) prefetch_record(v, p->hash[j]);
        if (p->key_off[j] >= 0) prefetch_record(v, p->key_hash[j]);
    }
}

/* Plans tokens [first, last) of a batch, whole sentences from sentence s0 on. counting: the
 * phrase a token closes starts at the previous non-connector token of its sentence (counting's
 * rule, and applying's too: a candidate's start is always that token). */
static int plan_tokens(key_plan *p, const fe_phrase_syntax *syn, const fe_token_batch *b,
                       int64_t s0, int64_t s1)
{
    int64_t first = s0 > 0 ? b->sentence_end[s0 - 1] : 0, last = b->sentence_end[s1 - 1];
    if (plan_reserve(p, last - first) != FE_OK) return FE_ERR_NOMEM;
    p->n = last - first;
    p->keys.len = 0;
    int64_t k = first;
    for (int64_t s = s0; s < s1; s++) {
        int64_t start = -1; /* the previous non-connector of the sentence */
        for (; k < b->sentence_end[s]; k++) {
            const unsigned char *w = (const unsigned char *)b->ptr[k];
            int64_t n = b->len[k], i = k - first;
            /* one hash serves both tables: every fe_vocab hashes with fe_hash_bytes */
            uint64_t h = fe_hash_bytes(w, n);
            p->key_off[i] = -1;
            p->connector[i] = syn->connectors && syn->connectors->size > 0 &&
                fe_vocab_find_hashed(syn->connectors, w, n, h) >= 0;
            if (p->connector[i]) continue;
            p->hash[i] = h;
            if (start >= 0) {
                int64_t off = p->keys.len;
                for (int64_t j = start; j <= k; j++) {
                    if ((j > start && buf_append(&p->keys, syn->delim, syn->delim_len)) ||
                        buf_append(&p->keys, b->ptr[j], b->len[j]))
                        return FE_ERR_NOMEM;
                }
                p->key_off[i] = off;
                p->key_len[i] = p->keys.len - off;
                p->key_hash[i] = fe_hash_bytes(p->keys.data + off, p->key_len[i]);
            }
            start = k;
        }
    }
    return FE_OK;
}

/* The last sentence (exclusive) of the stretch that starts at sentence s0: whole sentences
 * up to about PLAN_TOKENS tokens, at least one. */
static int64_t plan_end(const fe_token_batch *b, int64_t s0)
{
    int64_t first = s0 > 0 ? b->sentence_end[s0 - 1] : 0, s1 = s0 + 1;
    while (s1 < b->n_sentences && b->sentence_end[s1] - first <= PLAN_TOKENS) s1++;
    return s1;
}

/* ---- 1. counting ------------------------------------------------------------------------ */

int fe_phrase_counter_init(fe_phrase_counter *c, int64_t max_vocab_size)
{
    memset(c, 0, sizeof *c);
    c->max_vocab_size = max_vocab_size;
    c->min_reduce = 1;
    return fe_vocab_init(&c->vocab);
}

void fe_phrase_counter_free(fe_phrase_counter *c)
{
    fe_vocab_free(&c->vocab);
    free(c->pending);
    c->pending = NULL;
    c->pending_len = c->pending_cap = 0;
}

/* One token of the current sentence. The phrase key is built in the pending buffer itself:
 * pending holds "start<d>c1<d>..." and gets "<d>token" appended, is counted, then becomes
 * just "token" for the next candidate. */
static int count_token(fe_phrase_counter *c, const fe_phrase_syntax *syn, const unsigned char *w,
                       int64_t n)
{
    c->total_words++;
    c->in_sentence++;
    int connector = is_connector(syn, w, n);
    if (connector && !c->has_start) return FE_OK;
    bytes_buf b = {c->pending, c->pending_len, c->pending_cap};
    int rc = FE_OK;
    if (connector) {
        rc = buf_append(&b, syn->delim, syn->delim_len);
        if (rc == FE_OK) rc = buf_append(&b, w, n);
    } else {
        if (fe_vocab_add(&c->vocab, w, n, 1) < 0) rc = FE_ERR_NOMEM;
        if (rc == FE_OK && c->has_start) {
            rc = buf_append(&b, syn->delim, syn->delim_len);
            if (rc == FE_OK) rc = buf_append(&b, w, n);
            if (rc == FE_OK && fe_vocab_add(&c->vocab, b.data, b.len, 1) < 0) rc = FE_ERR_NOMEM;
        }
        b.len = 0;
        if (rc == FE_OK) rc = buf_append(&b, w, n);
        c->has_start = 1;
    }
    c->pending = b.data;
    c->pending_len = b.len;
    c->pending_cap = b.cap;
    return rc;
}

/* gensim checks the table size after every sentence its corpus yields. */
static void check_size(fe_phrase_counter *c)
{
    if (c->max_vocab_size >= 0 && c->vocab.size > c->max_vocab_size) {
        fe_vocab_prune(&c->vocab, c->min_reduce);
        c->min_reduce++;
    }
}

static void end_sentence(fe_phrase_counter *c)
{
    c->has_start = 0;
    c->pending_len = 0;
    c->in_sentence = 0;
    check_size(c);
}

int fe_phrase_count_batch(fe_phrase_counter *c, const fe_phrase_syntax *syn,
                          const fe_token_batch *batch)
{
    key_plan p;
    memset(&p, 0, sizeof p);
    int rc = FE_OK;
    fe_vocab *v = &c->vocab;
    for (int64_t s0 = 0; s0 < batch->n_sentences && rc == FE_OK;) {
        int64_t s1 = plan_end(batch, s0);
        rc = plan_tokens(&p, syn, batch, s0, s1);
        int64_t k = s0 > 0 ? batch->sentence_end[s0 - 1] : 0, first = k;
        for (int64_t s = s0; s < s1 && rc == FE_OK; s++) {
            for (; k < batch->sentence_end[s]; k++) {
                int64_t i = k - first;
                prefetch_ahead(v, &p, i);
                c->total_words++;
                if (p.connector[i]) continue;
                if (fe_vocab_add_hashed(v, (const unsigned char *)batch->ptr[k], batch->len[k],
                                        p.hash[i], 1) < 0 ||
                    (p.key_off[i] >= 0 &&
                     fe_vocab_add_hashed(v, p.keys.data + p.key_off[i], p.key_len[i], p.key_hash[i],
                                         1) < 0)) {
                    rc = FE_ERR_NOMEM;
                    break;
                }
            }
            if (rc == FE_OK) end_sentence(c);
        }
        s0 = s1;
    }
    plan_free(&p);
    return rc;
}

int fe_phrase_count_files(fe_phrase_counter *c, const fe_phrase_syntax *syn,
                          const char *const *paths, int64_t n_paths, const fe_read_options *opt,
                          fe_corpus_stats *stats, fe_status *st)
{
    fe_status_clear(st);
    memset(stats, 0, sizeof *stats);
    stats->first_bad_file = -1;
    stats->first_bad_offset = -1;
    for (int64_t f = 0; f < n_paths; f++) {
        fe_reader r;
        int rc = fe_reader_open(&r, paths[f], opt, st);
        if (rc != FE_OK) {
            st->file_index = f;
            return rc;
        }
        int64_t in_piece = 0;
        const unsigned char *word;
        int64_t len;
        for (;;) {
            rc = fe_reader_next(&r, &word, &len, st);
            if (rc == FE_TOK_WORD) {
                rc = count_token(c, syn, word, len);
                if (rc != FE_OK) {
                    st->code = rc;
                    st->line = r.line;
                    snprintf(st->message, sizeof st->message,
                             "out of memory for the phrase counts (%lld entries); "
                             "max_vocab_size bounds them",
                             (long long)c->vocab.size);
                    break;
                }
                stats->total_tokens++;
                if (++in_piece == FE_PRUNE_PIECE) {
                    in_piece = 0;
                    check_size(c);
                }
                continue;
            }
            if (rc < 0) break;
            if (c->in_sentence > 0) stats->n_sentences++;
            /* a line without tokens is no sentence (gensim's LineSentence yields none) */
            if (in_piece > 0) check_size(c);
            c->has_start = 0;
            c->pending_len = 0;
            c->in_sentence = in_piece = 0;
            if (rc == FE_TOK_EOF) break;
        }
        if (r.bad_tokens > 0 && stats->bad_tokens == 0) {
            stats->first_bad_file = f;
            stats->first_bad_line = r.first_bad_line;
            stats->first_bad_offset = r.first_bad_offset;
        }
        stats->bad_tokens += r.bad_tokens;
        fe_reader_close(&r);
        if (rc < 0) {
            st->file_index = f;
            return rc;
        }
    }
    return FE_OK;
}

int fe_phrase_merge(fe_vocab *into, const fe_vocab *from)
{
    for (int64_t id = 0; id < from->size; id++) {
        const fe_vocab_record *rec = fe_vocab_at(from, id);
        if (fe_vocab_add(into, fe_vocab_bytes(from, id), rec->length, fe_vocab_count(from, id)) < 0)
            return FE_ERR_NOMEM;
    }
    return FE_OK;
}

/* ---- 2. scoring and applying ------------------------------------------------------------ */

/* Written as separate statements in gensim's order (subtract, divide, multiply) so that no
 * compiler contracts them into a fused multiply-add, which would round differently. */
double fe_phrase_default_score(int64_t a, int64_t b, int64_t ab, int64_t len_vocab,
                               double min_count)
{
    /* Python multiplies exactly, then rounds the product to a double: the same here unless
     * the product overflows int64 (counts beyond 3e9 each), where it may differ in the last
     * bit. Counts are never negative. */
    double denom;
    if (a > 0 && b > INT64_MAX / a) denom = (double)a * (double)b;
    else denom = (double)(a * b);
    if (denom == 0.0) return -INFINITY;
    double numer = (double)ab - min_count;
    double ratio = numer / denom;
    return ratio * (double)len_vocab;
}

int fe_phrase_npmi_score(int64_t a, int64_t b, int64_t ab, double min_count,
                         int64_t corpus_word_count, double *score)
{
    if (!((double)ab >= min_count)) {
        *score = -INFINITY;
        return FE_OK;
    }
    if (corpus_word_count == 0) return FE_ERR_ARG;
    double total = (double)corpus_word_count;
    double pa = (double)a / total;
    double pb = (double)b / total;
    double pab = (double)ab / total;
    double papb = pa * pb;
    if (papb == 0.0) return FE_ERR_ARG;
    double ratio = pab / papb;
    /* math.log raises ValueError (gensim: -inf) for 0 and negative arguments */
    if (!(ratio > 0.0) || !(pab > 0.0)) {
        *score = -INFINITY;
        return FE_OK;
    }
    double denom = -log(pab);
    if (denom == 0.0) return FE_ERR_ARG;
    *score = log(ratio) / denom;
    return FE_OK;
}

/* The scorer on known counts (all > 0). Returns 1, 0 or a negative FE_ERR_*. */
static int score_counts(const fe_phrase_model *m, int64_t ca, int64_t cb, int64_t cab,
                        double *score)
{
    int rc = FE_OK;
    if (m->scoring == FE_SCORE_DEFAULT)
        *score = fe_phrase_default_score(ca, cb, cab, m->counts->size, m->min_count);
    else if (m->scoring == FE_SCORE_NPMI)
        rc = fe_phrase_npmi_score(ca, cb, cab, m->min_count, m->corpus_word_count, score);
    else if (m->callback(m->callback_ctx, ca, cb, cab, score) != 0) rc = FE_ERR_CANCELLED;
    if (rc != FE_OK) return rc;
    return !(*score <= m->threshold);
}

/* fe_phrase_score with the count of a already known (ca, or -1 to look it up); *cb_out gets
 * the count of b (-1 when not looked up), which the greedy pass reuses when b becomes the next
 * start: one table lookup fewer per candidate. */
static int score_candidate(const fe_phrase_model *m, const unsigned char *a, int64_t a_len,
                           int64_t ca, const unsigned char *b, int64_t b_len, int64_t *cb_out,
                           const unsigned char *phrase, int64_t phrase_len, double *score)
{
    *cb_out = -1;
    if (!m->counts) {
        int64_t id = fe_vocab_find(m->frozen, phrase, phrase_len);
        if (id < 0) return 0;
        *score = m->frozen_score[id];
        return *score > m->threshold;
    }
    if (ca < 0) ca = count_of(m->counts, a, a_len);
    if (ca <= 0) return 0;
    int64_t cb = count_of(m->counts, b, b_len);
    *cb_out = cb;
    if (cb <= 0) return 0;
    int64_t cab = count_of(m->counts, phrase, phrase_len);
    if (cab <= 0) return 0;
    return score_counts(m, ca, cb, cab, score);
}

int fe_phrase_score(const fe_phrase_model *m, const unsigned char *a, int64_t a_len,
                    const unsigned char *b, int64_t b_len, const unsigned char *phrase,
                    int64_t phrase_len, double *score)
{
    int64_t cb;
    return score_candidate(m, a, a_len, -1, b, b_len, &cb, phrase, phrase_len, score);
}

/* Emits what the pending start and connectors become when no phrase forms: each alone. */
static void emit_alone(int64_t *span, int64_t from, int64_t to)
{
    for (int64_t k = from; k < to; k++) span[k] = 1;
}

static int64_t count_hashed(const fe_vocab *v, const unsigned char *w, int64_t n, uint64_t h)
{
    int64_t id = fe_vocab_find_hashed(v, w, n, h);
    return id < 0 ? 0 : fe_vocab_count(v, id);
}

/* Python's str.split(delim) scans left to right for non-overlapping matches: the first part
 * ends at the first match and the last part starts after the last match of that scan. */
static int split_ends(const unsigned char *w, int64_t n, const unsigned char *d, int64_t dn,
                      int64_t *first, int64_t *last)
{
    *first = *last = -1;
    int64_t i = 0;
    while (i + dn <= n) {
        /* the first byte tested inline: a call per position costs more than the scan */
        if (w[i] == d[0] && memcmp(w + i, d, (size_t)dn) == 0) {
            if (*first < 0) *first = i;
            *last = i;
            i += dn;
        } else {
            i++;
        }
    }
    return *first >= 0;
}

/* One candidate from the plan: start (its count ca when known, else -1) and token k, which
 * closes the planned phrase. Returns 1, 0 or a negative FE_ERR_*; *cb_out as in
 * score_candidate. */
static int score_planned(const fe_phrase_model *m, const fe_token_batch *b, const key_plan *p,
                         int64_t first, int64_t start, int64_t ca, int64_t k, int64_t *cb_out,
                         double *score)
{
    int64_t i = k - first;
    const unsigned char *key = p->keys.data + p->key_off[i];
    *cb_out = -1;
    if (!m->counts) {
        int64_t id = fe_vocab_find_hashed(m->frozen, key, p->key_len[i], p->key_hash[i]);
        if (id < 0) return 0;
        *score = m->frozen_score[id];
        return *score > m->threshold;
    }
    if (m->passing && m->syntax.delim_len > 0) {
        int64_t d_first, d_last, key_len = p->key_len[i];
        if (split_ends(key, key_len, m->syntax.delim, m->syntax.delim_len, &d_first, &d_last) &&
            d_first == b->len[start] && d_last == key_len - b->len[k] - m->syntax.delim_len) {
            int64_t id = fe_vocab_find_hashed(m->passing, key, key_len, p->key_hash[i]);
            if (id < 0) return 0;
            *score = m->passing_score[id];
            return 1;
        }
    }
    const fe_vocab *v = m->counts;
    if (ca < 0)
        ca = count_hashed(v, (const unsigned char *)b->ptr[start], b->len[start],
                          p->hash[start - first]);
    if (ca <= 0) return 0;
    int64_t cb = count_hashed(v, (const unsigned char *)b->ptr[k], b->len[k], p->hash[i]);
    *cb_out = cb;
    if (cb <= 0) return 0;
    int64_t cab = count_hashed(v, key, p->key_len[i], p->key_hash[i]);
    if (cab <= 0) return 0;
    return score_counts(m, ca, cb, cab, score);
}

int fe_phrase_apply(const fe_phrase_model *m, const fe_token_batch *batch, int64_t *span,
                    double *score)
{
    key_plan p;
    memset(&p, 0, sizeof p);
    const fe_vocab *table = m->counts ? (m->passing ? m->passing : m->counts) : m->frozen;
    int rc = FE_OK;
    for (int64_t s0 = 0; s0 < batch->n_sentences && rc == FE_OK;) {
        int64_t s1 = plan_end(batch, s0);
        rc = plan_tokens(&p, &m->syntax, batch, s0, s1);
        int64_t k = s0 > 0 ? batch->sentence_end[s0 - 1] : 0, first = k;
        for (int64_t s = s0; s < s1 && rc == FE_OK; s++) {
            int64_t start = -1;       /* the start token, or -1 */
            int64_t start_count = -1; /* its count when known, else -1 */
            for (; k < batch->sentence_end[s]; k++) {
                int64_t i = k - first, n = batch->len[k];
                prefetch_ahead(table, &p, i);
                span[k] = 0;
                if (p.connector[i]) {
                    if (start < 0) span[k] = 1; /* else it waits for the next word */
                    continue;
                }
                if (start >= 0) {
                    double sc = 0.0;
                    int64_t count_k;
                    int found =
                        score_planned(m, batch, &p, first, start, start_count, k, &count_k, &sc);
                    if (found < 0) {
                        rc = found;
                        break;
                    }
                    if (found) {
                        span[start] = k - start + 1;
                        score[start] = sc;
                        start = -1;
                        continue;
                    }
                    emit_alone(span, start, k);
                    start_count = count_k;
                } else {
                    start_count = -1;
                }
                start = n > 0 ? k : -1; /* an empty start is false in gensim's test: dropped */
            }
            if (rc == FE_OK && start >= 0) emit_alone(span, start, batch->sentence_end[s]);
            k = batch->sentence_end[s];
        }
        s0 = s1;
    }
    plan_free(&p);
    return rc;
}

static int score_export(const fe_phrase_model *m, const unsigned char *a, int64_t a_len,
                        const unsigned char *b, int64_t b_len, int64_t cab, double *score)
{
    int64_t ca = count_of(m->counts, a, a_len);
    if (ca <= 0) return 0;
    int64_t cb = count_of(m->counts, b, b_len);
    if (cb <= 0 || cab <= 0) return 0;
    return score_counts(m, ca, cb, cab, score);
}

int64_t fe_phrase_export(const fe_phrase_model *m, int64_t *ids, double *scores)
{
    const fe_vocab *v = m->counts;
    int64_t found = 0;
    if (m->syntax.delim_len <= 0) return FE_ERR_ARG;
    /* Entries whose own count already rules them out are skipped before their parts are
     * looked up (most entries are phrases seen a few times): the default score is <= 0 when
     * ab <= min_count, npmi's is -inf when ab < min_count, and neither passes a threshold
     * above it. The tests are the scorers' own comparisons, so NaNs take the same way. */
    int skip_default = m->scoring == FE_SCORE_DEFAULT && 0.0 <= m->threshold;
    int skip_npmi = m->scoring == FE_SCORE_NPMI && -INFINITY <= m->threshold;
    for (int64_t id = 0; id < v->size; id++) {
        int64_t cab = fe_vocab_count(v, id);
        if (skip_default && (double)cab - m->min_count <= 0.0) continue;
        if (skip_npmi && !((double)cab >= m->min_count)) continue;
        const unsigned char *w = fe_vocab_bytes(v, id);
        int64_t n = fe_vocab_at(v, id)->length, first, last;
        if (!split_ends(w, n, m->syntax.delim, m->syntax.delim_len, &first, &last)) continue;
        int64_t b_start = last + m->syntax.delim_len;
        double sc = 0.0;
        /* the phrase is this very entry: its count is at hand */
        int rc = score_export(m, w, first, w + b_start, n - b_start, cab, &sc);
        if (rc < 0) return rc;
        if (rc) {
            ids[found] = id;
            scores[found] = sc;
            found++;
        }
    }
    return found;
}

/* ---- 3. word2phrase --------------------------------------------------------------------- */

/* The counting pass: every token, and every pair of consecutive tokens (line ends do not
 * separate them; the first token pairs with an empty predecessor, as word2phrase's
 * uninitialised buffer would most often hold). */
static int w2p_count(fe_vocab *v, const char *path, const fe_read_options *opt,
                     int64_t *train_words, fe_status *st)
{
    fe_reader r;
    int rc = fe_reader_open(&r, path, opt, st);
    if (rc != FE_OK) return rc;
    bytes_buf last = {NULL, 0, 0}, pair = {NULL, 0, 0};
    const unsigned char *word;
    int64_t len;
    for (;;) {
        rc = fe_reader_next(&r, &word, &len, st);
        if (rc == FE_TOK_WORD) {
            (*train_words)++;
            pair.len = 0;
            if (fe_vocab_add(v, word, len, 1) < 0 || buf_append(&pair, last.data, last.len) ||
                buf_append(&pair, "_", 1) || buf_append(&pair, word, len) ||
                fe_vocab_add(v, pair.data, pair.len, 1) < 0) {
                rc = FE_ERR_NOMEM;
                snprintf(st->message, sizeof st->message, "out of memory for the counts");
                break;
            }
            last.len = 0;
            if (buf_append(&last, word, len)) {
                rc = FE_ERR_NOMEM;
                snprintf(st->message, sizeof st->message, "out of memory for the counts");
                break;
            }
            continue;
        }
        if (rc == FE_TOK_EOL) continue;
        break;
    }
    free(last.data);
    free(pair.data);
    fe_reader_close(&r);
    if (rc < 0) {
        st->code = rc;
        return rc;
    }
    return FE_OK;
}

#define W2P_FLUSH ((int64_t)1 << 16) /* bytes of output handed to write at a time */

int fe_word2phrase(const char *train_path, int64_t min_count, float threshold,
                   const fe_read_options *opt, fe_write_fn write, void *write_ctx,
                   fe_word2phrase_stats *stats, fe_status *st)
{
    fe_status_clear(st);
    memset(stats, 0, sizeof *stats);
    fe_vocab v;
    if (fe_vocab_init(&v) != FE_OK) return FE_ERR_NOMEM;
    int rc = w2p_count(&v, train_path, opt, &stats->train_words, st);
    if (rc != FE_OK) {
        st->file_index = 0;
        fe_vocab_free(&v);
        return rc;
    }
    fe_vocab_prune(&v, min_count);
    stats->vocab_size = v.size;

    fe_reader r;
    rc = fe_reader_open(&r, train_path, opt, st);
    if (rc != FE_OK) {
        st->file_index = 0;
        fe_vocab_free(&v);
        return rc;
    }
    bytes_buf last = {NULL, 0, 0}, pair = {NULL, 0, 0}, text = {NULL, 0, 0};
    int64_t pa = 0, pb = 0;
    int prev_known = 0, after_newline = 1; /* the first token of the file pairs with nothing */
    const unsigned char *word;
    int64_t len;
    for (;;) {
        rc = fe_reader_next(&r, &word, &len, st);
        if (rc < 0) break;
        if (rc == FE_TOK_EOF) {
            rc = FE_OK;
            break;
        }
        if (rc == FE_TOK_EOL) {
            if (buf_append(&text, "\n", 1)) {
                rc = FE_ERR_NOMEM;
                break;
            }
            after_newline = 1;
        } else {
            int64_t id = fe_vocab_find(&v, word, len);
            int oov = id < 0 || !prev_known || after_newline;
            if (id >= 0) pb = fe_vocab_count(&v, id);
            prev_known = id >= 0;
            pair.len = 0;
            int64_t pab = 0;
            if (!oov) {
                if (buf_append(&pair, last.data, last.len) || buf_append(&pair, "_", 1) ||
                    buf_append(&pair, word, len)) {
                    rc = FE_ERR_NOMEM;
                    break;
                }
                int64_t pid = fe_vocab_find(&v, pair.data, pair.len);
                if (pid < 0) oov = 1;
                else pab = fe_vocab_count(&v, pid);
            }
            if (pa < min_count || pb < min_count) oov = 1;
            /* single precision, one operation at a time, as word2phrase computes it */
            float score = 0.0f;
            if (!oov) {
                score = (float)(pab - min_count);
                score = score / (float)pa;
                score = score / (float)pb;
                score = score * (float)stats->train_words;
            }
            int join = score > threshold;
            if (join) {
                pb = 0;
                stats->phrases++;
            }
            if (buf_append(&text, join ? "_" : " ", 1) || buf_append(&text, word, len)) {
                rc = FE_ERR_NOMEM;
                break;
            }
            pa = pb;
            after_newline = 0;
            last.len = 0;
            if (buf_append(&last, word, len)) {
                rc = FE_ERR_NOMEM;
                break;
            }
        }
        if (text.len >= W2P_FLUSH) {
            if (write(write_ctx, text.data, text.len) != 0) {
                rc = FE_ERR_CANCELLED;
                break;
            }
            text.len = 0;
        }
    }
    if (rc == FE_OK && text.len > 0 && write(write_ctx, text.data, text.len) != 0)
        rc = FE_ERR_CANCELLED;
    st->file_index = 0;
    if (rc == FE_ERR_NOMEM) snprintf(st->message, sizeof st->message, "out of memory");
    st->code = rc;
    fe_reader_close(&r);
    free(last.data);
    free(pair.data);
    free(text.data);
    fe_vocab_free(&v);
    return rc;
}
