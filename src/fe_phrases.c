/* posix_memalign and madvise(MADV_HUGEPAGE) are outside strict C99 in glibc's headers */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE
#endif

#include "fe_phrases.h"

#include "fe_prefetch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __linux__
#include <sys/mman.h>
#endif

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

static int grow_array(void **p, int64_t n, size_t item)
{
    if ((uint64_t)n > SIZE_MAX / item) return FE_ERR_NOMEM;
    void *q = realloc(*p, (size_t)n * item);
    if (!q) return FE_ERR_NOMEM;
    *p = q;
    return FE_OK;
}

/* Pair slots, read and written at random: on 4 KiB pages most lookups in a large table miss
 * the TLB too, so on Linux a table of 2 MiB or more is mapped on its own and asked for
 * transparent huge pages (a hint, where the system allows them on request). Fresh mappings
 * are zero, so the table is not cleared a second time. Zeroed memory either way. */
#if defined(__linux__) && defined(MADV_HUGEPAGE) && defined(MAP_ANONYMOUS)
#define HUGE_PAGE ((size_t)2 << 20)
#endif

static void *alloc_zeroed_table(size_t bytes)
{
#ifdef HUGE_PAGE
    if (bytes >= HUGE_PAGE) {
        void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return NULL;
        madvise(p, bytes, MADV_HUGEPAGE);
        return p;
    }
#endif
    return calloc(bytes > 0 ? bytes : 1, 1);
}

