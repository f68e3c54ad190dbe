#include "fe_vocab.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <wchar.h>
#include <windows.h>
#endif

/* ---- status and small helpers ---------------------------------------------------------- */

void fe_status_clear(fe_status *st)
{
    st->code = FE_OK;
    st->sys_errno = 0;
    st->file_index = -1;
    st->line = 0;
    st->offset = -1;
    st->message[0] = '\0';
}

static int fail(fe_status *st, int code, int64_t line, int64_t offset, const char *fmt, ...)
{
    va_list ap;
    st->code = code;
    st->line = line;
    st->offset = offset;
    va_start(ap, fmt);
    vsnprintf(st->message, sizeof st->message, fmt, ap);
    va_end(ap);
    return code;
}

/* Grows buf (of *cap elements of elem bytes) to hold at least need elements, doubling.
 * Returns the new buffer, or NULL (buf untouched, *cap unchanged) when out of memory. */
static void *grow(void *buf, int64_t *cap, int64_t need, size_t elem)
{
    if (need <= *cap) return buf;
    int64_t c = *cap > 0 ? *cap : 64;
    while (c < need) {
        if (c > INT64_MAX / 2) return NULL;
        c *= 2;
    }
    if ((uint64_t)c > (uint64_t)(SIZE_MAX / elem)) return NULL;
    void *p = realloc(buf, (size_t)c * elem);
    if (p) *cap = c;
    return p;
}

/* ---- 1. vocabulary --------------------------------------------------------------------- */

/* FNV-1a, then its high half folded in: the table indexes with the low bits, which plain
 * FNV-1a mixes poorly for short keys. The tokenizer computes the same hash while it scans. */
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t hash_final(uint64_t h) { return h ^ (h >> 29) ^ (h >> 47); }

uint64_t fe_hash_bytes(const unsigned char *bytes, int64_t len)
{
    uint64_t h = FNV_OFFSET;
    for (int64_t i = 0; i < len; i++) h = (h ^ bytes[i]) * FNV_PRIME;
    return hash_final(h);
}

/* Records are 8-byte aligned: a header, then the word's bytes, padded. */
static int64_t record_size(int64_t len)
{
    return (int64_t)sizeof(fe_vocab_record) + ((len + 7) & ~(int64_t)7);
}

static fe_vocab_record *record_at(const fe_vocab *v, int64_t ref)
{
    return (fe_vocab_record *)(void *)(v->arena + ref);
}

int fe_vocab_init(fe_vocab *v)
{
    memset(v, 0, sizeof *v);
    v->n_slots = 1024;
    v->slots = (fe_vocab_slot *)malloc((size_t)v->n_slots * sizeof(fe_vocab_slot));
    v->ref_cap = 256;
    v->ref = (int64_t *)malloc((size_t)v->ref_cap * sizeof(int64_t));
    v->arena_cap = 8192;
    v->arena = (unsigned char *)malloc((size_t)v->arena_cap);
    if (!v->slots || !v->ref || !v->arena) {
        fe_vocab_free(v);
        return FE_ERR_NOMEM;
    }
    for (int64_t i = 0; i < v->n_slots; i++) v->slots[i].ref = -1;
    return FE_OK;
}

void fe_vocab_free(fe_vocab *v)
{
    free(v->slots);
    free(v->ref);
    free(v->arena);
    memset(v, 0, sizeof *v);
}

static void place(fe_vocab_slot *slots, int64_t n_slots, uint64_t hash, int64_t ref)
{
    uint64_t mask = (uint64_t)n_slots - 1;
    uint64_t i = hash & mask;
    while (slots[i].ref >= 0) i = (i + 1) & mask;
    slots[i].hash = hash;
    slots[i].ref = ref;
}

