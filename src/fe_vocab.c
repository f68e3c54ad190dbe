/* fileno and fstat are outside strict C99 in glibc's headers */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE
#endif

#include "fe_vocab.h"

#include "fe_alloc.h"
#include "fe_prefetch.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <sys/types.h>

#ifdef _WIN32
#include <io.h>
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

/* A word as the table compares it: its hash, its length and its first 16 bytes as two key
 * words (little-endian, zero-padded), all computed once, when the tokenizer finds the word.
 * Then a lookup compares a slot with a few integer operations and no branch on the length:
 * comparing bytes branch by branch on the length cost more than the cache misses did. In a
 * tokenizer event, len == END_OF_LINE means the end of a line (and nothing else is set). */
typedef struct word {
    const unsigned char *bytes;
    int64_t len;
    uint64_t hash;
    uint64_t key[2];
} word;

#define END_OF_LINE (-1)
#define HIGH_BITS 0x8080808080808080ULL
#define HASH_K1 0x9E3779B97F4A7C15ULL
#define HASH_K2 0xD6E8FEB86659FD93ULL
#define HASH_K3 0xC2B2AE3D27D4EB4FULL

/* Word-at-a-time loads (little-endian, with a count of trailing zero bits to find a byte);
 * elsewhere plain byte loops give the same values. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ &&                        \
    (defined(__GNUC__) || defined(__clang__))
#define FE_WORD_AT_A_TIME 1
static inline int64_t first_marked_byte(uint64_t marks) { return __builtin_ctzll(marks) >> 3; }
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_ARM64))
#include <intrin.h>
#define FE_WORD_AT_A_TIME 1
static inline int64_t first_marked_byte(uint64_t marks)
{
    unsigned long bit;
    _BitScanForward64(&bit, marks);
    return (int64_t)(bit >> 3);
}
#endif

static inline uint64_t load64(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* The first min(k, 8) bytes at p as a little-endian number, zero-padded (0 if k <= 0). */
static inline uint64_t key_word(const unsigned char *p, int64_t k)
{
#ifdef FE_WORD_AT_A_TIME
    if (k >= 8) return load64(p);
#endif
    uint64_t w = 0;
    for (int64_t j = (k < 8 ? k : 8) - 1; j >= 0; j--) w = w << 8 | p[j];
    return w;
}

/* The hash: the two key words and the length mixed by independent multiplications (they
 * overlap in the pipeline), each further 8 bytes of a long word folded in, then a finalizer
 * that spreads every input bit over the low bits the table indexes with. */
static inline uint64_t hash_start(const uint64_t key[2], int64_t n)
{
    uint64_t a = (key[0] ^ HASH_K3) * HASH_K1;
    uint64_t b = (key[1] ^ (uint64_t)n) * HASH_K2;
    return a ^ (b >> 32 | b << 32);
}

static inline uint64_t hash_more(uint64_t h, uint64_t w)
{
    h = (h ^ w) * HASH_K1;
    return h ^ (h >> 29);
}

static inline uint64_t hash_end(uint64_t h)
{
    h ^= h >> 33;
    h *= HASH_K2;
    h ^= h >> 29;
    h *= HASH_K3;
    return h ^ (h >> 32);
}

/* Fills w for the n bytes at p (reading nothing else); returns the OR of those bytes (a byte
 * >= 0x80 in it: not all ASCII). */
static uint64_t describe(word *w, const unsigned char *p, int64_t n)
{
    w->bytes = p;
    w->len = n;
    w->key[0] = key_word(p, n);
    w->key[1] = n > 8 ? key_word(p + 8, n - 8) : 0;
    uint64_t h = hash_start(w->key, n), all = w->key[0] | w->key[1];
    for (int64_t i = 16; i < n; i += 8) {
        uint64_t x = key_word(p + i, n - i);
        all |= x;
        h = hash_more(h, x);
    }
    w->hash = hash_end(h);
    return all;
}