static void free_zeroed_table(void *p, size_t bytes)
{
    if (!p) return;
#ifdef HUGE_PAGE
    if (bytes >= HUGE_PAGE) {
        munmap(p, bytes);
        return;
    }
#endif
    (void)bytes;
    free(p);
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
enum { PLAN_TOKENS = 4096, SLOT_AHEAD = 16, RECORD_AHEAD = 8 };
/* The counting pass by id does little per token besides its one pair-slot miss, so that slot
 * is asked for further ahead: enough misses in flight to cover the memory latency. */
enum { PAIR_AHEAD = 48 };

typedef struct key_plan {
    int64_t n;      /* tokens planned */
    uint64_t *hash; /* of each token (non-connectors only) */
    uint64_t *key0; /* by id: the key words of each token's fe_word_key */
    uint64_t *key1;
    uint64_t *key_hash; /* of the phrase the token closes */
    int64_t *key_off;   /* its bytes in keys, or -1: the token closes no phrase */
    int64_t *key_len;
    unsigned char *connector;
    int64_t cap;
    bytes_buf keys;
    /* by id: each token's word id (-1: unknown), whether it has no key by id (applying), and
     * the pair key the token closes (counting) */
    int64_t *word;
    unsigned char *odd;
    uint64_t *ends;
    uint32_t *run;
    uint32_t *run_ids; /* scratch: the ids between a candidate's ends */
    int64_t run_cap;
} key_plan;

static void plan_free(key_plan *p)
{
    free(p->hash);
    free(p->key0);
    free(p->key1);
    free(p->key_hash);
    free(p->key_off);
    free(p->key_len);
    free(p->connector);
    free(p->keys.data);
    free(p->word);
    free(p->odd);
    free(p->ends);
    free(p->run);
    free(p->run_ids);
    memset(p, 0, sizeof *p);
}

static int plan_reserve(key_plan *p, int64_t n)
{
    if (n <= p->cap) return FE_OK;
    plan_free(p);
    size_t m = (size_t)n;
    p->hash = (uint64_t *)malloc(m * sizeof(uint64_t));
    p->key0 = (uint64_t *)malloc(m * sizeof(uint64_t));
    p->key1 = (uint64_t *)malloc(m * sizeof(uint64_t));
    p->key_hash = (uint64_t *)malloc(m * sizeof(uint64_t));
    p->key_off = (int64_t *)malloc(m * sizeof(int64_t));
    p->key_len = (int64_t *)malloc(m * sizeof(int64_t));
    p->connector = (unsigned char *)malloc(m);
    p->word = (int64_t *)malloc(m * sizeof(int64_t));
    p->odd = (unsigned char *)malloc(m);
    p->ends = (uint64_t *)malloc(m * sizeof(uint64_t));
    p->run = (uint32_t *)malloc(m * sizeof(uint32_t));
    if (!p->hash || !p->key0 || !p->key1 || !p->key_hash || !p->key_off || !p->key_len ||
        !p->connector || !p->word || !p->odd || !p->ends || !p->run) {
        plan_free(p);
        return FE_ERR_NOMEM;
    }
    p->cap = n;
    return FE_OK;
}

/* Where the slot of a key would be: its first probe. */
static inline void prefetch_slot(const fe_vocab *v, uint64_t hash)
{
    FE_PREFETCH_READ(&v->slots[hash & ((uint64_t)v->n_slots - 1)]);
}

/* The count the first probe points at (the slot is in cache by now). */
static inline void prefetch_record(const fe_vocab *v, uint64_t hash)
{
    const fe_vocab_slot *slot = &v->slots[hash & ((uint64_t)v->n_slots - 1)];
    if (slot->len >= 0) FE_PREFETCH_READ(&v->counts[slot->id]);
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

/* Plans tokens of whole sentences s0 .. s1 for the passes by id: each token's fe_word_key
 * (one serves every table: each fe_vocab hashes with fe_hash_bytes), computed once, so that
 * no lookup reads the token's bytes again to compare keys. */
static int plan_hashes(key_plan *p, const fe_token_batch *b, int64_t s0, int64_t s1)
{
    int64_t first = s0 > 0 ? b->sentence_end[s0 - 1] : 0, last = b->sentence_end[s1 - 1];
    if (plan_reserve(p, last - first) != FE_OK) return FE_ERR_NOMEM;
    p->n = last - first;
    for (int64_t i = 0; i < p->n; i++) {
        fe_word_key k;
        fe_word_key_of(&k, (const unsigned char *)b->ptr[first + i], b->len[first + i], b->padded);
        p->hash[i] = k.hash;
        p->key0[i] = k.key[0];
        p->key1[i] = k.key[1];
    }
    return FE_OK;
}

static inline fe_word_key planned_key(const key_plan *p, int64_t i)
{
    fe_word_key k;
    k.hash = p->hash[i];
    k.key[0] = p->key0[i];
    k.key[1] = p->key1[i];
    return k;
}

/* ---- pair tables (phrases by word ids) ------------------------------------------------- */

static int by_seq(const void *x, const void *y)
{
    const int64_t *a = (const int64_t *)x, *b = (const int64_t *)y;
    return (a[0] > b[0]) - (a[0] < b[0]);
}

uint64_t fe_pair_hash(uint64_t ends, uint32_t run)
{
    /* a 64-bit finaliser (murmur3's) over the ends mixed with the run */
    uint64_t h = ends ^ ((uint64_t)run * 0x9E3779B97F4A7C15ull);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

void fe_pair_table_free(fe_pair_table *t)
{
    free_zeroed_table(t->slots, (size_t)t->n_slots * sizeof(fe_pair_slot));
    free(t->big);
    free(t->log_ends);
    free(t->log_run);
    free(t->log_seq);
    memset(t, 0, sizeof *t);
}

int64_t fe_pair_find(const fe_pair_table *t, uint64_t ends, uint32_t run, uint64_t hash)
{
    if (t->n_slots == 0) return -1;
    uint64_t mask = (uint64_t)t->n_slots - 1;
    uint32_t run1 = run + 1;
    for (uint64_t i = hash & mask; t->slots[i].run1; i = (i + 1) & mask)
        if (t->slots[i].ends == ends && t->slots[i].run1 == run1) return (int64_t)i;
    return -1;
}

static int64_t big_index(const fe_pair_table *t, uint64_t ends, uint32_t run)
{
    for (int64_t k = 0; k < t->n_big; k++)
        if (t->big[k].ends == ends && t->big[k].run == run) return k;
    return -1;
}

int64_t fe_pair_count(const fe_pair_table *t, int64_t slot)
{
    const fe_pair_slot *s = &t->slots[slot];
    if (s->count < UINT32_MAX) return s->count;
    int64_t k = big_index(t, s->ends, s->run1 - 1);
    return k >= 0 ? t->big[k].count : INT64_MAX; /* always found: the table keeps it */
}

/* Adds count (>= 0) to a slot whose count does not fit 32 bits (any more). */
static int add_big(fe_pair_table *t, fe_pair_slot *s, int64_t count)
{
    uint32_t run = s->run1 - 1;
    if (s->count == UINT32_MAX) {
        int64_t k = big_index(t, s->ends, run);
        t->big[k].count += count;
        return FE_OK;
    }
    if (t->n_big >= t->big_cap) {
        int64_t cap = t->big_cap > 0 ? t->big_cap * 2 : 8;
        if (grow_array((void **)&t->big, cap, sizeof *t->big)) return FE_ERR_NOMEM;
        t->big_cap = cap;
    }
    t->big[t->n_big].ends = s->ends;
    t->big[t->n_big].run = run;
    t->big[t->n_big].count = (int64_t)s->count + count;
    t->n_big++;
    s->count = UINT32_MAX;
    return FE_OK;
}

static inline int add_to_slot(fe_pair_table *t, fe_pair_slot *s, int64_t count)
{
    if ((uint64_t)count < (uint64_t)(UINT32_MAX - s->count)) {
        s->count += (uint32_t)count;
        return FE_OK;
    }
    return add_big(t, s, count);
}

/* The empty slot where the key goes (it is not in the table). */
static uint64_t pair_free_slot(const fe_pair_slot *slots, int64_t n_slots, uint64_t ends,
                               uint32_t run)
{
    uint64_t mask = (uint64_t)n_slots - 1;
    uint64_t i = fe_pair_hash(ends, run) & mask;
    while (slots[i].run1) i = (i + 1) & mask;
    return i;
}

/* Moves the used slots of t into a fresh array of n_slots. */
static int pair_rehash(fe_pair_table *t, int64_t n_slots)
{
    if ((uint64_t)n_slots > SIZE_MAX / sizeof(fe_pair_slot)) return FE_ERR_NOMEM;
    size_t bytes = (size_t)n_slots * sizeof(fe_pair_slot);
    fe_pair_slot *slots = (fe_pair_slot *)alloc_zeroed_table(bytes);
    if (!slots) return FE_ERR_NOMEM;
    for (int64_t i = 0; i < t->n_slots; i++) {
        const fe_pair_slot *s = &t->slots[i];
        if (s->run1) slots[pair_free_slot(slots, n_slots, s->ends, s->run1 - 1)] = *s;
    }
    free_zeroed_table(t->slots, (size_t)t->n_slots * sizeof(fe_pair_slot));
    t->slots = slots;
    t->n_slots = n_slots;
    return FE_OK;
}

static int log_key(fe_pair_table *t, uint64_t ends, uint32_t run, int64_t seq)
{
    if (t->log_len >= t->log_cap) {
        int64_t cap = t->log_cap > 0 ? t->log_cap * 2 : 1024;
        if (grow_array((void **)&t->log_ends, cap, sizeof *t->log_ends) ||
            grow_array((void **)&t->log_run, cap, sizeof *t->log_run) ||
            grow_array((void **)&t->log_seq, cap, sizeof *t->log_seq))
            return FE_ERR_NOMEM;
        t->log_cap = cap;
    }
    t->log_ends[t->log_len] = ends;
    t->log_run[t->log_len] = run;
    t->log_seq[t->log_len] = seq;
    t->log_len++;
    return FE_OK;
}

/* Adds count (>= 0) to the key, inserted if new (and logged with position *seq, then
 * incremented, when seq is given). Returns its slot or -1 (out of memory). */
static inline int64_t pair_add(fe_pair_table *t, uint64_t ends, uint32_t run, uint64_t hash,
                               int64_t count, int64_t *seq)
{
    uint64_t i = 0;
    uint32_t run1 = run + 1;
    if (t->n_slots > 0) {
        uint64_t mask = (uint64_t)t->n_slots - 1;
        for (i = hash & mask; t->slots[i].run1; i = (i + 1) & mask) {
            fe_pair_slot *s = &t->slots[i];
            if (s->ends == ends && s->run1 == run1)
                return add_to_slot(t, s, count) == FE_OK ? (int64_t)i : -1;
        }
    }
    /* at most 7/10 full; grown four times over, since each rehash moves every entry */
    if ((t->size + 1) * 10 > t->n_slots * 7) {
        int64_t n_slots = t->n_slots > 0 ? t->n_slots : 1024;
        while ((t->size + 1) * 10 > n_slots * 7) n_slots *= 4;
        if (pair_rehash(t, n_slots) != FE_OK) return -1;
        i = pair_free_slot(t->slots, t->n_slots, ends, run);
    }
    if (seq && log_key(t, ends, run, *seq) != FE_OK) return -1;
    if (seq) (*seq)++;
    fe_pair_slot *s = &t->slots[i];
    s->ends = ends;
    s->run1 = run1;
    s->count = 0;
    t->size++;
    return add_to_slot(t, s, count) == FE_OK ? (int64_t)i : -1;
}

/* Empties slot i, moving later slots of its probe chain back so that every key stays
 * reachable from its home slot (deletion for linear probing, without tombstones). */
static void pair_delete(fe_pair_table *t, uint64_t i)
{
    if (t->slots[i].count == UINT32_MAX) {
        int64_t k = big_index(t, t->slots[i].ends, t->slots[i].run1 - 1);
        t->big[k] = t->big[--t->n_big];
    }
    uint64_t mask = (uint64_t)t->n_slots - 1, j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!t->slots[j].run1) break;
        uint64_t home = fe_pair_hash(t->slots[j].ends, t->slots[j].run1 - 1) & mask;
        /* the key at j may fill the hole at i unless its home lies cyclically in (i, j] */
        int stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (stays) continue;
        t->slots[i] = t->slots[j];
        i = j;
    }
    t->slots[i].run1 = 0;
    t->size--;
}

/* In place (no memory needed), in log order: each logged key is found and kept or deleted,
 * and the log keeps the survivors. */
static void pair_prune(fe_pair_table *t, int64_t min_count)
{
    int64_t kept = 0;
    for (int64_t k = 0; k < t->log_len; k++) {
        uint64_t ends = t->log_ends[k];
        uint32_t run = t->log_run[k];
        int64_t slot = fe_pair_find(t, ends, run, fe_pair_hash(ends, run));
        if (slot < 0) continue; /* not there: cannot happen, the log and table agree */
        if (fe_pair_count(t, slot) < min_count) {
            pair_delete(t, (uint64_t)slot);
            continue;
        }
        t->log_ends[kept] = ends;
        t->log_run[kept] = run;
        t->log_seq[kept] = t->log_seq[k];
        kept++;
    }
    t->log_len = kept;
}

static inline void prefetch_pair(const fe_pair_table *t, uint64_t hash)
{
    if (t->n_slots > 0) FE_PREFETCH_READ(&t->slots[hash & ((uint64_t)t->n_slots - 1)]);
}

/* The count of the phrase logged at place k. */
static int64_t logged_count(const fe_pair_table *t, int64_t k)
{
    uint64_t ends = t->log_ends[k];
    uint32_t run = t->log_run[k];
    int64_t slot = fe_pair_find(t, ends, run, fe_pair_hash(ends, run));
    return slot < 0 ? 0 : fe_pair_count(t, slot);
}

/* ---- the counter ------------------------------------------------------------------------- */

int fe_phrase_counter_init(fe_phrase_counter *c, int64_t max_vocab_size, const unsigned char *delim,
                           int64_t delim_len)
{
    memset(c, 0, sizeof *c);
    c->max_vocab_size = max_vocab_size;
    c->min_reduce = 1;
    c->pending_word = -1;
    /* an empty delimiter would make every join ambiguous: such counts are kept by string */
    c->by_id = delim_len > 0;
    if (fe_vocab_init(&c->vocab) != FE_OK || fe_vocab_init(&c->words) != FE_OK ||
        fe_vocab_init(&c->runs) != FE_OK)
        return FE_ERR_NOMEM;
    if (delim_len > 0) {
        c->delim = (unsigned char *)malloc((size_t)delim_len);
        if (!c->delim) return FE_ERR_NOMEM;
        memcpy(c->delim, delim, (size_t)delim_len);
        c->delim_len = delim_len;
        for (int64_t i = 0; i < delim_len; i++) c->delim_byte[delim[i]] = 1;
    }
    return FE_OK;
}

static void free_ids(fe_phrase_counter *c)
{
    fe_vocab_free(&c->words);
    fe_vocab_free(&c->runs);
    fe_pair_table_free(&c->phrases);
    free(c->word_stat);
    free(c->pending_run);
    c->word_stat = NULL;
    c->pending_run = NULL;
    c->word_cap = c->n_unigrams = c->pending_run_len = c->pending_run_cap = 0;
    c->pending_word = -1;
}

void fe_phrase_counter_free(fe_phrase_counter *c)
{
    fe_vocab_free(&c->vocab);
    free_ids(c);
    free(c->delim);
    c->delim = NULL;
    free(c->pending);
    c->pending = NULL;
    c->pending_len = c->pending_cap = 0;
}

int64_t fe_phrase_counter_size(const fe_phrase_counter *c)
{
    return c->by_id ? c->n_unigrams + c->phrases.size : c->vocab.size;
}

static int has_delim_byte(const fe_phrase_counter *c, const unsigned char *w, int64_t n)
{
    if (c->delim_len == 1) return n > 0 && memchr(w, c->delim[0], (size_t)n) != NULL;
    for (int64_t i = 0; i < n; i++)
        if (c->delim_byte[w[i]]) return 1;
    return 0;
}

/* The stats of a word just interned (id < 0: passed on). */
static int64_t new_word(fe_phrase_counter *c, int64_t id)
{
    if (id < 0) return id;
    if (id >= c->word_cap) {
        int64_t cap = c->word_cap > 0 ? c->word_cap * 2 : 4096;
        if (grow_array((void **)&c->word_stat, cap, sizeof *c->word_stat)) return -1;
        c->word_cap = cap;
    }
    c->word_stat[id].count = 0;
    c->word_stat[id].seq = -1;
    return id;
}

/* The id of a token, interned if new (-1: out of memory). Found is the usual case, which then
 * reads no count of the table (unused here). */
static inline int64_t intern_word(fe_phrase_counter *c, const unsigned char *w, int64_t n,
                                  uint64_t h)
{
    int64_t id = fe_vocab_find_hashed(&c->words, w, n, h);
    return id >= 0 ? id : new_word(c, fe_vocab_add_hashed(&c->words, w, n, h, 0));
}

/* The same for a token whose fe_word_key is known. */
static inline int64_t intern_keyed(fe_phrase_counter *c, const unsigned char *w, int64_t n,
                                   const fe_word_key *k)
{
    int64_t id = fe_vocab_find_keyed(&c->words, w, n, k);
    return id >= 0 ? id : new_word(c, fe_vocab_add_keyed(&c->words, w, n, k, 0));
}

static inline void count_unigram(fe_phrase_counter *c, int64_t id, int64_t count)
{
    if (c->word_stat[id].seq < 0) {
        c->word_stat[id].seq = c->next_seq++;
        c->n_unigrams++;
    }
    c->word_stat[id].count += count;
}

/* The run of the word ids between a phrase's ends: 0 for none, else 1 + its id in the runs
 * table (interned when add, else 0 when unknown too: the caller tells by n > 0). -1: out of
 * memory. */
static int64_t run_of(fe_phrase_counter *c, const uint32_t *ids, int64_t n, int add)
{
    if (n == 0) return 0;
    const unsigned char *key = (const unsigned char *)ids;
    int64_t len = n * (int64_t)sizeof *ids;
    int64_t id = add ? fe_vocab_add(&c->runs, key, len, 0) : fe_vocab_find(&c->runs, key, len);
    if (id < 0) return add ? -1 : 0;
    if (id >= (int64_t)UINT32_MAX - 1) return -1;
    return id + 1;
}

static inline uint64_t pair_ends(int64_t a, int64_t b) { return ((uint64_t)a << 32) | (uint64_t)b; }

/* Word ids are below 2^32 (fe_vocab's limit), so each end fits its half of the key. */
static int add_phrase_ids(fe_phrase_counter *c, int64_t a, const uint32_t *between, int64_t n,
                          int64_t b, int64_t count)
{
    int64_t run = run_of(c, between, n, 1);
    if (run < 0) return FE_ERR_NOMEM;
    uint64_t ends = pair_ends(a, b);
    return pair_add(&c->phrases, ends, (uint32_t)run, fe_pair_hash(ends, (uint32_t)run), count,
                    &c->next_seq) < 0
        ? FE_ERR_NOMEM
        : FE_OK;
}

/* Splits w at each delimiter (left to right, as str.split): the parts' offsets and lengths in
 * starts/lens (grown as needed); returns how many, or -1 out of memory. */
static int64_t split_parts(const fe_phrase_counter *c, const unsigned char *w, int64_t n,
                           int64_t **starts, int64_t **lens, int64_t *cap)
{
    int64_t parts = 0, from = 0, i = 0, dn = c->delim_len;
    for (;;) {
        int at_end = i + dn > n;
        int match = !at_end && w[i] == c->delim[0] && memcmp(w + i, c->delim, (size_t)dn) == 0;
        if (!at_end && !match) {
            i++;
            continue;
        }
        if (parts >= *cap) {
            int64_t nc = *cap > 0 ? *cap * 2 : 16;
            if (grow_array((void **)starts, nc, sizeof **starts) ||
                grow_array((void **)lens, nc, sizeof **lens))
                return -1;
            *cap = nc;
        }
        (*starts)[parts] = from;
        (*lens)[parts] = (at_end ? n : i) - from;
        parts++;
        if (at_end) return parts;
        i += dn;
        from = i;
    }
}

/* The ids of the parts of w (its split at the delimiter), when every part is free of the
 * delimiter's bytes and known (or interned, with add): that is an entry's key by id. Returns
 * the number of parts (ids in *ids), 0 when w has no such key, -1 out of memory. */
static int64_t parts_of(fe_phrase_counter *c, const unsigned char *w, int64_t n, int add,
                        uint32_t **ids, int64_t *ids_cap)
{
    int64_t *starts = NULL, *lens = NULL, cap = 0;
    int64_t parts = split_parts(c, w, n, &starts, &lens, &cap);
    if (parts > 0 && parts > *ids_cap) {
        if (grow_array((void **)ids, parts, sizeof **ids)) parts = -1;
        else *ids_cap = parts;
    }
    for (int64_t k = 0; k < parts; k++) {
        const unsigned char *p = w + starts[k];
        if (has_delim_byte(c, p, lens[k])) {
            parts = 0;
            break;
        }
        uint64_t h = fe_hash_bytes(p, lens[k]);
        int64_t id =
            add ? intern_word(c, p, lens[k], h) : fe_vocab_find_hashed(&c->words, p, lens[k], h);
        if (id < 0) {
            parts = add ? -1 : 0;
            break;
        }
        (*ids)[k] = (uint32_t)id;
    }
    free(starts);
    free(lens);
    return parts;
}

static int64_t phrase_by_ids(const fe_phrase_counter *c, const uint32_t *ids, int64_t n)
{
    int64_t run = run_of((fe_phrase_counter *)c, ids + 1, n - 2, 0);
    if (n > 2 && run == 0) return -1;
    uint64_t ends = pair_ends(ids[0], ids[n - 1]);
    return fe_pair_find(&c->phrases, ends, (uint32_t)run, fe_pair_hash(ends, (uint32_t)run));
}

int64_t fe_phrase_counter_get(const fe_phrase_counter *c, const unsigned char *w, int64_t n)
{
    if (!c->by_id) return count_of(&c->vocab, w, n);
    if (!has_delim_byte(c, w, n)) {
        int64_t id = fe_vocab_find(&c->words, w, n);
        return id < 0 ? 0 : c->word_stat[id].count;
    }
    uint32_t *ids = NULL;
    int64_t cap = 0, count = 0;
    /* lookups only: the cast does not write */
    int64_t parts = parts_of((fe_phrase_counter *)c, w, n, 0, &ids, &cap);
    if (parts >= 2) {
        int64_t k = phrase_by_ids(c, ids, parts);
        if (k >= 0) count = fe_pair_count(&c->phrases, k);
    }
    free(ids);
    return count;
}

/* Entry handles by id: a unigram is -(word id) - 1, a phrase its index. */
int64_t fe_phrase_entry_length(const fe_phrase_counter *c, int64_t handle)
{
    if (!c->by_id) return fe_vocab_at(&c->vocab, handle)->length;
    if (handle < 0) return fe_vocab_at(&c->words, -handle - 1)->length;
    uint64_t ends = c->phrases.log_ends[handle];
    uint32_t run = c->phrases.log_run[handle];
    int64_t n = fe_vocab_at(&c->words, (int64_t)(ends >> 32))->length + c->delim_len +
        fe_vocab_at(&c->words, (int64_t)(ends & 0xffffffffu))->length;
    if (run > 0) {
        const fe_vocab_record *r = fe_vocab_at(&c->runs, run - 1);
        const uint32_t *ids = (const uint32_t *)(const void *)fe_vocab_bytes(&c->runs, run - 1);
        for (int64_t k = 0; k < r->length / 4; k++)
            n += fe_vocab_at(&c->words, ids[k])->length + c->delim_len;
    }
    return n;
}

static unsigned char *put_word(const fe_phrase_counter *c, int64_t id, unsigned char *out)
{
    int64_t n = fe_vocab_at(&c->words, id)->length;
    if (n > 0) memcpy(out, fe_vocab_bytes(&c->words, id), (size_t)n);
    return out + n;
}

static unsigned char *put_delim(const fe_phrase_counter *c, unsigned char *out)
{
    memcpy(out, c->delim, (size_t)c->delim_len);
    return out + c->delim_len;
}

void fe_phrase_entry_write(const fe_phrase_counter *c, int64_t handle, unsigned char *out)
{
    if (!c->by_id) {
        int64_t n = fe_vocab_at(&c->vocab, handle)->length;
        if (n > 0) memcpy(out, fe_vocab_bytes(&c->vocab, handle), (size_t)n);
        return;
    }
    if (handle < 0) {
        put_word(c, -handle - 1, out);
        return;
    }
    uint64_t ends = c->phrases.log_ends[handle];
    uint32_t run = c->phrases.log_run[handle];
    out = put_delim(c, put_word(c, (int64_t)(ends >> 32), out));
    if (run > 0) {
        const fe_vocab_record *r = fe_vocab_at(&c->runs, run - 1);
        const uint32_t *ids = (const uint32_t *)(const void *)fe_vocab_bytes(&c->runs, run - 1);
        for (int64_t k = 0; k < r->length / 4; k++) out = put_delim(c, put_word(c, ids[k], out));
    }
    put_word(c, (int64_t)(ends & 0xffffffffu), out);
}

int64_t fe_phrase_entry_count(const fe_phrase_counter *c, int64_t handle)
{
    if (!c->by_id) return fe_vocab_count(&c->vocab, handle);
    return handle < 0 ? c->word_stat[-handle - 1].count : logged_count(&c->phrases, handle);
}


/* The unigrams as (position, word id) pairs in first-seen order; NULL when out of memory (or
 * none: *n says). */
static int64_t *unigrams_in_order(const fe_phrase_counter *c, int64_t *n)
{
    *n = 0;
    int64_t *pairs = (int64_t *)malloc((size_t)(c->n_unigrams > 0 ? c->n_unigrams : 1) * 16);
    if (!pairs) return NULL;
    for (int64_t id = 0; id < c->words.size; id++) {
        if (c->word_stat[id].seq < 0) continue;
        pairs[2 * *n] = c->word_stat[id].seq;
        pairs[2 * *n + 1] = id;
        (*n)++;
    }
    qsort(pairs, (size_t)*n, 16, by_seq);
    return pairs;
}

/* Both lists are in first-seen order; merged by position. Out of memory: the unigrams first,
 * then the phrases (handles are still every entry). */
void fe_phrase_counter_entries(const fe_phrase_counter *c, int64_t *handles)
{
    if (!c->by_id) {
        for (int64_t id = 0; id < c->vocab.size; id++) handles[id] = id;
        return;
    }
    const fe_pair_table *t = &c->phrases;
    int64_t n_uni, u = 0, p = 0, out = 0;
    int64_t *uni = unigrams_in_order(c, &n_uni);
    if (!uni) { /* out of memory: every entry still, the unigrams first */
        for (int64_t id = 0; id < c->words.size; id++)
            if (c->word_stat[id].seq >= 0) handles[out++] = -id - 1;
        for (; p < t->log_len; p++) handles[out++] = p;
        return;
    }
    /* both in first-seen order: merged by position */
    while (u < n_uni || p < t->log_len) {
        if (p >= t->log_len || (u < n_uni && uni[2 * u] < t->log_seq[p]))
            handles[out++] = -uni[2 * u++ + 1] - 1;
        else handles[out++] = p++;
    }
    free(uni);
}

/* Gives up the ids for good: every entry, in first-seen order, into the string table (and the
 * sentence being counted from a file into the pending bytes). */
static int switch_to_strings(fe_phrase_counter *c)
{
    if (!c->by_id) return FE_OK;
    int64_t n = fe_phrase_counter_size(c);
    int64_t *handles = (int64_t *)malloc((size_t)(n > 0 ? n : 1) * sizeof(int64_t));
    bytes_buf b = {NULL, 0, 0};
    if (!handles) return FE_ERR_NOMEM;
    fe_phrase_counter_entries(c, handles);
    int rc = FE_OK;
    for (int64_t i = 0; i < n && rc == FE_OK; i++) {
        int64_t len = fe_phrase_entry_length(c, handles[i]);
        rc = reserve_bytes(&b.data, &b.cap, len + 1);
        if (rc != FE_OK) break;
        fe_phrase_entry_write(c, handles[i], b.data);
        if (fe_vocab_add(&c->vocab, b.data, len, fe_phrase_entry_count(c, handles[i])) < 0)
            rc = FE_ERR_NOMEM;
    }
    b.len = 0;
    if (rc == FE_OK && c->pending_word >= 0) {
        int64_t id = c->pending_word;
        rc = buf_append(&b, fe_vocab_bytes(&c->words, id), fe_vocab_at(&c->words, id)->length);
        for (int64_t k = 0; k < c->pending_run_len && rc == FE_OK; k++) {
            id = c->pending_run[k];
            rc = buf_append(&b, c->delim, c->delim_len);
            if (rc == FE_OK)
                rc = buf_append(&b, fe_vocab_bytes(&c->words, id),
                                fe_vocab_at(&c->words, id)->length);
        }
        if (rc == FE_OK) {
            c->pending_len = 0;
            bytes_buf pend = {c->pending, 0, c->pending_cap};
            rc = buf_append(&pend, b.data, b.len);
            c->pending = pend.data;
            c->pending_len = pend.len;
            c->pending_cap = pend.cap;
            c->has_start = 1;
        }
    }
    free(handles);
    free(b.data);
    if (rc != FE_OK) return rc;
    free_ids(c);
    c->by_id = 0;
    return FE_OK;
}

int fe_phrase_counter_add(fe_phrase_counter *c, const unsigned char *w, int64_t n, int64_t count)
{
    if (c->by_id && !has_delim_byte(c, w, n)) {
        int64_t id = intern_word(c, w, n, fe_hash_bytes(w, n));
        if (id < 0) return FE_ERR_NOMEM;
        count_unigram(c, id, count);
        return FE_OK;
    }
    if (c->by_id) {
        uint32_t *ids = NULL;
        int64_t cap = 0;
        int64_t parts = parts_of(c, w, n, 1, &ids, &cap);
        int rc = FE_OK;
        if (parts < 0) rc = FE_ERR_NOMEM;
        else if (parts >= 2)
            rc = add_phrase_ids(c, ids[0], ids + 1, parts - 2, ids[parts - 1], count);
        free(ids);
        if (rc != FE_OK || parts >= 2) return rc;
        /* a string the ids cannot spell (delimiter bytes, but not a split into clean parts) */
        rc = switch_to_strings(c);
        if (rc != FE_OK) return rc;
    }
    return fe_vocab_add(&c->vocab, w, n, count) < 0 ? FE_ERR_NOMEM : FE_OK;
}

void fe_phrase_counter_prune(fe_phrase_counter *c, int64_t min_count)
{
    if (!c->by_id) {
        fe_vocab_prune(&c->vocab, min_count);
        return;
    }
    /* the words stay interned (phrases name them by id); only their entries go */
    for (int64_t id = 0; id < c->words.size; id++) {
        if (c->word_stat[id].seq >= 0 && c->word_stat[id].count < min_count) {
            c->word_stat[id].seq = -1;
            c->word_stat[id].count = 0;
            c->n_unigrams--;
        }
    }
    pair_prune(&c->phrases, min_count);
}

/* ---- 1. counting ------------------------------------------------------------------------ */

/* gensim checks the table size after every sentence its corpus yields. */
static void check_size(fe_phrase_counter *c)
{
    if (c->max_vocab_size >= 0 && fe_phrase_counter_size(c) > c->max_vocab_size) {
        fe_phrase_counter_prune(c, c->min_reduce);
        c->min_reduce++;
    }
}

static void reset_sentence(fe_phrase_counter *c)
{
    c->has_start = 0;
    c->pending_len = 0;
    c->pending_word = -1;
    c->pending_run_len = 0;
    c->in_sentence = 0;
}

static void end_sentence(fe_phrase_counter *c)
{
    reset_sentence(c);
    check_size(c);
}

/* Counts can stay by id while every token is free of the delimiter's bytes and the delimiter
 * is the one the ids are joined with. */
static int syntax_fits(const fe_phrase_counter *c, const fe_phrase_syntax *syn)
{
    return syn->delim_len == c->delim_len &&
        memcmp(syn->delim, c->delim, (size_t)c->delim_len) == 0;
}

/* One token of a sentence read from a file, by string. The phrase key is built in the
 * pending buffer itself: pending holds "start<d>c1<d>..." and gets "<d>token" appended, is
 * counted, then becomes just "token" for the next candidate. */
static int count_token_string(fe_phrase_counter *c, const fe_phrase_syntax *syn,
                              const unsigned char *w, int64_t n, int connector)
{
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

/* The same by id: the start word and the connectors' ids are kept instead of bytes. */
static int count_token_id(fe_phrase_counter *c, const unsigned char *w, int64_t n, uint64_t h,
                          int connector)
{
    if (connector && c->pending_word < 0) return FE_OK;
    int64_t id = intern_word(c, w, n, h);
    if (id < 0) return FE_ERR_NOMEM;
    if (connector) {
        if (c->pending_run_len >= c->pending_run_cap) {
            int64_t cap = c->pending_run_cap > 0 ? c->pending_run_cap * 2 : 16;
            if (grow_array((void **)&c->pending_run, cap, sizeof *c->pending_run))
                return FE_ERR_NOMEM;
            c->pending_run_cap = cap;
        }
        c->pending_run[c->pending_run_len++] = (uint32_t)id;
        return FE_OK;
    }
    count_unigram(c, id, 1);
    if (c->pending_word >= 0 &&
        add_phrase_ids(c, c->pending_word, c->pending_run, c->pending_run_len, id, 1) != FE_OK)
        return FE_ERR_NOMEM;
    c->pending_word = id;
    c->pending_run_len = 0;
    return FE_OK;
}

static int count_token(fe_phrase_counter *c, const fe_phrase_syntax *syn, const unsigned char *w,
                       int64_t n, uint64_t h)
{
    c->total_words++;
    c->in_sentence++;
    int connector = syn->connectors && syn->connectors->size > 0 &&
        fe_vocab_find_hashed(syn->connectors, w, n, h) >= 0;
    if (c->by_id && (!syntax_fits(c, syn) || has_delim_byte(c, w, n))) {
        int rc = switch_to_strings(c);
        if (rc != FE_OK) return rc;
    }
    return c->by_id ? count_token_id(c, w, n, h, connector)
                    : count_token_string(c, syn, w, n, connector);
}

static int count_batch_strings(fe_phrase_counter *c, const fe_phrase_syntax *syn,
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

/* Which words are connectors, by word id, for the words known when a pass starts (the
 * connector table is looked up once per connector, not once per token). NULL: out of memory. */
typedef struct connector_flags {
    unsigned char *is; /* IS_* bits */
    int64_t n;
} connector_flags;

/* what applying also marks: the words that start or end a phrase of the passing table */
enum { IS_CONNECTOR = 1, STARTS_PASSING = 2, ENDS_PASSING = 4 };

static int flag_connectors(connector_flags *f, const fe_vocab *words, const fe_phrase_syntax *syn)
{
    f->n = words->size;
    f->is = (unsigned char *)calloc((size_t)(f->n > 0 ? f->n : 1), 1);
    if (!f->is) return FE_ERR_NOMEM;
    const fe_vocab *conn = syn->connectors;
    for (int64_t id = 0; conn && id < conn->size; id++) {
        const fe_vocab_record *r = fe_vocab_at(conn, id);
        int64_t w = fe_vocab_find_hashed(words, fe_vocab_bytes(conn, id), r->length, r->hash);
        if (w >= 0) f->is[w] |= IS_CONNECTOR;
    }
    return FE_OK;
}

/* Word ids of a stretch of tokens, looked up (or interned, with add) in the order of the
 * plan, the slots of tokens a few places ahead prefetched; and whether each is a connector
 * (a word unknown to the flags is looked up in the connector table). */
static int plan_word_ids(key_plan *p, fe_phrase_counter *c, const fe_phrase_syntax *syn,
                         const connector_flags *flags, const fe_token_batch *b, int64_t first,
                         int add)
{
    const fe_vocab *words = &c->words;
    int check = syn->connectors && syn->connectors->size > 0;
    for (int64_t i = 0; i < p->n; i++) {
        int64_t j = i + SLOT_AHEAD;
        if (j < p->n && words->n_slots > 0) prefetch_slot(words, p->hash[j]);
        const unsigned char *w = (const unsigned char *)b->ptr[first + i];
        int64_t n = b->len[first + i], id;
        fe_word_key key = planned_key(p, i);
        id = add ? intern_keyed(c, w, n, &key) : fe_vocab_find_keyed(words, w, n, &key);
        if (add && id < 0) return FE_ERR_NOMEM;
        p->word[i] = id;
        if (id >= 0 && id < flags->n) p->connector[i] = flags->is[id] & IS_CONNECTOR;
        else p->connector[i] = check && fe_vocab_find_keyed(syn->connectors, w, n, &key) >= 0;
    }
    return FE_OK;
}

/* The pair key each token closes when counting (start: the previous non-connector of its
 * sentence; the connectors between form the run): key_off[i] >= 0 marks one. */
static int plan_pair_keys(key_plan *p, fe_phrase_counter *c, const fe_token_batch *b, int64_t s0,
                          int64_t s1)
{
    int64_t first = s0 > 0 ? b->sentence_end[s0 - 1] : 0, k = first;
    for (int64_t s = s0; s < s1; s++) {
        int64_t start = -1, between = 0;
        for (; k < b->sentence_end[s]; k++) {
            int64_t i = k - first;
            p->key_off[i] = -1;
            if (p->connector[i]) {
                if (start >= 0) {
                    if (between >= p->run_cap) {
                        int64_t cap = p->run_cap > 0 ? p->run_cap * 2 : 64;
                        if (grow_array((void **)&p->run_ids, cap, sizeof *p->run_ids))
                            return FE_ERR_NOMEM;
                        p->run_cap = cap;
                    }
                    p->run_ids[between++] = (uint32_t)p->word[i];
                }
                continue;
            }
            if (start >= 0) {
                int64_t run = run_of(c, p->run_ids, between, 1);
                if (run < 0) return FE_ERR_NOMEM;
                p->ends[i] = pair_ends(p->word[start], p->word[i]);
                p->run[i] = (uint32_t)run;
                p->key_hash[i] = fe_pair_hash(p->ends[i], p->run[i]);
                p->key_off[i] = 0;
            }
            start = i;
            between = 0;
        }
    }
    return FE_OK;
}

static int count_batch_ids(fe_phrase_counter *c, const fe_phrase_syntax *syn,
                           const fe_token_batch *batch)
{
    key_plan p;
    memset(&p, 0, sizeof p);
    connector_flags flags;
    int rc = flag_connectors(&flags, &c->words, syn);
    fe_pair_table *t = &c->phrases;
    for (int64_t s0 = 0; s0 < batch->n_sentences && rc == FE_OK;) {
        int64_t s1 = plan_end(batch, s0);
        int64_t k = s0 > 0 ? batch->sentence_end[s0 - 1] : 0, first = k;
        rc = plan_hashes(&p, batch, s0, s1);
        if (rc == FE_OK) rc = plan_word_ids(&p, c, syn, &flags, batch, first, 1);
        if (rc == FE_OK) rc = plan_pair_keys(&p, c, batch, s0, s1);
        for (int64_t s = s0; s < s1 && rc == FE_OK; s++) {
            for (; k < batch->sentence_end[s]; k++) {
                int64_t i = k - first, j = i + PAIR_AHEAD;
                if (j < p.n && p.key_off[j] >= 0) prefetch_pair(t, p.key_hash[j]);
                j = i + RECORD_AHEAD;
                if (j < p.n) FE_PREFETCH_READ(&c->word_stat[p.word[j]]);
                c->total_words++;
                if (p.connector[i]) continue;
                count_unigram(c, p.word[i], 1);
                if (p.key_off[i] >= 0 &&
                    pair_add(t, p.ends[i], p.run[i], p.key_hash[i], 1, &c->next_seq) < 0) {
                    rc = FE_ERR_NOMEM;
                    break;
                }
            }
            if (rc == FE_OK) end_sentence(c);
        }
        s0 = s1;
    }
    plan_free(&p);
    free(flags.is);
    return rc;
}

/* Whether every token of the batch is free of the delimiter's bytes. Tokens that lie end to
 * end (as in the one buffer of a batch from Python) are searched as one run: a search per
 * token cost a call per token. */
static int batch_fits_ids(const fe_phrase_counter *c, const fe_token_batch *b)
{
    int64_t n = b->n_sentences > 0 ? b->sentence_end[b->n_sentences - 1] : 0;
    for (int64_t k = 0; k < n;) {
        const unsigned char *run = (const unsigned char *)b->ptr[k];
        int64_t len = b->len[k++];
        while (k < n && (const unsigned char *)b->ptr[k] == run + len) len += b->len[k++];
        if (has_delim_byte(c, run, len)) return 0;
    }
    return 1;
}

int fe_phrase_count_batch(fe_phrase_counter *c, const fe_phrase_syntax *syn,
                          const fe_token_batch *batch)
{
    if (c->by_id && (!syntax_fits(c, syn) || !batch_fits_ids(c, batch))) {
        int rc = switch_to_strings(c);
        if (rc != FE_OK) return rc;
    }
    return c->by_id ? count_batch_ids(c, syn, batch) : count_batch_strings(c, syn, batch);
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
                rc = count_token(c, syn, word, len, fe_hash_bytes(word, len));
                if (rc != FE_OK) {
                    st->code = rc;
                    st->line = r.line;
                    snprintf(st->message, sizeof st->message,
                             "out of memory for the phrase counts (%lld entries); "
                             "max_vocab_size bounds them",
                             (long long)fe_phrase_counter_size(c));
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
            reset_sentence(c);
            in_piece = 0;
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

int fe_phrase_merge(fe_phrase_counter *into, const fe_phrase_counter *from)
{
    int64_t n = fe_phrase_counter_size(from);
    int64_t *handles = (int64_t *)malloc((size_t)(n > 0 ? n : 1) * sizeof(int64_t));
    bytes_buf b = {NULL, 0, 0};
    if (!handles) return FE_ERR_NOMEM;
    fe_phrase_counter_entries(from, handles);
    int rc = FE_OK;
    for (int64_t i = 0; i < n && rc == FE_OK; i++) {
        int64_t len = fe_phrase_entry_length(from, handles[i]);
        rc = reserve_bytes(&b.data, &b.cap, len + 1);
        if (rc != FE_OK) break;
        fe_phrase_entry_write(from, handles[i], b.data);
        rc = fe_phrase_counter_add(into, b.data, len, fe_phrase_entry_count(from, handles[i]));
    }
    free(handles);
    free(b.data);
    return rc;
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
        *score =
            fe_phrase_default_score(ca, cb, cab, fe_phrase_counter_size(m->counts), m->min_count);
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
    if (ca < 0) ca = fe_phrase_counter_get(m->counts, a, a_len);
    if (ca <= 0) return 0;
    int64_t cb = fe_phrase_counter_get(m->counts, b, b_len);
    *cb_out = cb;
    if (cb <= 0) return 0;
    int64_t cab = fe_phrase_counter_get(m->counts, phrase, phrase_len);
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
    const fe_vocab *v = &m->counts->vocab;
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

/* ---- applying by id --------------------------------------------------------------------- */

/* Whether every token of [from, to] of the plan has a key by id: found among the counted
 * words, or absent and free of the delimiter's bytes (then no entry holds it: count 0).
 * A token absent but holding a delimiter byte may spell a phrase entry ("a_b"): such a
 * candidate is scored by string. */
static int candidate_by_id(const key_plan *p, int64_t from, int64_t to)
{
    for (int64_t i = from; i <= to; i++)
        if (p->odd[i]) return 0;
    return 1;
}

/* A candidate by string: its parts and the joined phrase, all counted through the ids. */
static int score_by_string(const fe_phrase_model *m, const fe_token_batch *b, int64_t start,
                           int64_t k, double *score)
{
    const fe_phrase_counter *c = m->counts;
    int64_t ca = fe_phrase_counter_get(c, (const unsigned char *)b->ptr[start], b->len[start]);
    if (ca <= 0) return 0;
    int64_t cb = fe_phrase_counter_get(c, (const unsigned char *)b->ptr[k], b->len[k]);
    if (cb <= 0) return 0;
    bytes_buf phrase = {NULL, 0, 0};
    int rc = FE_OK;
    for (int64_t j = start; j <= k && rc == FE_OK; j++) {
        if (j > start) rc = buf_append(&phrase, m->syntax.delim, m->syntax.delim_len);
        if (rc == FE_OK) rc = buf_append(&phrase, b->ptr[j], b->len[j]);
    }
    if (rc != FE_OK) {
        free(phrase.data);
        return rc;
    }
    int64_t cab = fe_phrase_counter_get(c, phrase.data, phrase.len);
    free(phrase.data);
    if (cab <= 0) return 0;
    return score_counts(m, ca, cb, cab, score);
}

/* One candidate: tokens start .. k of the stretch planned from token first (plan indices
 * start - first and k - first). Returns 1, 0 or a negative FE_ERR_*. */
static int score_by_id(const fe_phrase_model *m, const fe_token_batch *b, key_plan *p,
                       const connector_flags *flags, int64_t first, int64_t start, int64_t k,
                       double *score)
{
    const fe_phrase_counter *c = m->counts;
    int64_t i0 = start - first, i1 = k - first;
    if (!candidate_by_id(p, i0, i1)) return score_by_string(m, b, start, k, score);
    int64_t a = p->word[i0], z = p->word[i1];
    /* gensim's order: a's count, b's count, the phrase's count, then the score */
    if (a < 0 || c->word_stat[a].count <= 0) return 0;
    if (z < 0 || c->word_stat[z].count <= 0) return 0;
    /* most candidates are no phrase: ends that no passing phrase has rule them out at once */
    if (m->passing_ids && (!(flags->is[a] & STARTS_PASSING) || !(flags->is[z] & ENDS_PASSING)))
        return 0;
    int64_t between = i1 - i0 - 1, run = 0;
    if (between > 0) {
        if (between > p->run_cap) {
            if (grow_array((void **)&p->run_ids, between, sizeof *p->run_ids)) return FE_ERR_NOMEM;
            p->run_cap = between;
        }
        for (int64_t j = 0; j < between; j++) {
            if (p->word[i0 + 1 + j] < 0) return 0; /* an unseen word: no such phrase */
            p->run_ids[j] = (uint32_t)p->word[i0 + 1 + j];
        }
        run = run_of((fe_phrase_counter *)c, p->run_ids, between, 0);
        if (run == 0) return 0;
    }
    uint64_t ends = pair_ends(a, z);
    uint64_t h = fe_pair_hash(ends, (uint32_t)run);
    if (m->passing_ids) {
        int64_t index = fe_pair_find(m->passing_ids, ends, (uint32_t)run, h);
        if (index < 0) return 0;
        *score = m->passing_id_score[fe_pair_count(m->passing_ids, index)];
        return 1;
    }
    int64_t index = fe_pair_find(&c->phrases, ends, (uint32_t)run, h);
    int64_t cab = index < 0 ? 0 : fe_pair_count(&c->phrases, index);
    if (cab <= 0) return 0;
    return score_counts(m, c->word_stat[a].count, c->word_stat[z].count, cab, score);
}

static int apply_ids(const fe_phrase_model *m, const fe_token_batch *batch, int64_t *span,
                     double *score)
{
    key_plan p;
    memset(&p, 0, sizeof p);
    fe_phrase_counter *c = (fe_phrase_counter *)m->counts; /* looked up, never written */
    connector_flags flags;
    int rc = flag_connectors(&flags, &c->words, &m->syntax);
    const fe_pair_table *pass = m->passing_ids;
    for (int64_t i = 0; rc == FE_OK && pass && i < pass->n_slots; i++) {
        if (!pass->slots[i].run1) continue;
        flags.is[pass->slots[i].ends >> 32] |= STARTS_PASSING;
        flags.is[pass->slots[i].ends & 0xffffffffu] |= ENDS_PASSING;
    }
    for (int64_t s0 = 0; s0 < batch->n_sentences && rc == FE_OK;) {
        int64_t s1 = plan_end(batch, s0);
        int64_t k = s0 > 0 ? batch->sentence_end[s0 - 1] : 0, first = k;
        rc = plan_hashes(&p, batch, s0, s1);
        if (rc == FE_OK) rc = plan_word_ids(&p, c, &m->syntax, &flags, batch, first, 0);
        /* with another delimiter than the counts' every candidate goes by string */
        int fits = syntax_fits(c, &m->syntax);
        for (int64_t i = 0; i < p.n && rc == FE_OK; i++)
            p.odd[i] = !fits ||
                (p.word[i] < 0 &&
                 has_delim_byte(c, (const unsigned char *)batch->ptr[first + i],
                                batch->len[first + i]));
        for (int64_t s = s0; s < s1 && rc == FE_OK; s++) {
            int64_t start = -1; /* the start token, or -1 */
            for (; k < batch->sentence_end[s]; k++) {
                int64_t i = k - first;
                span[k] = 0;
                if (p.connector[i]) {
                    if (start < 0) span[k] = 1; /* else it waits for the next word */
                    continue;
                }
                if (start >= 0) {
                    double sc = 0.0;
                    int found = score_by_id(m, batch, &p, &flags, first, start, k, &sc);
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
                }
                start = batch->len[k] > 0 ? k : -1; /* an empty start is false in gensim */
            }
            if (rc == FE_OK && start >= 0) emit_alone(span, start, batch->sentence_end[s]);
            k = batch->sentence_end[s];
        }
        s0 = s1;
    }
    plan_free(&p);
    free(flags.is);
    return rc;
}

/* export by id: no unigram holds the delimiter, and a phrase's string splits at its first and
 * last delimiter into exactly its two end words. */
static int score_export_id(const fe_phrase_model *m, uint64_t ends, int64_t cab, double *score)
{
    const fe_phrase_counter *c = m->counts;
    int64_t ca = c->word_stat[ends >> 32].count;
    if (ca <= 0) return 0;
    int64_t cb = c->word_stat[ends & 0xffffffffu].count;
    if (cb <= 0 || cab <= 0) return 0;
    return score_counts(m, ca, cb, cab, score);
}

int fe_phrase_apply(const fe_phrase_model *m, const fe_token_batch *batch, int64_t *span,
                    double *score)
{
    if (m->counts && m->counts->by_id) return apply_ids(m, batch, span, score);
    key_plan p;
    memset(&p, 0, sizeof p);
    const fe_vocab *table = m->counts ? (m->passing ? m->passing : &m->counts->vocab) : m->frozen;
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
    int64_t ca = fe_phrase_counter_get(m->counts, a, a_len);
    if (ca <= 0) return 0;
    int64_t cb = fe_phrase_counter_get(m->counts, b, b_len);
    if (cb <= 0 || cab <= 0) return 0;
    return score_counts(m, ca, cb, cab, score);
}

/* export by string: split at the syntax's first and last delimiter, counts by string. */
static int64_t export_by_string(const fe_phrase_model *m, int64_t *ids, double *scores)
{
    const fe_phrase_counter *c = m->counts;
    int64_t n = fe_phrase_counter_size(c), found = 0;
    int64_t *handles = (int64_t *)malloc((size_t)(n > 0 ? n : 1) * sizeof(int64_t));
    bytes_buf b = {NULL, 0, 0};
    if (!handles) return FE_ERR_NOMEM;
    fe_phrase_counter_entries(c, handles);
    for (int64_t i = 0; i < n; i++) {
        int64_t len = fe_phrase_entry_length(c, handles[i]), first, last;
        if (reserve_bytes(&b.data, &b.cap, len + 1) != FE_OK) {
            found = FE_ERR_NOMEM;
            break;
        }
        fe_phrase_entry_write(c, handles[i], b.data);
        if (!split_ends(b.data, len, m->syntax.delim, m->syntax.delim_len, &first, &last)) continue;
        int64_t b_start = last + m->syntax.delim_len;
        double sc = 0.0;
        int rc = score_export(m, b.data, first, b.data + b_start, len - b_start,
                              fe_phrase_entry_count(c, handles[i]), &sc);
        if (rc < 0) {
            found = rc;
            break;
        }
        if (rc) {
            ids[found] = handles[i];
            scores[found] = sc;
            found++;
        }
    }
    free(handles);
    free(b.data);
    return found;
}

/* The skip rules of fe_phrase_export: entries whose own count already rules them out are
 * skipped before their parts are looked up (most entries are phrases seen a few times): the
 * default score is <= 0 when ab <= min_count, npmi's is -inf when ab < min_count, and neither
 * passes a threshold above it. The tests are the scorers' own comparisons, so NaNs take the
 * same way. */
static int ruled_out(const fe_phrase_model *m, int64_t cab)
{
    if (m->scoring == FE_SCORE_DEFAULT && 0.0 <= m->threshold)
        return (double)cab - m->min_count <= 0.0;
    if (m->scoring == FE_SCORE_NPMI && -INFINITY <= m->threshold)
        return !((double)cab >= m->min_count);
    return 0;
}

/* The phrases by id that pass, in slot order (no order needed): each key into found with the
 * index of its score in scores (room for every phrase). Returns how many or FE_ERR_*. */
static int64_t passing_by_id(const fe_phrase_model *m, fe_pair_table *found, double *scores)
{
    const fe_pair_table *t = &m->counts->phrases;
    int64_t n = 0;
    for (int64_t i = 0; i < t->n_slots; i++) {
        const fe_pair_slot *s = &t->slots[i];
        if (!s->run1) continue;
        int64_t cab = fe_pair_count(t, i);
        if (ruled_out(m, cab)) continue;
        double sc = 0.0;
        int passes = score_export_id(m, s->ends, cab, &sc);
        if (passes < 0) return passes;
        if (passes) {
            uint32_t run = s->run1 - 1;
            if (pair_add(found, s->ends, run, fe_pair_hash(s->ends, run), n, NULL) < 0)
                return FE_ERR_NOMEM;
            scores[n++] = sc;
        }
    }
    return n;
}

/* export by id: the passing phrases, then put in first-seen order by a walk of the log that
 * looks each up in the table of the passing ones alone. */
static int64_t export_by_id(const fe_phrase_model *m, int64_t *ids, double *scores)
{
    const fe_pair_table *t = &m->counts->phrases;
    fe_pair_table found;
    memset(&found, 0, sizeof found);
    int64_t n = passing_by_id(m, &found, scores);
    if (n < 0) {
        fe_pair_table_free(&found);
        return n;
    }
    /* ids (the log places) in first-seen order; the scores reordered through a copy */
    double *by_found = (double *)malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
    if (!by_found) {
        fe_pair_table_free(&found);
        return FE_ERR_NOMEM;
    }
    if (n > 0) memcpy(by_found, scores, (size_t)n * sizeof(double));
    int64_t out = 0;
    for (int64_t k = 0; k < t->log_len && out < n; k++) {
        uint64_t ends = t->log_ends[k];
        uint32_t run = t->log_run[k];
        int64_t slot = fe_pair_find(&found, ends, run, fe_pair_hash(ends, run));
        if (slot < 0) continue;
        ids[out] = k;
        scores[out] = by_found[fe_pair_count(&found, slot)];
        out++;
    }
    free(by_found);
    fe_pair_table_free(&found);
    return out;
}

int64_t fe_phrase_export(const fe_phrase_model *m, int64_t *ids, double *scores)
{
    const fe_phrase_counter *c = m->counts;
    int64_t found = 0;
    if (m->syntax.delim_len <= 0) return FE_ERR_ARG;
    if (c->by_id && !syntax_fits(c, &m->syntax)) return export_by_string(m, ids, scores);
    if (c->by_id) return export_by_id(m, ids, scores);
    const fe_vocab *v = &c->vocab;
    for (int64_t id = 0; id < v->size; id++) {
        int64_t cab = fe_vocab_count(v, id);
        if (ruled_out(m, cab)) continue;
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

int64_t fe_phrase_passing_ids(const fe_phrase_model *m, fe_pair_table *out, double **scores)
{
    const fe_phrase_counter *c = m->counts;
    *scores = NULL;
    if (!c->by_id || !syntax_fits(c, &m->syntax) || m->scoring == FE_SCORE_CALLBACK ||
        m->syntax.delim_len <= 0)
        return FE_ERR_ARG;
    int64_t n = c->phrases.size;
    double *sc = (double *)malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
    int64_t found = sc ? passing_by_id(m, out, sc) : FE_ERR_NOMEM;
    if (found < 0) {
        free(sc);
        return found;
    }
    *scores = sc;
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