/* Makes the slot table big enough for n words at load <= 0.7. */
static int reserve_slots(fe_vocab *v, int64_t n)
{
    int64_t want = v->n_slots;
    while (n > want / 10 * 7) {
        if (want > INT64_MAX / 4) return FE_ERR_NOMEM;
        want *= 2;
    }
    if (want == v->n_slots) return FE_OK;
    if ((uint64_t)want > (uint64_t)(SIZE_MAX / sizeof(fe_vocab_slot))) return FE_ERR_NOMEM;
    fe_vocab_slot *slots = (fe_vocab_slot *)malloc((size_t)want * sizeof(fe_vocab_slot));
    if (!slots) return FE_ERR_NOMEM;
    for (int64_t i = 0; i < want; i++) slots[i].ref = -1;
    for (int64_t i = 0; i < v->n_slots; i++)
        if (v->slots[i].ref >= 0) place(slots, want, v->slots[i].hash, v->slots[i].ref);
    free(v->slots);
    v->slots = slots;
    v->n_slots = want;
    return FE_OK;
}

int fe_vocab_reserve(fe_vocab *v, int64_t n, int64_t total_bytes)
{
    if (n < 0 || total_bytes < 0 || n > INT64_MAX / 64 || total_bytes > INT64_MAX / 4)
        return FE_ERR_ARG;
    if (reserve_slots(v, v->size + n) != FE_OK) return FE_ERR_NOMEM;
    void *p = grow(v->ref, &v->ref_cap, v->size + n, sizeof(int64_t));
    if (!p) return FE_ERR_NOMEM;
    v->ref = (int64_t *)p;
    p = grow(v->arena, &v->arena_cap, v->arena_len + n * record_size(0) + total_bytes + 8 * n, 1);
    if (!p) return FE_ERR_NOMEM;
    v->arena = (unsigned char *)p;
    return FE_OK;
}

/* Words are short: compare up to 16 bytes with two overlapping loads, without a call and
 * without reading past either string. */