uint64_t fe_hash_bytes(const unsigned char *bytes, int64_t len)
{
    word w;
    describe(&w, bytes, len);
    return w.hash;
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

/* A slot table: every lookup reads a random slot, so a large table on 4 KiB pages misses the
 * TLB on most lookups of rare words and faults in every page at first touch: it is allocated
 * with fe_alloc_big (huge pages where the system allows them). */
static fe_vocab_slot *alloc_slots(int64_t n)
{
    return (fe_vocab_slot *)fe_alloc_big((size_t)n * sizeof(fe_vocab_slot));
}

static void clear_slots(fe_vocab_slot *slots, int64_t n)
{
    for (int64_t i = 0; i < n; i++) slots[i].len = -1;
}

int fe_vocab_init(fe_vocab *v)
{
    memset(v, 0, sizeof *v);
    v->n_slots = 1024;
    v->slots = alloc_slots(v->n_slots);
    v->ref_cap = 256;
    v->ref = (int64_t *)malloc((size_t)v->ref_cap * sizeof(int64_t));
    v->counts = (int64_t *)malloc((size_t)v->ref_cap * sizeof(int64_t));
    v->arena_cap = 8192;
    v->arena = (unsigned char *)malloc((size_t)v->arena_cap);
    if (!v->slots || !v->ref || !v->counts || !v->arena) {
        fe_vocab_free(v);
        return FE_ERR_NOMEM;
    }
    clear_slots(v->slots, v->n_slots);
    return FE_OK;
}

void fe_vocab_free(fe_vocab *v)
{
    free(v->slots);
    free(v->ref);
    free(v->counts);
    free(v->arena);
    memset(v, 0, sizeof *v);
}

static void place(fe_vocab_slot *slots, int64_t n_slots, const fe_vocab_slot *slot)
{
    uint64_t mask = (uint64_t)n_slots - 1;
    uint64_t i = slot->hash & mask;
    while (slots[i].len >= 0) i = (i + 1) & mask;
    slots[i] = *slot;
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
    fe_vocab_slot *slots = alloc_slots(want);
    if (!slots) return FE_ERR_NOMEM;
    clear_slots(slots, want);
    for (int64_t i = 0; i < v->n_slots; i++)
        if (v->slots[i].len >= 0) place(slots, want, &v->slots[i]);
    free(v->slots);
    v->slots = slots;
    v->n_slots = want;
    return FE_OK;
}

/* Room in the per-word arrays (ref, counts) for n words. */
static int reserve_words(fe_vocab *v, int64_t n)
{
    if (n <= v->ref_cap) return FE_OK;
    int64_t cap = v->ref_cap;
    void *p = grow(v->ref, &cap, n, sizeof(int64_t));
    if (!p) return FE_ERR_NOMEM;
    v->ref = (int64_t *)p;
    p = realloc(v->counts, (size_t)cap * sizeof(int64_t));
    if (!p) return FE_ERR_NOMEM; /* ref is larger than needed; harmless */
    v->counts = (int64_t *)p;
    v->ref_cap = cap;
    return FE_OK;
}

int fe_vocab_reserve(fe_vocab *v, int64_t n, int64_t total_bytes)
{
    if (n < 0 || total_bytes < 0 || n > FE_VOCAB_MAX_WORDS || total_bytes > INT64_MAX / 4)
        return FE_ERR_ARG;
    if (reserve_slots(v, v->size + n) != FE_OK) return FE_ERR_NOMEM;
    if (reserve_words(v, v->size + n) != FE_OK) return FE_ERR_NOMEM;
    void *p =
        grow(v->arena, &v->arena_cap, v->arena_len + n * record_size(0) + total_bytes + 8 * n, 1);
    if (!p) return FE_ERR_NOMEM;
    v->arena = (unsigned char *)p;
    return FE_OK;
}

static inline int32_t slot_len(int64_t len)
{
    return len < FE_SLOT_LONG ? (int32_t)len : FE_SLOT_LONG;
}

/* Whether the slot holds the word: hash, length and first 16 bytes at once, then (for a word
 * longer than that) the rest of its bytes in its record. */
static inline int slot_holds(const fe_vocab *v, const fe_vocab_slot *s, const word *w)
{
    uint64_t differ = (s->hash ^ w->hash) | (s->key[0] ^ w->key[0]) | (s->key[1] ^ w->key[1]) |
        (uint64_t)(uint32_t)(s->len ^ slot_len(w->len));
    if (differ) return 0;
    if (w->len <= FE_SLOT_KEY) return 1;
    return fe_vocab_at(v, s->id)->length == w->len &&
        memcmp(fe_vocab_bytes(v, s->id) + FE_SLOT_KEY, w->bytes + FE_SLOT_KEY,
               (size_t)(w->len - FE_SLOT_KEY)) == 0;
}

/* The slot holding the word, or NULL. */
static inline const fe_vocab_slot *find_slot(const fe_vocab *v, const word *w)
{
    uint64_t mask = (uint64_t)v->n_slots - 1;
    for (uint64_t i = w->hash & mask; v->slots[i].len >= 0; i = (i + 1) & mask)
        if (slot_holds(v, &v->slots[i], w)) return &v->slots[i];
    return NULL;
}

int64_t fe_vocab_find(const fe_vocab *v, const unsigned char *bytes, int64_t len)
{
    word w;
    describe(&w, bytes, len);
    const fe_vocab_slot *s = find_slot(v, &w);
    return s ? (int64_t)s->id : -1;
}

/* A slot for word id (its record already written). */
static fe_vocab_slot slot_for(const fe_vocab *v, int64_t id)
{
    const fe_vocab_record *rec = fe_vocab_at(v, id);
    const unsigned char *bytes = fe_vocab_bytes(v, id);
    fe_vocab_slot s;
    s.hash = rec->hash;
    s.id = (uint32_t)id;
    s.len = slot_len(rec->length);
    s.key[0] = key_word(bytes, rec->length);
    s.key[1] = rec->length > 8 ? key_word(bytes + 8, rec->length - 8) : 0;
    return s;
}

static int64_t insert(fe_vocab *v, const word *w, int64_t count)
{
    int64_t len = w->len;
    if (len < 0 || len > INT64_MAX / 4 || v->arena_len > INT64_MAX / 2) return -1;
    if (v->size >= FE_VOCAB_MAX_WORDS) return -1;
    if (reserve_slots(v, v->size + 1) != FE_OK) return -1;
    if (reserve_words(v, v->size + 1) != FE_OK) return -1;
    int64_t size = record_size(len);
    void *p = grow(v->arena, &v->arena_cap, v->arena_len + size, 1);
    if (!p) return -1;
    v->arena = (unsigned char *)p;

    int64_t id = v->size++, ref = v->arena_len;
    fe_vocab_record *rec = record_at(v, ref);
    rec->length = len;
    rec->hash = w->hash;
    unsigned char *dst = (unsigned char *)(rec + 1);
    if (len > 0) memcpy(dst, w->bytes, (size_t)len);
    memset(dst + len, 0, (size_t)(size - (int64_t)sizeof *rec - len));
    v->arena_len += size;
    v->ref[id] = ref;
    v->counts[id] = count;
    fe_vocab_slot s = slot_for(v, id);
    place(v->slots, v->n_slots, &s);
    return id;
}

/* The hot path (a known word) inlined into the counting loop; inserting is a call. */
static inline int64_t add_word(fe_vocab *v, const word *w, int64_t count)
{
    const fe_vocab_slot *s = find_slot(v, w);
    if (s) {
        v->counts[s->id] += count;
        return s->id;
    }
    return insert(v, w, count);
}

/* A word whose hash is already known (fe_hash_bytes of the same bytes): only its key words
 * are read again. */
static void describe_hashed(word *w, const unsigned char *p, int64_t n, uint64_t hash)
{
    w->bytes = p;
    w->len = n;
    w->key[0] = key_word(p, n);
    w->key[1] = n > 8 ? key_word(p + 8, n - 8) : 0;
    w->hash = hash;
}

int64_t fe_vocab_find_hashed(const fe_vocab *v, const unsigned char *bytes, int64_t len,
                             uint64_t hash)
{
    word w;
    describe_hashed(&w, bytes, len, hash);
    const fe_vocab_slot *s = find_slot(v, &w);
    return s ? (int64_t)s->id : -1;
}

int64_t fe_vocab_add_hashed(fe_vocab *v, const unsigned char *bytes, int64_t len, uint64_t hash,
                            int64_t count)
{
    word w;
    describe_hashed(&w, bytes, len, hash);
    return add_word(v, &w, count);
}

/* w for a word whose key is known: nothing of its bytes is read again. */
static void describe_keyed(word *w, const unsigned char *p, int64_t n, const fe_word_key *k)
{
    w->bytes = p;
    w->len = n;
    w->key[0] = k->key[0];
    w->key[1] = k->key[1];
    w->hash = k->hash;
}

int64_t fe_vocab_find_keyed(const fe_vocab *v, const unsigned char *bytes, int64_t len,
                            const fe_word_key *k)
{
    word w;
    describe_keyed(&w, bytes, len, k);
    const fe_vocab_slot *s = find_slot(v, &w);
    return s ? (int64_t)s->id : -1;
}

int64_t fe_vocab_add_keyed(fe_vocab *v, const unsigned char *bytes, int64_t len,
                           const fe_word_key *k, int64_t count)
{
    word w;
    describe_keyed(&w, bytes, len, k);
    return add_word(v, &w, count);
}

int64_t fe_vocab_add(fe_vocab *v, const unsigned char *bytes, int64_t len, int64_t count)
{
    word w;
    describe(&w, bytes, len);
    return add_word(v, &w, count);
}

void fe_vocab_prune(fe_vocab *v, int64_t min_count)
{
    /* Survivors move down in place: records are in id order in the arena. */
    int64_t kept = 0, out = 0;
    for (int64_t id = 0; id < v->size; id++) {
        if (v->counts[id] < min_count) continue;
        fe_vocab_record *rec = record_at(v, v->ref[id]);
        int64_t size = record_size(rec->length);
        if (v->ref[id] != out) memmove(v->arena + out, rec, (size_t)size);
        v->counts[kept] = v->counts[id];
        v->ref[kept++] = out;
        out += size;
    }
    if (kept == v->size) return;
    v->size = kept;
    v->arena_len = out;
    clear_slots(v->slots, v->n_slots);
    for (int64_t id = 0; id < kept; id++) {
        fe_vocab_slot s = slot_for(v, id);
        place(v->slots, v->n_slots, &s);
    }
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

/* The chunk buffer has this many bytes more than it reads into (see describe_in_chunk). */
#define CHUNK_PAD 16

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
    return fe_reader_open_range(r, path, opt, 0, -1, st);
}

/* Moves fp to byte offset of the file. */
static int seek_to(FILE *fp, int64_t offset)
{
#ifdef _WIN32
    return _fseeki64(fp, offset, SEEK_SET);
#else
    if ((int64_t)(off_t)offset != offset) return -1;
    return fseeko(fp, (off_t)offset, SEEK_SET);
#endif
}

int fe_reader_open_range(fe_reader *r, const char *path, const fe_read_options *opt, int64_t start,
                         int64_t end, fe_status *st)
{
    memset(r, 0, sizeof *r);
    r->line = 1;
    r->first_bad_offset = -1;
    if (start < 0 || (end >= 0 && end < start))
        return fail(st, FE_ERR_ARG, 0, -1, "invalid byte range %lld..%lld", (long long)start,
                    (long long)end);
    r->chunk_offset = start;
    r->remaining = end < 0 ? -1 : end - start;
    if (opt->chunk_size < 1 || opt->max_token_bytes < 1 || opt->errors < FE_UTF8_STRICT ||
        opt->errors > FE_UTF8_IGNORE)
        return fail(st, FE_ERR_ARG, 0, -1, "invalid read options");
    r->opt = *opt;
    if ((uint64_t)opt->chunk_size > (uint64_t)SIZE_MAX - CHUNK_PAD ||
        opt->chunk_size > INT64_MAX / 2)
        return fail(st, FE_ERR_ARG, 0, -1, "chunk size too large");
    r->chunk = (unsigned char *)malloc((size_t)opt->chunk_size + CHUNK_PAD);
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
    if (start > 0 && seek_to(fp, start) != 0) {
        int err = errno ? errno : EINVAL;
        fe_reader_close(r);
        st->sys_errno = err;
        return fail(st, FE_ERR_IO, 0, start, "cannot seek: %s", strerror(err));
    }
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
    size_t want = (size_t)r->opt.chunk_size;
    if (r->remaining >= 0 && (uint64_t)r->remaining < (uint64_t)want) want = (size_t)r->remaining;
    errno = 0;
    size_t got = want > 0 ? fread(r->chunk, 1, want, fp) : 0;
    if (r->remaining >= 0) r->remaining -= (int64_t)got;
    if (got < want || r->remaining == 0) {
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

#ifdef FE_WORD_AT_A_TIME
/* The high bit of each byte of w that is ASCII whitespace (' ' or \t..\r), exactly: no sum
 * below carries from one byte into the next. */
static inline uint64_t space_bytes(uint64_t w)
{
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
    uint64_t seven = w & low7;
    uint64_t at_least_9 = seven + 0x7777777777777777ULL;  /* high bit: seven >= 0x09 */
    uint64_t at_least_14 = seven + 0x7272727272727272ULL; /* high bit: seven >= 0x0E */
    uint64_t control = at_least_9 & ~at_least_14 & ~w;    /* ~w: the byte is ASCII */
    uint64_t x = w ^ 0x2020202020202020ULL;               /* zero where the byte is ' ' */
    uint64_t blank = ~(((x & low7) + low7) | x);
    return (control | blank) & HIGH_BITS;
}

/* w with only its first k bytes kept (k in 0..8). */
static inline uint64_t first_bytes(uint64_t w, int64_t k)
{
    return k >= 8 ? w : w & (((uint64_t)1 << ((8 * k) & 63)) - 1);
}
#endif

/* Index of the first ASCII whitespace byte of c[i .. end), or end. */
static inline int64_t token_end(const unsigned char *c, int64_t i, int64_t end)
{
#ifdef FE_WORD_AT_A_TIME
    for (; end - i >= 8; i += 8) {
        uint64_t marks = space_bytes(load64(c + i));
        if (marks) return i + first_marked_byte(marks);
    }
#endif
    while (i < end && !is_space[c[i]]) i++;
    return i;
}

/* describe() for a word inside the chunk, which may be read up to CHUNK_PAD bytes past its
 * end: the key words are two loads, masked, instead of byte loops. */

static inline uint64_t describe_in_chunk(word *w, const unsigned char *p, int64_t n)
{
#ifdef FE_WORD_AT_A_TIME
    if (n <= 16) {
        w->bytes = p;
        w->len = n;
        w->key[0] = first_bytes(load64(p), n);
        w->key[1] = first_bytes(load64(p + 8), n > 8 ? n - 8 : 0);
        w->hash = hash_end(hash_start(w->key, n));
        return w->key[0] | w->key[1];
    }
#endif
    return describe(w, p, n);
}

void fe_word_key_of(fe_word_key *k, const unsigned char *bytes, int64_t len, int padded)
{
    word w;
    if (padded) describe_in_chunk(&w, bytes, len);
    else describe(&w, bytes, len);
    k->hash = w.hash;
    k->key[0] = w.key[0];
    k->key[1] = w.key[1];
}

static int token_too_long(fe_reader *r, fe_status *st)
{
    return fail(st, FE_ERR_TOKEN_TOO_LONG, r->line, r->tok_start, "token longer than %lld bytes",
                (long long)r->opt.max_token_bytes);
}

/* A token with a byte >= 0x80 (first byte at file offset r->tok_start; *w describes its raw
 * bytes): skips a BOM at file start, checks or repairs UTF-8 (into r->fixed). 1: *w is the
 * word, 0: nothing is left of it, < 0: an error. */
static int finish_unicode(fe_reader *r, word *w, fe_status *st)
{
    const unsigned char *p = w->bytes;
    int64_t n = w->len, skipped = 0;
    if (r->tok_start == 0 && n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        p += 3;
        n -= 3;
        skipped = 3;
    }
    if (n == 0) return 0;
    int64_t bad = fe_utf8_check(p, n);
    if (bad < n) {
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
    if (p != w->bytes || n != w->len) describe(w, p, n);
    return 1;
}

/* The raw bytes of a token that straddled chunks (first byte at file offset r->tok_start) as
 * a word; as finish_unicode. */
static int finish_token(fe_reader *r, word *w, fe_status *st)
{
    if (describe(w, r->tok, r->tok_len) & HIGH_BITS) return finish_unicode(r, w, st);
    return 1;
}

/* Fills ev[0 .. cap) with the next events. Returns how many (0 at the end of the input) or an
 * error. A word points into the chunk, r->tok (a token that straddles chunks) or r->fixed (a
 * repaired token), which later calls reuse: so a batch ends before the chunk is refilled and
 * right after a word that is not in the chunk, and every word of a batch stays valid until
 * the next call. The passes look up whole batches: the lookups of one batch can then be
 * prefetched while the earlier ones are done. */
static int reader_fill(fe_reader *r, word *ev, int cap, fe_status *st)
{
    int n = 0, rc;
    while (n < cap) {
        if (r->pos == r->len) {
            if (n > 0) return n;
            rc = refill(r, st);
            if (rc < 0) return rc;
            if (rc == 0) { /* end of input: one last word if the file ends inside it */
                if (!r->in_token) return 0;
                r->in_token = 0;
                return finish_token(r, ev, st);
            }
        }
        const unsigned char *c = r->chunk;
        int64_t i = r->pos, end = r->len;
        if (r->in_token) { /* the rest of a token that began in an earlier chunk (n is 0) */
            int64_t stop = token_end(c, i, end);
            if (r->tok_len + (stop - i) > r->opt.max_token_bytes) return token_too_long(r, st);
            if ((rc = append_token(r, c + i, stop - i, st)) != FE_OK) return rc;
            r->pos = stop;
            if (stop == end) continue;
            r->in_token = 0;
            rc = finish_token(r, ev, st);
            if (rc != 0) return rc; /* the word is in r->tok, or an error */
            continue;
        }
        while (n < cap && i < end) {
            if (is_space[c[i]]) {
                if (c[i++] == '\n') {
                    r->line++;
                    ev[n++].len = END_OF_LINE;
                }
                continue;
            }
            int64_t start = i;
            i = token_end(c, i, end);
            if (i - start > r->opt.max_token_bytes) {
                r->tok_start = r->chunk_offset + start;
                return token_too_long(r, st);
            }
            if (i == end) { /* the chunk ends inside the token: keep its first part */
                r->tok_start = r->chunk_offset + start;
                r->tok_len = 0;
                if ((rc = append_token(r, c + start, i - start, st)) != FE_OK) return rc;
                r->in_token = 1;
                break;
            }
            if (!(describe_in_chunk(&ev[n], c + start, i - start) & HIGH_BITS)) {
                n++; /* the common case: ASCII, nothing to check */
                continue;
            }
            r->tok_start = r->chunk_offset + start;
            rc = finish_unicode(r, &ev[n], st);
            if (rc < 0) return rc;
            if (rc > 0 && ev[n++].bytes == r->fixed) { /* r->fixed is reused by the next one */
                r->pos = i;
                return n;
            }
        }
        r->pos = i;
    }
    return n;
}

int fe_reader_next(fe_reader *r, const unsigned char **bytes, int64_t *len, fe_status *st)
{
    word ev;
    int rc = reader_fill(r, &ev, 1, st);
    if (rc <= 0) return rc < 0 ? rc : FE_TOK_EOF;
    if (ev.len == END_OF_LINE) return FE_TOK_EOL;
    *bytes = ev.bytes;
    *len = ev.len;
    r->hash = ev.hash;
    return FE_TOK_WORD;
}

/* File offset of a word of the current batch (for messages). */
static int64_t word_offset(const fe_reader *r, const word *ev)
{
    if (ev->bytes >= r->chunk && ev->bytes < r->chunk + r->len)
        return r->chunk_offset + (ev->bytes - r->chunk);
    return r->tok_start;
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
static int reserve_ids(fe_encoded *e, int64_t n);
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

/* Lookups are done a batch of events at a time. While event k is looked up, the table slot of
 * event k + AHEAD is prefetched, and the count of event k + AHEAD / 2 (found through its slot,
 * by then in cache): the cache misses of a rare word overlap the work on the words before it
 * instead of stalling it. The lookups themselves run one by one in file order, so ids, counts
 * and pruning are exactly those of a word-by-word pass; a prefetch is only a hint (one made
 * stale by an insertion or a prune costs nothing but the hint). */
#define BATCH 512
#define AHEAD 16

static inline void prefetch_slot(const fe_vocab *v, const word *ev)
{
    if (ev->len >= 0) FE_PREFETCH_READ(&v->slots[ev->hash & (uint64_t)(v->n_slots - 1)]);
}

/* The count of the word in the slot where its probe starts (through which the word of a long
 * word, whose bytes do not all fit in the slot, is found too). */
static inline void prefetch_word(const fe_vocab *v, const word *ev)
{
    if (ev->len < 0) return;
    const fe_vocab_slot *slot = &v->slots[ev->hash & (uint64_t)(v->n_slots - 1)];
    if (slot->len >= 0 && slot->hash == ev->hash) {
        FE_PREFETCH_READ(&v->counts[slot->id]);
        if (ev->len > FE_SLOT_KEY) FE_PREFETCH_READ(fe_vocab_bytes(v, slot->id) + FE_SLOT_KEY);
    }
}

static inline void prefetch_ahead(const fe_vocab *v, const word *batch, int n, int k)
{
    if (k == 0)
        for (int j = 0; j < n && j < AHEAD; j++) prefetch_slot(v, &batch[j]);
    if (k + AHEAD < n) prefetch_slot(v, &batch[k + AHEAD]);
    if (k + AHEAD / 2 < n) prefetch_word(v, &batch[k + AHEAD / 2]);
}

/* The state of a counting pass across the events of a file. */
typedef struct counting {
    fe_vocab *v;
    fe_encoded *tokens; /* NULL once given up */
    fe_corpus_stats *stats;
    int64_t max_vocab_size, min_reduce;
    int64_t in_line, in_piece; /* tokens of the current line, and of its current piece */
} counting;

/* At the end of a line (or of a file). */
static void count_line_end(counting *c)
{
    if (c->in_line > 0) c->stats->n_sentences++;
    if (c->in_piece > 0) prune_counting(c->v, c->max_vocab_size, &c->min_reduce, &c->tokens);
    if (c->tokens && c->in_line > 0 && push_offset(c->tokens, c->tokens->n_ids) != FE_OK)
        give_up_tokens(&c->tokens);
    c->in_line = c->in_piece = 0;
}

/* Counts one word; FE_ERR_NOMEM when the table cannot grow. */
static inline int count_word(counting *c, const word *ev)
{
    int64_t id = add_word(c->v, ev, 1);
    if (id < 0) return FE_ERR_NOMEM;
    /* room for the batch was made by count_file; ids fit (FE_VOCAB_MAX_WORDS) */
    if (c->tokens) c->tokens->ids[c->tokens->n_ids++] = (uint32_t)id;
    c->stats->total_tokens++;
    c->in_line++;
    if (++c->in_piece == FE_PRUNE_PIECE) {
        c->in_piece = 0;
        prune_counting(c->v, c->max_vocab_size, &c->min_reduce, &c->tokens);
    }
    return FE_OK;
}

/* Counts the events of one open file. */
static int count_file(counting *c, fe_reader *r, fe_status *st)
{
    word batch[BATCH];
    for (;;) {
        int n = reader_fill(r, batch, BATCH, st);
        if (n < 0) return n;
        if (n == 0) { /* end of file: the end of its last line */
            count_line_end(c);
            return FE_OK;
        }
        if (c->tokens && reserve_ids(c->tokens, n) != FE_OK)
            give_up_tokens(&c->tokens); /* the count goes on without them */
        for (int k = 0; k < n; k++) {
            prefetch_ahead(c->v, batch, n, k);
            if (batch[k].len == END_OF_LINE) {
                count_line_end(c);
            } else if (count_word(c, &batch[k]) != FE_OK) {
                return fail(st, FE_ERR_NOMEM, r->line, word_offset(r, &batch[k]),
                            "out of memory for the vocabulary (%lld words); "
                            "max_vocab_size bounds it",
                            (long long)c->v->size);
            }
        }
    }
}

/* The bytes a freshly opened reader will read, or -1 if unknown (a pipe, a device). */
static int64_t bytes_ahead(const fe_reader *r)
{
    if (r->remaining >= 0) return r->remaining;
#ifdef _WIN32
    struct _stat64 info;
    if (_fstat64(_fileno((FILE *)r->fp), &info) != 0 || !(info.st_mode & _S_IFREG)) return -1;
#else
    struct stat info;
    if (fstat(fileno((FILE *)r->fp), &info) != 0 || !S_ISREG(info.st_mode)) return -1;
#endif
    return (int64_t)info.st_size > r->chunk_offset ? (int64_t)info.st_size - r->chunk_offset : 0;
}

/* Token ids are written once, front to back, a few bytes per token: grown by doubling, the
 * buffer was copied at each step and every page of it faulted in one by one. Before a piece
 * is counted, room for as many tokens as its bytes can hold (a token and the space after it
 * take two bytes at least) is therefore made at once, on huge pages where the system allows;
 * the pages never written cost nothing and the pass shrinks the buffer to its use at the end.
 * Up to RESERVE_MAX_IDS ids at a time; a larger corpus grows by doubling beyond that. */
#define RESERVE_MAX_IDS ((int64_t)1 << 28)

static void reserve_ids_for(fe_encoded *e, const fe_reader *r)
{
    int64_t bytes = bytes_ahead(r);
    if (bytes < 0) return;
    int64_t n = bytes / 2 + 1;
    if (n > RESERVE_MAX_IDS) n = RESERVE_MAX_IDS;
    if (e->n_ids + n <= e->ids_cap) return;
    int64_t cap = e->n_ids + n > 2 * e->ids_cap ? e->n_ids + n : 2 * e->ids_cap; /* many files */
    uint32_t *ids = (uint32_t *)fe_alloc_big((size_t)cap * sizeof(uint32_t));
    if (!ids) return; /* the pass grows the buffer as it goes instead */
    if (e->n_ids > 0) memcpy(ids, e->ids, (size_t)e->n_ids * sizeof(uint32_t));
    free(e->ids);
    e->ids = ids;
    e->ids_cap = cap;
}

/* Counts the pieces, in order, into c; st->file_index says which file failed. */
static int count_pieces(counting *c, const char *const *paths, fe_piece *pieces, int64_t n,
                        const fe_read_options *opt, fe_status *st)
{
    for (int64_t k = 0; k < n; k++) {
        fe_piece *piece = &pieces[k];
        fe_reader r;
        int rc =
            fe_reader_open_range(&r, paths[piece->file_index], opt, piece->start, piece->end, st);
        if (rc == FE_OK) {
            if (c->tokens) reserve_ids_for(c->tokens, &r);
            rc = count_file(c, &r, st);
            stats_add_bad(c->stats, &r, piece->file_index);
            piece->lines = r.line - 1;
            fe_reader_close(&r);
        }
        if (rc != FE_OK) {
            st->file_index = piece->file_index;
            give_up_tokens(&c->tokens);
            return rc;
        }
    }
    return FE_OK;
}

/* A counting pass into v (stats and tokens reset). */
static counting start_counting(fe_vocab *v, int64_t max_vocab_size, fe_corpus_stats *stats,
                               fe_encoded *tokens, fe_status *st)
{
    fe_status_clear(st);
    stats_clear(stats);
    counting c = {v, tokens, stats, max_vocab_size, 1, 0, 0};
    if (c.tokens) {
        fe_encoded_free(c.tokens);
        if (start_offsets(c.tokens) != FE_OK) give_up_tokens(&c.tokens);
    }
    return c;
}

int fe_count_files(fe_vocab *v, const char *const *paths, int64_t n_paths,
                   const fe_read_options *opt, int64_t max_vocab_size, fe_corpus_stats *stats,
                   fe_encoded *tokens, fe_status *st)
{
    counting c = start_counting(v, max_vocab_size, stats, tokens, st);
    for (int64_t f = 0; f < n_paths; f++) {
        fe_piece whole = {f, 0, -1, 0};
        int rc = count_pieces(&c, paths, &whole, 1, opt, st);
        if (rc != FE_OK) return rc;
    }
    if (c.tokens) fe_encoded_shrink(c.tokens); /* of its reservations */
    return FE_OK;
}

int fe_count_pieces(fe_vocab *v, const char *const *paths, fe_piece *pieces, int64_t n_pieces,
                    const fe_read_options *opt, fe_corpus_stats *stats, fe_encoded *tokens,
                    fe_status *st)
{
    counting c = start_counting(v, 0, stats, tokens, st);
    int rc = count_pieces(&c, paths, pieces, n_pieces, opt, st);
    if (rc == FE_OK && c.tokens) fe_encoded_shrink(c.tokens); /* of its reservations */
    return rc;
}

/* Appends from's tokens to into's, each id i as map[i]. */
static int append_mapped(fe_encoded *into, const fe_encoded *from, const int64_t *map)
{
    if (reserve_ids(into, from->n_ids) != FE_OK) return FE_ERR_NOMEM;
    int64_t sentences = into->n_sentences + from->n_sentences;
    void *p = grow(into->offsets, &into->offsets_cap, sentences + 1, sizeof(int64_t));
    if (!p) return FE_ERR_NOMEM;
    into->offsets = (int64_t *)p;
    uint32_t *out = into->ids + into->n_ids;
    for (int64_t k = 0; k < from->n_ids; k++) out[k] = (uint32_t)map[from->ids[k]];
    for (int64_t s = 1; s <= from->n_sentences; s++)
        into->offsets[into->n_sentences + s] = into->n_ids + from->offsets[s];
    into->n_ids += from->n_ids;
    into->n_sentences = sentences;
    return FE_OK;
}

int fe_merge_counts(fe_vocab *into, fe_corpus_stats *into_stats, fe_encoded *into_tokens,
                    const fe_vocab *from, const fe_corpus_stats *from_stats,
                    const fe_encoded *from_tokens)
{
    if (from_stats->bad_tokens > 0 && into_stats->bad_tokens == 0) {
        into_stats->first_bad_file = from_stats->first_bad_file;
        into_stats->first_bad_line = from_stats->first_bad_line;
        into_stats->first_bad_offset = from_stats->first_bad_offset;
    }
    into_stats->bad_tokens += from_stats->bad_tokens;
    into_stats->total_tokens += from_stats->total_tokens;
    into_stats->n_sentences += from_stats->n_sentences;

    int keep = into_tokens && into_tokens->offsets && from_tokens && from_tokens->offsets;
    int64_t *map = keep ? (int64_t *)malloc((size_t)(from->size > 0 ? from->size : 1) * 8) : NULL;
    if (keep && !map) keep = 0;
    if (!keep && into_tokens) fe_encoded_free(into_tokens);
    for (int64_t id = 0; id < from->size; id++) {
        if (id + AHEAD < from->size) /* as in the counting loop: overlap the probes' misses */
            FE_PREFETCH_READ(
                &into->slots[fe_vocab_at(from, id + AHEAD)->hash & (uint64_t)(into->n_slots - 1)]);
        const fe_vocab_record *rec = fe_vocab_at(from, id);
        int64_t to = fe_vocab_add_hashed(into, fe_vocab_bytes(from, id), rec->length, rec->hash,
                                         fe_vocab_count(from, id));
        if (to < 0) {
            free(map);
            if (into_tokens) fe_encoded_free(into_tokens);
            return FE_ERR_NOMEM;
        }
        if (map) map[id] = to;
    }
    if (keep && append_mapped(into_tokens, from_tokens, map) != FE_OK)
        fe_encoded_free(into_tokens); /* the count goes on without them */
    free(map);
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

/* Room for n more ids. */
static int reserve_ids(fe_encoded *e, int64_t n)
{
    if (e->n_ids + n <= e->ids_cap) return FE_OK;
    void *p = grow(e->ids, &e->ids_cap, e->n_ids + n, sizeof(uint32_t));
    if (!p) return FE_ERR_NOMEM;
    e->ids = (uint32_t *)p;
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

/* At the end of a line (or of a file) of an encoding pass. */
static int encode_line_end(fe_encoded *out, fe_corpus_stats *stats, int64_t *in_line,
                           const fe_reader *r, fe_status *st)
{
    if (*in_line > 0) stats->n_sentences++;
    *in_line = 0;
    if (out->n_ids > out->offsets[out->n_sentences] && /* some words were kept */
        push_offset(out, out->n_ids) != FE_OK)
        return fail(st, FE_ERR_NOMEM, r->line, -1, "out of memory for the offsets");
    return FE_OK;
}

/* Encodes the events of one open file. */
static int encode_file(const fe_vocab *v, fe_reader *r, fe_encoded *out, fe_corpus_stats *stats,
                       fe_status *st)
{
    word batch[BATCH];
    int64_t in_line = 0;
    for (;;) {
        int n = reader_fill(r, batch, BATCH, st);
        if (n < 0) return n;
        if (n == 0) return encode_line_end(out, stats, &in_line, r, st); /* its last line */
        for (int k = 0; k < n; k++) {
            prefetch_ahead(v, batch, n, k);
            const word *ev = &batch[k];
            if (ev->len == END_OF_LINE) {
                int rc = encode_line_end(out, stats, &in_line, r, st);
                if (rc != FE_OK) return rc;
                continue;
            }
            stats->total_tokens++;
            in_line++;
            const fe_vocab_slot *slot = find_slot(v, ev);
            if (slot && push_id(out, slot->id) != FE_OK)
                return fail(st, FE_ERR_NOMEM, r->line, word_offset(r, ev),
                            "out of memory for the encoded corpus (%lld ids)",
                            (long long)out->n_ids);
        }
    }
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
        if (rc == FE_OK) {
            rc = encode_file(v, &r, out, stats, st);
            stats_add_bad(stats, &r, f);
            fe_reader_close(&r);
        }
        if (rc != FE_OK) {
            st->file_index = f;
            return rc;
        }
    }
    return FE_OK;
}