static inline int same_bytes(const unsigned char *a, const unsigned char *b, int64_t n)
{
    if (n >= 8) {
        if (n > 16) return memcmp(a, b, (size_t)n) == 0;
        uint64_t a0, b0, a1, b1;
        memcpy(&a0, a, 8);
        memcpy(&b0, b, 8);
        memcpy(&a1, a + n - 8, 8);
        memcpy(&b1, b + n - 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    if (n >= 4) {
        uint32_t a0, b0, a1, b1;
        memcpy(&a0, a, 4);
        memcpy(&b0, b, 4);
        memcpy(&a1, a + n - 4, 4);
        memcpy(&b1, b + n - 4, 4);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    for (int64_t i = 0; i < n; i++)
        if (a[i] != b[i]) return 0;
    return 1;
}

/* The record of the word, or NULL. A hit touches one slot and one record (header and bytes
 * side by side): two cache misses for a cold word. */
static inline fe_vocab_record *find_record(const fe_vocab *v, const unsigned char *bytes,
                                           int64_t len, uint64_t hash)
{
    uint64_t mask = (uint64_t)v->n_slots - 1;
    for (uint64_t i = hash & mask; v->slots[i].ref >= 0; i = (i + 1) & mask) {
        if (v->slots[i].hash != hash) continue;
        fe_vocab_record *rec = record_at(v, v->slots[i].ref);
        if (rec->length == len && same_bytes((const unsigned char *)(rec + 1), bytes, len))
            return rec;
    }
    return NULL;
}

int64_t fe_vocab_find_hashed(const fe_vocab *v, const unsigned char *bytes, int64_t len,
                             uint64_t hash)
{
    const fe_vocab_record *rec = find_record(v, bytes, len, hash);
    return rec ? rec->id : -1;
}

int64_t fe_vocab_find(const fe_vocab *v, const unsigned char *bytes, int64_t len)
{
    return fe_vocab_find_hashed(v, bytes, len, fe_hash_bytes(bytes, len));
}

static int64_t insert(fe_vocab *v, const unsigned char *bytes, int64_t len, uint64_t hash,
                      int64_t count)
{
    if (len < 0 || len > INT64_MAX / 4 || v->arena_len > INT64_MAX / 2) return -1;
    if (reserve_slots(v, v->size + 1) != FE_OK) return -1;
    void *p = grow(v->ref, &v->ref_cap, v->size + 1, sizeof(int64_t));
    if (!p) return -1;
    v->ref = (int64_t *)p;
    int64_t size = record_size(len);
    p = grow(v->arena, &v->arena_cap, v->arena_len + size, 1);
    if (!p) return -1;
    v->arena = (unsigned char *)p;

    int64_t id = v->size++, ref = v->arena_len;
    fe_vocab_record *rec = record_at(v, ref);
    rec->count = count;
    rec->id = id;
    rec->length = len;
    rec->hash = hash;
    unsigned char *dst = (unsigned char *)(rec + 1);
    if (len > 0) memcpy(dst, bytes, (size_t)len);
    memset(dst + len, 0, (size_t)(size - (int64_t)sizeof *rec - len));
    v->arena_len += size;
    v->ref[id] = ref;
    place(v->slots, v->n_slots, hash, ref);
    return id;
}

/* The hot path (a known word) inlined into the counting loop; inserting is a call. */
static inline int64_t add_hashed(fe_vocab *v, const unsigned char *bytes, int64_t len,
                                 uint64_t hash, int64_t count)
{
    fe_vocab_record *rec = find_record(v, bytes, len, hash);
    if (rec) {
        rec->count += count;
        return rec->id;
    }
    return insert(v, bytes, len, hash, count);
}

int64_t fe_vocab_add_hashed(fe_vocab *v, const unsigned char *bytes, int64_t len, uint64_t hash,
                            int64_t count)
{
    return add_hashed(v, bytes, len, hash, count);
}

int64_t fe_vocab_add(fe_vocab *v, const unsigned char *bytes, int64_t len, int64_t count)
{
    return add_hashed(v, bytes, len, fe_hash_bytes(bytes, len), count);
}

void fe_vocab_prune(fe_vocab *v, int64_t min_count)
{
    /* Survivors move down in place: records are in id order in the arena. */
    int64_t kept = 0, out = 0;
    for (int64_t id = 0; id < v->size; id++) {
        fe_vocab_record *rec = record_at(v, v->ref[id]);
        if (rec->count < min_count) continue;
        int64_t size = record_size(rec->length);
        if (v->ref[id] != out) memmove(v->arena + out, rec, (size_t)size);
        rec = record_at(v, out);
        rec->id = kept;
        v->ref[kept++] = out;
        out += size;
    }
    if (kept == v->size) return;
    v->size = kept;
    v->arena_len = out;
    for (int64_t i = 0; i < v->n_slots; i++) v->slots[i].ref = -1;
    for (int64_t id = 0; id < kept; id++)
        place(v->slots, v->n_slots, record_at(v, v->ref[id])->hash, v->ref[id]);
}

/* ---- 2. UTF-8 -------------------------------------------------------------------------- */

/* Length (1..4) of the well-formed sequence at s, or minus the length of its maximal
 * ill-formed subpart (Unicode 15, table 3-7 and section 3.9's "maximal subpart" rule). */
static int utf8_sequence(const unsigned char *s, int64_t len)
{
    unsigned b = s[0], lo = 0x80, hi = 0xBF;
    int need;
    if (b < 0x80) return 1;
    /* clang-format off: one row per lead-byte range, as in Unicode's table */
    if (b >= 0xC2 && b <= 0xDF) need = 1;
    else if (b == 0xE0) {
        need = 2;
        lo = 0xA0;
    } /* no overlongs */
    else if (b == 0xED) {
        need = 2;
        hi = 0x9F;
    } /* no surrogates */
    else if (b >= 0xE1 && b <= 0xEF)
        need = 2;
    else if (b == 0xF0) {
        need = 3;
        lo = 0x90;
    } /* no overlongs */
    else if (b == 0xF4) {
        need = 3;
        hi = 0x8F;
    } /* nothing above U+10FFFF */
    else if (b >= 0xF1 && b <= 0xF3)
        need = 3;
    else return -1; /* 80..C1, F5..FF */
    /* clang-format on */
    for (int k = 1; k <= need; k++) {
        if (k >= len || s[k] < lo || s[k] > hi) return -k;
        lo = 0x80;
        hi = 0xBF;
    }
    return need + 1;
}

int64_t fe_utf8_check(const unsigned char *s, int64_t len)
{
    int64_t i = 0;
    while (i < len) {
        if (len - i >= 8) {
            uint64_t block;
            memcpy(&block, s + i, 8);
            if (!(block & 0x8080808080808080ULL)) {
                i += 8;
                continue;
            }
        }
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        int n = utf8_sequence(s + i, len - i);
        if (n < 0) return i;
        i += n;
    }
    return len;
}

int64_t fe_utf8_repair(const unsigned char *s, int64_t len, int mode, unsigned char *out)
{
    int64_t i = 0, o = 0;
    while (i < len) {
        int n = utf8_sequence(s + i, len - i);
        if (n > 0) {
            memcpy(out + o, s + i, (size_t)n);
            o += n;
            i += n;
            continue;
        }
        if (mode == FE_UTF8_REPLACE) {
            out[o++] = 0xEF;
            out[o++] = 0xBF;
            out[o++] = 0xBD;
        }
        i += -n;
    }
    return o;
}

/* ---- 3. streaming tokenizer ------------------------------------------------------------ */

static const unsigned char is_space[256] = {
    [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1,
};

void fe_read_options_default(fe_read_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->chunk_size = FE_DEFAULT_CHUNK;
    opt->max_token_bytes = FE_DEFAULT_MAX_TOKEN;
    opt->errors = FE_UTF8_STRICT;
}

static FILE *open_path(const char *path)
{
#ifdef _WIN32
    /* Python hands us UTF-8 (PEP 529); fopen would read it in the ANSI code page. */
    int n = MultiByteToWideChar(CP_UTF8, 0, path, -1, NULL, 0);
    if (n <= 0) {
        errno = EINVAL;
        return NULL;
    }
    wchar_t *wide = (wchar_t *)malloc((size_t)n * sizeof(wchar_t));
    if (!wide) {
        errno = ENOMEM;
        return NULL;
    }
    MultiByteToWideChar(CP_UTF8, 0, path, -1, wide, n);
    FILE *fp = _wfopen(wide, L"rb");
    int saved = errno;
    free(wide);
    errno = saved;
    return fp;
#else
    return fopen(path, "rb");
#endif
}

int fe_reader_open(fe_reader *r, const char *path, const fe_read_options *opt, fe_status *st)
{
    memset(r, 0, sizeof *r);
    r->line = 1;
    r->first_bad_offset = -1;
    if (opt->chunk_size < 1 || opt->max_token_bytes < 1 || opt->errors < FE_UTF8_STRICT ||
        opt->errors > FE_UTF8_IGNORE)
        return fail(st, FE_ERR_ARG, 0, -1, "invalid read options");
    r->opt = *opt;
    if ((uint64_t)opt->chunk_size > (uint64_t)SIZE_MAX)
        return fail(st, FE_ERR_ARG, 0, -1, "chunk size too large");
    r->chunk = (unsigned char *)malloc((size_t)opt->chunk_size);
    if (!r->chunk) return fail(st, FE_ERR_NOMEM, 0, -1, "out of memory for the read buffer");
    errno = 0;
    FILE *fp = open_path(path);
    if (!fp) {
        int err = errno;
        free(r->chunk);
        r->chunk = NULL;
        st->sys_errno = err;
        return fail(st, FE_ERR_IO, 0, -1, "cannot open file: %s", strerror(err));
    }
    r->fp = fp;
    return FE_OK;
}

void fe_reader_close(fe_reader *r)
{
    if (r->fp) fclose((FILE *)r->fp);
    free(r->chunk);
    free(r->tok);
    free(r->fixed);
    r->fp = NULL;
    r->chunk = r->tok = r->fixed = NULL;
}

/* Reads the next chunk. 1: got bytes, 0: end of file, < 0: error. */
static int refill(fe_reader *r, fe_status *st)
{
    if (r->at_eof) return 0;
    FILE *fp = (FILE *)r->fp;
    r->chunk_offset += r->len;
    r->pos = r->len = 0;
    errno = 0;
    size_t got = fread(r->chunk, 1, (size_t)r->opt.chunk_size, fp);
    if (got < (size_t)r->opt.chunk_size) {
        if (ferror(fp)) {
            st->sys_errno = errno ? errno : EIO;
            return fail(st, FE_ERR_IO, r->line, r->chunk_offset, "read failed: %s",
                        strerror(st->sys_errno));
        }
        r->at_eof = 1;
    }
    r->len = (int64_t)got;
    if (r->opt.poll) {
        r->bytes_since_poll += (int64_t)got;
        if (r->bytes_since_poll >= r->opt.poll_bytes) {
            r->bytes_since_poll = 0;
            if (r->opt.poll(r->opt.poll_ctx))
                return fail(st, FE_ERR_CANCELLED, r->line, r->chunk_offset, "cancelled");
        }
    }
    return got > 0;
}

static int append_token(fe_reader *r, const unsigned char *p, int64_t n, fe_status *st)
{
    if (r->tok_len + n > r->tok_cap) {
        void *q = grow(r->tok, &r->tok_cap, r->tok_len + n, 1);
        if (!q) return fail(st, FE_ERR_NOMEM, r->line, r->tok_start, "out of memory for a token");
        r->tok = (unsigned char *)q;
    }
    memcpy(r->tok + r->tok_len, p, (size_t)n);
    r->tok_len += n;
    return FE_OK;
}

/* Turns raw token bytes into a word: skips a BOM at file start, checks or repairs UTF-8, sets
 * r->hash. h is the running FNV-1a state over the n bytes, high the OR of them.
 * FE_TOK_WORD, 0 when nothing is left of it, or an error. */
static int finish_token(fe_reader *r, const unsigned char *p, int64_t n, uint64_t h, unsigned high,
                        const unsigned char **word, int64_t *len, fe_status *st)
{
    if (high < 0x80) { /* ASCII: nothing to check (and it cannot start with a BOM) */
        *word = p;
        *len = n;
        r->hash = hash_final(h);
        return FE_TOK_WORD;
    }
    int64_t skipped = 0;
    if (r->tok_start == 0 && n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        p += 3;
        n -= 3;
        skipped = 3;
    }
    if (n == 0) return 0;
    int64_t bad = fe_utf8_check(p, n);
    int changed = skipped > 0;
    if (bad < n) {
        changed = 1;
        if (r->opt.errors == FE_UTF8_STRICT)
            return fail(st, FE_ERR_UTF8, r->line, r->tok_start + skipped + bad,
                        "invalid UTF-8 (byte 0x%02X)", (unsigned)p[bad]);
        if (n > INT64_MAX / 3)
            return fail(st, FE_ERR_NOMEM, r->line, r->tok_start, "token too long to repair");
        if (3 * n > r->fixed_cap) {
            void *q = grow(r->fixed, &r->fixed_cap, 3 * n, 1);
            if (!q)
                return fail(st, FE_ERR_NOMEM, r->line, r->tok_start, "out of memory for a token");
            r->fixed = (unsigned char *)q;
        }
        if (r->bad_tokens++ == 0) {
            r->first_bad_line = r->line;
            r->first_bad_offset = r->tok_start + skipped + bad;
        }
        n = fe_utf8_repair(p, n, r->opt.errors, r->fixed);
        p = r->fixed;
        if (n == 0) return 0;
    }
    *word = p;
    *len = n;
    r->hash = changed ? fe_hash_bytes(p, n) : hash_final(h);
    return FE_TOK_WORD;
}

/* The body of fe_reader_next, inlined into the corpus passes (a call per token shows). */
static inline int reader_next(fe_reader *r, const unsigned char **word, int64_t *len, fe_status *st)
{
    int rc;
    for (;;) {
        if (r->pos == r->len) {
            rc = refill(r, st);
            if (rc < 0) return rc;
            if (rc == 0) {
                if (r->in_token) {
                    r->in_token = 0;
                    rc = finish_token(r, r->tok, r->tok_len, r->tok_hash, r->tok_high, word, len,
                                      st);
                    if (rc != 0) return rc;
                }
                return FE_TOK_EOF;
            }
        }
        const unsigned char *c = r->chunk;
        int64_t i = r->pos, end = r->len;
        if (!r->in_token) {
            while (i < end && is_space[c[i]]) {
                if (c[i] == '\n') {
                    r->pos = i + 1;
                    r->line++;
                    return FE_TOK_EOL;
                }
                i++;
            }
            r->pos = i;
            if (i == end) continue;
            r->tok_start = r->chunk_offset + i;
            r->tok_hash = FNV_OFFSET;
            r->tok_high = 0;
        }
        /* One pass finds the token's end, hashes it and notes whether it is all ASCII. */
        int64_t start = i;
        uint64_t h = r->tok_hash;
        unsigned high = r->tok_high;
        while (i < end) {
            unsigned b = c[i];
            if (is_space[b]) break;
            h = (h ^ b) * FNV_PRIME;
            high |= b;
            i++;
        }
        r->pos = i;
        int64_t have = r->in_token ? r->tok_len : 0;
        if (have + (i - start) > r->opt.max_token_bytes)
            return fail(st, FE_ERR_TOKEN_TOO_LONG, r->line, r->tok_start,
                        "token longer than %lld bytes", (long long)r->opt.max_token_bytes);
        if (i < end) { /* whitespace ends the token inside this chunk */
            if (r->in_token) {
                r->in_token = 0;
                if ((rc = append_token(r, c + start, i - start, st)) != FE_OK) return rc;
                rc = finish_token(r, r->tok, r->tok_len, h, high, word, len, st);
            } else if (high < 0x80) { /* the common case, without a call */
                *word = c + start;
                *len = i - start;
                r->hash = hash_final(h);
                return FE_TOK_WORD;
            } else {
                rc = finish_token(r, c + start, i - start, h, high, word, len, st);
            }
            if (rc != 0) return rc;
            continue;
        }
        if (!r->in_token) { /* the chunk ends inside a token: keep its first part */
            r->in_token = 1;
            r->tok_len = 0;
        }
        if ((rc = append_token(r, c + start, i - start, st)) != FE_OK) return rc;
        r->tok_hash = h;
        r->tok_high = high;
    }
}

int fe_reader_next(fe_reader *r, const unsigned char **word, int64_t *len, fe_status *st)
{
    return reader_next(r, word, len, st);
}

/* ---- 4. whole-corpus passes ------------------------------------------------------------ */

static void stats_clear(fe_corpus_stats *s)
{
    memset(s, 0, sizeof *s);
    s->first_bad_file = -1;
    s->first_bad_offset = -1;
}

static void stats_add_bad(fe_corpus_stats *s, const fe_reader *r, int64_t file_index)
{
    if (r->bad_tokens > 0 && s->bad_tokens == 0) {
        s->first_bad_file = file_index;
        s->first_bad_line = r->first_bad_line;
        s->first_bad_offset = r->first_bad_offset;
    }
    s->bad_tokens += r->bad_tokens;
}

static void maybe_prune(fe_vocab *v, int64_t max_vocab_size, int64_t *min_reduce)
{
    if (max_vocab_size > 0 && v->size > max_vocab_size) {
        fe_vocab_prune(v, *min_reduce);
        *min_reduce += 1;
    }
}

static int push_id(fe_encoded *e, uint32_t id);
static int push_offset(fe_encoded *e, int64_t offset);
static int start_offsets(fe_encoded *e);

/* The counting pass stops recording tokens (see fe_count_files). */
static void give_up_tokens(fe_encoded **tokens)
{
    if (*tokens) fe_encoded_free(*tokens);
    *tokens = NULL;
}

/* maybe_prune; recorded token ids are void once it removed words (the rest are renumbered). */
static void prune_counting(fe_vocab *v, int64_t max_vocab_size, int64_t *min_reduce,
                           fe_encoded **tokens)
{
    int64_t before = v->size;
    maybe_prune(v, max_vocab_size, min_reduce);
    if (v->size != before) give_up_tokens(tokens);
}

int fe_count_files(fe_vocab *v, const char *const *paths, int64_t n_paths,
                   const fe_read_options *opt, int64_t max_vocab_size, fe_corpus_stats *stats,
                   fe_encoded *tokens, fe_status *st)
{
    fe_status_clear(st);
    stats_clear(stats);
    if (tokens) {
        fe_encoded_free(tokens);
        if (start_offsets(tokens) != FE_OK) give_up_tokens(&tokens);
    }
    int64_t min_reduce = 1;
    for (int64_t f = 0; f < n_paths; f++) {
        fe_reader r;
        int rc = fe_reader_open(&r, paths[f], opt, st);
        if (rc != FE_OK) {
            st->file_index = f;
            give_up_tokens(&tokens);
            return rc;
        }
        int64_t in_line = 0, in_piece = 0;
        const unsigned char *word;
        int64_t len;
        for (;;) {
            rc = reader_next(&r, &word, &len, st);
            if (rc == FE_TOK_WORD) {
                int64_t id = add_hashed(v, word, len, r.hash, 1);
                if (id < 0) {
                    rc = fail(st, FE_ERR_NOMEM, r.line, r.tok_start,
                              "out of memory for the vocabulary (%lld words); "
                              "max_vocab_size bounds it",
                              (long long)v->size);
                    break;
                }
                if (tokens && (id > (int64_t)UINT32_MAX || push_id(tokens, (uint32_t)id) != FE_OK))
                    give_up_tokens(&tokens); /* the count goes on without them */
                stats->total_tokens++;
                in_line++;
                if (++in_piece == FE_PRUNE_PIECE) {
                    in_piece = 0;
                    prune_counting(v, max_vocab_size, &min_reduce, &tokens);
                }
                continue;
            }
            if (rc < 0) break;
            if (in_line > 0) stats->n_sentences++; /* end of line or of file */
            if (in_piece > 0) prune_counting(v, max_vocab_size, &min_reduce, &tokens);
            if (tokens && in_line > 0 && push_offset(tokens, tokens->n_ids) != FE_OK)
                give_up_tokens(&tokens);
            in_line = in_piece = 0;
            if (rc == FE_TOK_EOF) break;
        }
        stats_add_bad(stats, &r, f);
        fe_reader_close(&r);
        if (rc < 0) {
            st->file_index = f;
            give_up_tokens(&tokens);
            return rc;
        }
    }
    return FE_OK;
}

int fe_encoded_remap(fe_encoded *e, const int64_t *new_id, int64_t n_old)
{
    for (int64_t k = 0; k < e->n_ids; k++)
        if ((int64_t)e->ids[k] >= n_old || new_id[e->ids[k]] > (int64_t)UINT32_MAX)
            return FE_ERR_ARG;
    /* in place: ids and offsets are only written at or before where they are read */
    int64_t kept = 0, sentences = 0, begin = 0;
    for (int64_t s = 0; s < e->n_sentences; s++) {
        const int64_t end = e->offsets[s + 1], start = kept;
        for (int64_t k = begin; k < end; k++) {
            int64_t id = new_id[e->ids[k]];
            if (id >= 0) e->ids[kept++] = (uint32_t)id;
        }
        if (kept > start) e->offsets[++sentences] = kept;
        begin = end;
    }
    e->n_ids = kept;
    e->n_sentences = sentences;
    return FE_OK;
}

void fe_encoded_init(fe_encoded *e) { memset(e, 0, sizeof *e); }

void fe_encoded_free(fe_encoded *e)
{
    free(e->ids);
    free(e->offsets);
    memset(e, 0, sizeof *e);
}

void fe_encoded_shrink(fe_encoded *e)
{
    if (e->ids && e->n_ids > 0 && e->n_ids < e->ids_cap) {
        void *p = realloc(e->ids, (size_t)e->n_ids * sizeof(uint32_t));
        if (p) {
            e->ids = (uint32_t *)p;
            e->ids_cap = e->n_ids;
        }
    }
    if (e->offsets && e->n_sentences + 1 < e->offsets_cap) {
        void *p = realloc(e->offsets, (size_t)(e->n_sentences + 1) * sizeof(int64_t));
        if (p) {
            e->offsets = (int64_t *)p;
            e->offsets_cap = e->n_sentences + 1;
        }
    }
}

/* An empty encoding: offsets = {0}. */
static int start_offsets(fe_encoded *e)
{
    e->offsets = (int64_t *)malloc(64 * sizeof(int64_t));
    if (!e->offsets) return FE_ERR_NOMEM;
    e->offsets_cap = 64;
    e->offsets[0] = 0;
    return FE_OK;
}

static int push_id(fe_encoded *e, uint32_t id)
{
    if (e->n_ids == e->ids_cap) {
        void *p = grow(e->ids, &e->ids_cap, e->n_ids + 1, sizeof(uint32_t));
        if (!p) return FE_ERR_NOMEM;
        e->ids = (uint32_t *)p;
    }
    e->ids[e->n_ids++] = id;
    return FE_OK;
}

static int push_offset(fe_encoded *e, int64_t offset)
{
    if (e->n_sentences + 1 == e->offsets_cap) {
        void *p = grow(e->offsets, &e->offsets_cap, e->n_sentences + 2, sizeof(int64_t));
        if (!p) return FE_ERR_NOMEM;
        e->offsets = (int64_t *)p;
    }
    e->offsets[++e->n_sentences] = offset;
    return FE_OK;
}

int fe_encode_files(const fe_vocab *v, const char *const *paths, int64_t n_paths,
                    const fe_read_options *opt, fe_encoded *out, fe_corpus_stats *stats,
                    fe_status *st)
{
    fe_status_clear(st);
    stats_clear(stats);
    fe_encoded_free(out);
    if (v->size > ((int64_t)1 << 32))
        return fail(st, FE_ERR_ARG, 0, -1, "more than 2^32 words: ids do not fit in uint32");
    if (start_offsets(out) != FE_OK)
        return fail(st, FE_ERR_NOMEM, 0, -1, "out of memory for the offsets");
    for (int64_t f = 0; f < n_paths; f++) {
        fe_reader r;
        int rc = fe_reader_open(&r, paths[f], opt, st);
        if (rc != FE_OK) {
            st->file_index = f;
            return rc;
        }
        const unsigned char *word;
        int64_t len, in_line = 0;
        for (;;) {
            rc = reader_next(&r, &word, &len, st);
            if (rc == FE_TOK_WORD) {
                stats->total_tokens++;
                in_line++;
                const fe_vocab_record *rec = find_record(v, word, len, r.hash);
                if (rec && push_id(out, (uint32_t)rec->id) != FE_OK) {
                    rc = fail(st, FE_ERR_NOMEM, r.line, r.tok_start,
                              "out of memory for the encoded corpus (%lld ids)",
                              (long long)out->n_ids);
                    break;
                }
                continue;
            }
            if (rc < 0) break;
            if (in_line > 0) stats->n_sentences++; /* end of line or of file */
            in_line = 0;
            if (out->n_ids > out->offsets[out->n_sentences]) { /* some words were kept */
                if (push_offset(out, out->n_ids) != FE_OK) {
                    rc = fail(st, FE_ERR_NOMEM, r.line, -1, "out of memory for the offsets");
                    break;
                }
            }
            if (rc == FE_TOK_EOF) break;
        }
        stats_add_bad(stats, &r, f);
        fe_reader_close(&r);
        if (rc < 0) {
            st->file_index = f;
            return rc;
        }
    }
    return FE_OK;
}
