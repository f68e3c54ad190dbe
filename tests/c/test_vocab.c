/* C-level tests of src/fe_vocab.c: hash table, UTF-8 rules, streaming tokenizer at odd chunk
 * sizes, counting and encoding passes. Built with sanitizers by tests/c/Makefile.
 * Usage: test_vocab SCRATCH_DIR   (temporary corpus files are written there) */
#include "fe_vocab.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char *scratch = ".";


static const unsigned char *U(const char *s) { return (const unsigned char *)s; }

static const char *scratch_path(const char *name)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", scratch, name);
    return buf;
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    if (!fp || fwrite(data, 1, len, fp) != len || fclose(fp) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
}

static fe_read_options options(int64_t chunk, int errors)
{
    fe_read_options opt;
    fe_read_options_default(&opt);
    opt.chunk_size = chunk;
    opt.errors = errors;
    return opt;
}

/* ---- hash table ---- */

static void test_vocab_many_keys(void)
{
    fe_vocab v;
    char key[32];
    const int64_t n = 200000;
    CHECK_EQ(fe_vocab_init(&v), FE_OK);
    for (int64_t i = 0; i < n; i++) {
        int len = snprintf(key, sizeof key, "w%lld", (long long)i);
        if (!CHECK_EQ(fe_vocab_add(&v, U(key), len, i % 7 + 1), i)) break;
    }
    CHECK_EQ(v.size, n);
    CHECK((v.n_slots & (v.n_slots - 1)) == 0);
    CHECK(v.size * 10 <= v.n_slots * 7);
    for (int64_t i = 0; i < n; i += 3) { /* adding again adds to the count, same id */
        int len = snprintf(key, sizeof key, "w%lld", (long long)i);
        CHECK_EQ(fe_vocab_add(&v, U(key), len, 10), i);
    }
    int64_t bad = 0;
    for (int64_t i = 0; i < n; i++) {
        int len = snprintf(key, sizeof key, "w%lld", (long long)i);
        int64_t id = fe_vocab_find(&v, U(key), len);
        int64_t want = i % 7 + 1 + (i % 3 == 0 ? 10 : 0);
        if (id != i || fe_vocab_count(&v, id) != want || fe_vocab_at(&v, id)->length != len ||
            memcmp(fe_vocab_bytes(&v, id), key, (size_t)len))
            bad++;
        len = snprintf(key, sizeof key, "x%lld", (long long)i);
        if (fe_vocab_find(&v, U(key), len) != -1) bad++;
    }
    CHECK_EQ(bad, 0);
    /* prefixes and the empty word are distinct keys */
    CHECK_EQ(fe_vocab_find(&v, U("w1"), 1), -1);
    CHECK_EQ(fe_vocab_find(&v, U(""), 0), -1);
    CHECK_EQ(fe_vocab_add(&v, U(""), 0, 1), n);
    CHECK_EQ(fe_vocab_find(&v, U(""), 0), n);
    fe_vocab_free(&v);
}

static void test_vocab_reserve_and_prune(void)
{
    fe_vocab v;
    char key[32];
    CHECK_EQ(fe_vocab_init(&v), FE_OK);
    CHECK_EQ(fe_vocab_reserve(&v, 5000, 50000), FE_OK);
    int64_t slots = v.n_slots;
    for (int i = 0; i < 5000; i++) {
        int len = snprintf(key, sizeof key, "k%d", i);
        fe_vocab_add(&v, U(key), len, i % 5);
    }
    CHECK_EQ(v.n_slots, slots); /* reserve made room up front */
    fe_vocab_prune(&v, 3);      /* keeps counts 3 and 4, in first-seen order */
    CHECK_EQ(v.size, 2000);
    int64_t bad = 0, expect_id = 0;
    for (int i = 0; i < 5000; i++) {
        int len = snprintf(key, sizeof key, "k%d", i);
        int64_t id = fe_vocab_find(&v, U(key), len);
        if (i % 5 < 3) {
            if (id != -1) bad++;
            continue;
        }
        if (id != expect_id++ || fe_vocab_count(&v, id) != i % 5 ||
            memcmp(fe_vocab_bytes(&v, id), key, (size_t)len))
            bad++;
    }
    CHECK_EQ(bad, 0);
    /* a pruned word comes back at the end */
    CHECK_EQ(fe_vocab_add(&v, U("k0"), 2, 1), 2000);
    fe_vocab_free(&v);
}

/* Two different words of 32 bytes with the same first 16 bytes and the same 64-bit hash: the
 * table must tell them apart by the rest of their bytes (kept in the record, not the slot).
 * Built for fe_vocab.c's hash, restated here: h0 mixes the first 16 bytes and the length, then
 * the words of bytes 16..23 and 24..31 are folded in as h = mix((h ^ w) * K1), mix bijective;
 * so for another first word t1' the second word t2' = t2 ^ h1 ^ h1' gives the same state (h1,
 * h1': the states after t1, t1'). The collision is checked with fe_hash_bytes itself: a change
 * of the hash fails the test instead of voiding it. */
#define TEST_K1 0x9E3779B97F4A7C15ULL
#define TEST_K2 0xD6E8FEB86659FD93ULL
#define TEST_K3 0xC2B2AE3D27D4EB4FULL

static uint64_t le_word(const unsigned char *p)
{
    uint64_t w = 0;
    for (int j = 7; j >= 0; j--) w = w << 8 | p[j];
    return w;
}

static uint64_t fold_word(uint64_t h, uint64_t w)
{
    h = (h ^ w) * TEST_K1;
    return h ^ (h >> 29);
}

static int printable_word(uint64_t w, unsigned char *out)
{
    for (int j = 0; j < 8; j++, w >>= 8) {
        out[j] = (unsigned char)(w & 0xFF);
        if (out[j] < 0x21 || out[j] > 0x7E) return 0;
    }
    return 1;
}

static void test_vocab_full_hash_collision(void)
{
    unsigned char a[] = "collision-prefixAAAAAAAAbbbbbbbb", b[sizeof a];
    memcpy(b, a, sizeof a);
    uint64_t k0 = le_word(a), k1 = le_word(a + 8), mid = (k1 ^ 32) * TEST_K2;
    uint64_t h0 = ((k0 ^ TEST_K3) * TEST_K1) ^ (mid >> 32 | mid << 32);
    uint64_t h1 = fold_word(h0, le_word(a + 16)), t2 = le_word(a + 24);
    int found = 0;
    for (uint64_t t = 0; t < 100000000 && !found; t++) {
        uint64_t t1 = 0x2121212121212121ULL + t; /* printable bytes, as long as t is small */
        if (!printable_word(t1, b + 16) || !memcmp(a + 16, b + 16, 8)) continue;
        found = printable_word(t2 ^ h1 ^ fold_word(h0, t1), b + 24);
    }
    if (!CHECK(found)) return;
    CHECK(memcmp(a, b, 32) != 0 && memcmp(a, b, 16) == 0);
    CHECK(fe_hash_bytes(a, 32) == fe_hash_bytes(b, 32));

    fe_vocab v;
    CHECK_EQ(fe_vocab_init(&v), FE_OK);
    CHECK_EQ(fe_vocab_add(&v, a, 32, 1), 0);
    CHECK_EQ(fe_vocab_add(&v, b, 32, 2), 1);
    CHECK_EQ(fe_vocab_find(&v, a, 32), 0);
    CHECK_EQ(fe_vocab_find(&v, b, 32), 1);
    CHECK_EQ(fe_vocab_find(&v, a, 31), -1);
    CHECK(fe_vocab_count(&v, 0) == 1 && fe_vocab_count(&v, 1) == 2);
    fe_word_key ka, kb; /* by key: the same hash and first 16 bytes, still two words */
    fe_word_key_of(&ka, a, 32, 0);
    fe_word_key_of(&kb, b, 32, 0);
    CHECK(ka.hash == kb.hash && ka.key[0] == kb.key[0] && ka.key[1] == kb.key[1]);
    CHECK_EQ(fe_vocab_find_keyed(&v, a, 32, &ka), 0);
    CHECK_EQ(fe_vocab_find_keyed(&v, b, 32, &kb), 1);
    CHECK_EQ(fe_vocab_add_keyed(&v, b, 32, &kb, 1), 1);
    fe_vocab_free(&v);

    /* the same words through the file reader and the counting pass */
    char text[200];
    int len = snprintf(text, sizeof text, "%.32s %.32s %.32s\n%.32s %.32s\n", (const char *)a,
                       (const char *)b, (const char *)b, (const char *)b, (const char *)a);
    const char *path = scratch_path("collision.txt");
    write_file(path, text, (size_t)len);
    fe_read_options opt = options(4096, FE_UTF8_STRICT);
    fe_corpus_stats stats;
    fe_status st;
    fe_encoded tokens;
    fe_encoded_init(&tokens);
    fe_vocab_init(&v);
    CHECK_EQ(fe_count_files(&v, &path, 1, &opt, 0, &stats, &tokens, &st), FE_OK);
    static const uint32_t ids[] = {0, 1, 1, 1, 0};
    CHECK(v.size == 2 && fe_vocab_count(&v, 0) == 2 && fe_vocab_count(&v, 1) == 3);
    CHECK(tokens.n_ids == 5 && !memcmp(tokens.ids, ids, sizeof ids));
    fe_encoded_free(&tokens);
    fe_vocab_free(&v);
}

/* fe_word_key_of over words laid end to end in a buffer with FE_SLOT_KEY bytes of slack (as a
 * phrase batch keeps its tokens): padded or not, the same key, its hash fe_hash_bytes'; then
 * words added and found by key, through many growths of the table, agree with the plain
 * calls, and words sharing their first 16 bytes (or differing only in length) stay apart. */
static void test_vocab_keyed_lookups(void)
{
    enum { N = 60000 };
    static int64_t start[N], len[N];
    int64_t total = 0;
    uint64_t seed = 12345;
    for (int64_t i = 0; i < N; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        len[i] = i < 41 ? i : (int64_t)((seed >> 33) % 40); /* every length 0..40 */
        start[i] = total;
        total += len[i];
    }
    unsigned char *buf = (unsigned char *)malloc((size_t)total + FE_SLOT_KEY);
    if (!CHECK(buf != NULL)) return;
    for (int64_t i = 0; i < N; i++) {
        /* word i: its index in its first bytes (distinct words), then bytes of every value */
        for (int64_t j = 0; j < len[i]; j++)
            buf[start[i] + j] = j < 3 ? (unsigned char)(i >> (8 * j)) : (unsigned char)(j * 37 + i);
    }
    memset(buf + total, 0xAB, FE_SLOT_KEY); /* slack that is not zero: must not leak in */
    int64_t bad = 0;
    for (int64_t i = 0; i < N; i++) {
        fe_word_key kp, ku;
        fe_word_key_of(&kp, buf + start[i], len[i], 1);
        fe_word_key_of(&ku, buf + start[i], len[i], 0);
        if (kp.hash != ku.hash || kp.key[0] != ku.key[0] || kp.key[1] != ku.key[1] ||
            kp.hash != fe_hash_bytes(buf + start[i], len[i]))
            bad++;
    }
    CHECK_EQ(bad, 0);

    fe_vocab keyed, plain;
    CHECK_EQ(fe_vocab_init(&keyed), FE_OK);
    CHECK_EQ(fe_vocab_init(&plain), FE_OK);
    int64_t slots_at_start = keyed.n_slots;
    bad = 0;
    for (int64_t i = 0; i < N; i++) {
        fe_word_key k;
        fe_word_key_of(&k, buf + start[i], len[i], 1);
        int64_t a = fe_vocab_add_keyed(&keyed, buf + start[i], len[i], &k, 1);
        int64_t b = fe_vocab_add(&plain, buf + start[i], len[i], 1);
        if (a != b || fe_vocab_find_keyed(&keyed, buf + start[i], len[i], &k) != a) bad++;
    }
    CHECK_EQ(bad, 0);
    CHECK(keyed.n_slots >= 64 * slots_at_start); /* it grew many times over */
    CHECK_EQ(keyed.size, plain.size);
    for (int64_t id = 0; id < keyed.size; id++) {
        const fe_vocab_record *r = fe_vocab_at(&keyed, id);
        if (fe_vocab_find(&keyed, fe_vocab_bytes(&keyed, id), r->length) != id ||
            fe_vocab_count(&keyed, id) != fe_vocab_count(&plain, id))
            bad++;
    }
    CHECK_EQ(bad, 0);

    /* the same first 16 bytes: longer, shorter, or a different tail are other words */
    unsigned char w[40];
    memset(w, 'q', sizeof w);
    fe_word_key k;
    int64_t ids[4];
    const int64_t lens[4] = {16, 17, 24, 40}, before = keyed.size;
    for (int j = 0; j < 4; j++) {
        fe_word_key_of(&k, w, lens[j], 0);
        ids[j] = fe_vocab_add_keyed(&keyed, w, lens[j], &k, 1);
    }
    CHECK(ids[0] == before && ids[1] == before + 1 && ids[2] == before + 2 && ids[3] == before + 3);
    w[30] = 'r';
    fe_word_key_of(&k, w, 40, 0);
    CHECK_EQ(fe_vocab_find_keyed(&keyed, w, 40, &k), -1);
    CHECK_EQ(fe_vocab_add_keyed(&keyed, w, 40, &k, 1), ids[3] + 1);
    fe_word_key_of(&k, w, 15, 0);
    CHECK_EQ(fe_vocab_find_keyed(&keyed, w, 15, &k), -1);
    fe_vocab_free(&keyed);
    fe_vocab_free(&plain);
    free(buf);
}

/* ---- UTF-8 ---- */

static void test_utf8_check(void)
{
    static const struct {
        const char *s;
        int64_t first_bad;
    } cases[] = {
        {"plain ascii", 11},
        {"caf\xC3\xA9", 5},
        {"\xE2\x82\xAC euro", 8},
        {"\xF0\x9F\x98\x80", 4}, /* emoji */
        {"e\xCC\x81", 3},        /* combining acute */
        {"\xEF\xBF\xBF", 3},     /* U+FFFF is a noncharacter, still valid */
        {"\xF4\x8F\xBF\xBF", 4}, /* U+10FFFF */
        {"\xC0\x80", 0},         /* overlong NUL */
        {"\xC1\xBF", 0},
        {"\xE0\x9F\xBF", 0},     /* overlong 3-byte */
        {"\xF0\x8F\xBF\xBF", 0}, /* overlong 4-byte */
        {"ab\xED\xA0\x80", 2},   /* surrogate D800 */
        {"\xF4\x90\x80\x80", 0}, /* above U+10FFFF */
        {"\xF5\x80\x80\x80", 0},
        {"\xFF", 0},
        {"x\x80", 1},        /* lone continuation */
        {"a\xE2\x82", 1},    /* truncated at the end */
        {"abcdefgh\xFF", 8}, /* after the 8-byte fast path */
        {"abcdefg\xC3\xA9hijklmnop\xC3", 18},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int64_t len = (int64_t)strlen(cases[k].s);
        if (!CHECK_EQ(fe_utf8_check(U(cases[k].s), len), cases[k].first_bad))
            fprintf(stderr, "  case %zu\n", k);
    }
}

static void test_utf8_repair(void)
{
    static const struct {
        const char *in, *replaced, *ignored;
    } cases[] = {
        {"ok", "ok", "ok"},
        {"\xE0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD", ""}, /* E0 then 80: two subparts */
        {"a\xE2\x82"
         "b",
         "a\xEF\xBF\xBD"
         "b",
         "ab"},                               /* E2 82 is one subpart */
        {"\xF0\x9F\x98", "\xEF\xBF\xBD", ""}, /* cut emoji: one */
        {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", ""},
        {"\xC3\xA9\xFF\xC3\xA9", "\xC3\xA9\xEF\xBF\xBD\xC3\xA9", "\xC3\xA9\xC3\xA9"},
    };
    unsigned char out[64];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int64_t len = (int64_t)strlen(cases[k].in);
        int64_t n = fe_utf8_repair(U(cases[k].in), len, FE_UTF8_REPLACE, out);
        CHECK(n == (int64_t)strlen(cases[k].replaced) &&
              !memcmp(out, cases[k].replaced, (size_t)n));
        CHECK_EQ(fe_utf8_check(out, n), n);
        n = fe_utf8_repair(U(cases[k].in), len, FE_UTF8_IGNORE, out);
        CHECK(n == (int64_t)strlen(cases[k].ignored) && !memcmp(out, cases[k].ignored, (size_t)n));
    }
}

/* ---- tokenizer ---- */

/* Events as one string: each word followed by '|', each line end as '\n'. */
typedef struct {
    char *s;
    size_t len, cap;
} text;

static void text_add(text *t, const void *p, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = 2 * (t->len + n + 1);
        t->s = (char *)realloc(t->s, t->cap);
        if (!t->s) exit(2);
    }
    memcpy(t->s + t->len, p, n);
    t->len += n;
    t->s[t->len] = '\0';
}

/* The rules, written the obvious way over the whole buffer (valid UTF-8 input). */
static text reference_events(const char *data, size_t len)
{
    text t = {0};
    size_t i = (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) ? 3 : 0;
    while (i < len) {
        char c = data[i];
        if (c == '\n') {
            text_add(&t, "\n", 1);
            i++;
            continue;
        }
        if (strchr(" \t\v\f\r", c) && c != '\0') {
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && !(data[j] && strchr(" \t\n\v\f\r", data[j]))) j++;
        text_add(&t, data + i, j - i);
        text_add(&t, "|", 1);
        i = j;
    }
    return t;
}

static int read_events(const char *path, const fe_read_options *opt, text *t, fe_status *st)
{
    fe_reader r;
    int rc = fe_reader_open(&r, path, opt, st);
    if (rc != FE_OK) return rc;
    const unsigned char *w;
    int64_t n;
    while ((rc = fe_reader_next(&r, &w, &n, st)) > 0) {
        if (rc == FE_TOK_EOL) text_add(t, "\n", 1);
        else {
            text_add(t, w, (size_t)n);
            text_add(t, "|", 1);
        }
    }
    fe_reader_close(&r);
    return rc;
}

static void test_tokenizer_chunk_sizes(void)
{
    static const char corpus[] =
        "\xEF\xBB\xBF"
        "first line\r\n"
        "\ttabs\tand  spaces   \r\n"
        "\n\n"
        "caf\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80 e\xCC\x81\v\fx\r\n"
        "   \r\n"
        "a-rather-long-token-that-spans-many-small-chunks-0123456789 b\n"
        "nul\0inside last-line-without-newline";
    const char *path = scratch_path("tok.txt");
    write_file(path, corpus, sizeof corpus - 1);
    text want = reference_events(corpus, sizeof corpus - 1);
    static const int64_t chunks[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 16, 17, 64, 4096};
    for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
        fe_read_options opt = options(chunks[k], FE_UTF8_STRICT);
        fe_status st;
        fe_status_clear(&st);
        text got = {0};
        text_add(&got, "", 0);
        int rc = read_events(path, &opt, &got, &st);
        CHECK_EQ(rc, FE_TOK_EOF);
        if (!CHECK(got.len == want.len && !memcmp(got.s, want.s, want.len)))
            fprintf(stderr, "  chunk size %lld\n", (long long)chunks[k]);
        free(got.s);
    }
    free(want.s);
}

static void test_bom_only_at_file_start(void)
{
    static const char corpus[] = "\xEF\xBB\xBF\n\xEF\xBB\xBF"
                                 "a";
    const char *path = scratch_path("bom.txt");
    write_file(path, corpus, sizeof corpus - 1);
    for (int64_t chunk = 1; chunk <= 8; chunk++) {
        fe_read_options opt = options(chunk, FE_UTF8_STRICT);
        fe_status st;
        text got = {0};
        text_add(&got, "", 0);
        CHECK_EQ(read_events(path, &opt, &got, &st), FE_TOK_EOF);
        CHECK(!strcmp(got.s,
                      "\n\xEF\xBB\xBF"
                      "a|")); /* a second BOM is a character */
        free(got.s);
    }
}

static void test_long_token_error(void)
{
    static const char corpus[] = "a b\nccc\n  dddddddddd eeeeeeeeeee\n";
    const char *path = scratch_path("long.txt");
    write_file(path, corpus, sizeof corpus - 1);
    for (int64_t chunk = 1; chunk <= 12; chunk++) {
        fe_read_options opt = options(chunk, FE_UTF8_STRICT);
        opt.max_token_bytes = 10;
        fe_status st;
        fe_status_clear(&st);
        text got = {0};
        text_add(&got, "", 0);
        CHECK_EQ(read_events(path, &opt, &got, &st), FE_ERR_TOKEN_TOO_LONG);
        CHECK_EQ(st.line, 3);
        CHECK_EQ(st.offset, 21); /* the 11-byte token; the 10-byte one is fine */
        CHECK(!strcmp(got.s, "a|b|\nccc|\ndddddddddd|"));
        free(got.s);
    }
}

static void test_strict_utf8_error(void)
{
    static const char corpus[] = "ok\r\nfoo bar\xFF"
                                 "baz\n";
    const char *path = scratch_path("bad.txt");
    write_file(path, corpus, sizeof corpus - 1);
    for (int64_t chunk = 1; chunk <= 9; chunk++) {
        fe_read_options opt = options(chunk, FE_UTF8_STRICT);
        fe_status st;
        fe_status_clear(&st);
        text got = {0};
        text_add(&got, "", 0);
        CHECK_EQ(read_events(path, &opt, &got, &st), FE_ERR_UTF8);
        CHECK_EQ(st.line, 2);
        CHECK_EQ(st.offset, 11);
        CHECK(strstr(st.message, "0xFF") != NULL);
        free(got.s);
        /* the same file with replacement */
        opt.errors = FE_UTF8_REPLACE;
        got.s = NULL;
        got.len = got.cap = 0;
        text_add(&got, "", 0);
        CHECK_EQ(read_events(path, &opt, &got, &st), FE_TOK_EOF);
        CHECK(!strcmp(got.s,
                      "ok|\nfoo|bar\xEF\xBF\xBD"
                      "baz|\n"));
        free(got.s);
    }
}

static void test_missing_file(void)
{
    const char *paths[] = {scratch_path("tok.txt"), "/nonexistent/dir/corpus.txt"};
    fe_read_options opt = options(4096, FE_UTF8_STRICT);
    fe_vocab v;
    fe_corpus_stats stats;
    fe_status st;
    fe_vocab_init(&v);
    CHECK_EQ(fe_count_files(&v, paths, 2, &opt, 0, &stats, NULL, &st), FE_ERR_IO);
    CHECK_EQ(st.sys_errno, ENOENT);
    CHECK_EQ(st.file_index, 1);
    fe_vocab_free(&v);
}

static int stop_now(void *ctx)
{
    int *calls = (int *)ctx;
    return ++*calls >= 3;
}

static void test_poll_cancels(void)
{
    const char *path = scratch_path("tok.txt");
    int calls = 0;
    fe_read_options opt = options(4, FE_UTF8_STRICT);
    opt.poll = stop_now;
    opt.poll_ctx = &calls;
    opt.poll_bytes = 8;
    fe_vocab v;
    fe_corpus_stats stats;
    fe_status st;
    fe_vocab_init(&v);
    CHECK_EQ(fe_count_files(&v, &path, 1, &opt, 0, &stats, NULL, &st), FE_ERR_CANCELLED);
    CHECK_EQ(calls, 3);
    fe_vocab_free(&v);
}

/* ---- whole-corpus passes ---- */

static void test_count_and_encode(void)
{
    /* Two files: the first has no final newline, its last line must not join the next. */
    static const char one[] = "b a b\n\n c a\t";
    static const char two[] = "a\r\nd d d b\n";
    char p1[4096], p2[4096];
    snprintf(p1, sizeof p1, "%s", scratch_path("one.txt"));
    snprintf(p2, sizeof p2, "%s", scratch_path("two.txt"));
    write_file(p1, one, sizeof one - 1);
    write_file(p2, two, sizeof two - 1);
    const char *paths[] = {p1, p2};
    for (int64_t chunk = 1; chunk <= 6; chunk++) {
        fe_read_options opt = options(chunk, FE_UTF8_STRICT);
        fe_vocab v;
        fe_corpus_stats stats;
        fe_status st;
        fe_vocab_init(&v);
        fe_encoded tokens; /* the corpus as counting ids, recorded in the same pass */
        fe_encoded_init(&tokens);
        CHECK_EQ(fe_count_files(&v, paths, 2, &opt, 0, &stats, &tokens, &st), FE_OK);
        CHECK_EQ(stats.total_tokens, 10);
        CHECK_EQ(stats.n_sentences, 4);
        static const uint32_t counted[] = {0, 1, 0, 2, 1, 1, 3, 3, 3, 0};
        static const int64_t counted_offsets[] = {0, 3, 5, 6, 10};
        CHECK(tokens.n_ids == 10 && !memcmp(tokens.ids, counted, sizeof counted));
        CHECK(tokens.n_sentences == 4 &&
              !memcmp(tokens.offsets, counted_offsets, sizeof counted_offsets));
        /* mapped to the vocabulary [d, b] below, it must equal what encoding the files gives */
        const int64_t to_db[] = {1, -1, -1, 0}; /* b a c d -> 1, dropped, dropped, 0 */
        CHECK_EQ(fe_encoded_remap(&tokens, to_db, 3), FE_ERR_ARG); /* id 3 out of range */
        CHECK_EQ(tokens.n_ids, 10);
        CHECK_EQ(fe_encoded_remap(&tokens, to_db, 4), FE_OK);
        CHECK_EQ(v.size, 4); /* b a c d, first-seen order */
        CHECK_EQ(fe_vocab_find(&v, U("b"), 1), 0);
        CHECK_EQ(fe_vocab_find(&v, U("d"), 1), 3);
        CHECK_EQ(fe_vocab_count(&v, 0), 3);
        CHECK_EQ(fe_vocab_count(&v, 1), 3);
        CHECK_EQ(fe_vocab_count(&v, 2), 1);
        CHECK_EQ(fe_vocab_count(&v, 3), 3);
        fe_vocab_free(&v);

        /* encode with vocabulary [d, b]: a and c are out of vocabulary */
        fe_vocab_init(&v);
        fe_vocab_add(&v, U("d"), 1, 0);
        fe_vocab_add(&v, U("b"), 1, 0);
        fe_encoded e;
        fe_encoded_init(&e);
        CHECK_EQ(fe_encode_files(&v, paths, 2, &opt, &e, &stats, &st), FE_OK);
        fe_encoded_shrink(&e);
        static const uint32_t ids[] = {1, 1, 0, 0, 0, 1};
        static const int64_t offsets[] = {0, 2, 6};
        CHECK_EQ(stats.total_tokens, 10);
        CHECK_EQ(e.n_ids, 6);
        CHECK_EQ(e.n_sentences, 2); /* "c a" and "a" have no kept word */
        CHECK(e.n_ids == 6 && !memcmp(e.ids, ids, sizeof ids));
        CHECK(e.n_sentences == 2 && !memcmp(e.offsets, offsets, sizeof offsets));
        CHECK(tokens.n_ids == 6 && !memcmp(tokens.ids, ids, sizeof ids));
        CHECK(tokens.n_sentences == 2 && !memcmp(tokens.offsets, offsets, sizeof offsets));
        fe_encoded_free(&tokens);
        fe_encoded_free(&e);
        fe_vocab_free(&v);
    }
}

static void test_huge_line_streams(void)
{
    /* 300,000 tokens on one line with no newline, read 7 bytes at a time. */
    const int n = 300000;
    const char *path = scratch_path("huge.txt");
    FILE *fp = fopen(path, "wb");
    if (!fp) exit(2);
    for (int i = 0; i < n; i++) fprintf(fp, "t%d ", i % 1000);
    fclose(fp);
    fe_read_options opt = options(7, FE_UTF8_STRICT);
    fe_vocab v;
    fe_corpus_stats stats;
    fe_status st;
    fe_vocab_init(&v);
    CHECK_EQ(fe_count_files(&v, &path, 1, &opt, 0, &stats, NULL, &st), FE_OK);
    CHECK_EQ(stats.total_tokens, n);
    CHECK_EQ(stats.n_sentences, 1);
    CHECK_EQ(v.size, 1000);
    int64_t bad = 0;
    for (int64_t id = 0; id < v.size; id++) bad += fe_vocab_count(&v, id) != n / 1000;
    CHECK_EQ(bad, 0);
    fe_vocab_free(&v);
}

/* ---- counting parts of a corpus, then merging ---- */

static void test_reader_range(void)
{
    static const char data[] = "\xEF\xBB\xBF"
                               "ab cd\r\nef\n\n \xC3\xA9g h\n";
    const int64_t len = sizeof data - 1;
    const char *path = scratch_path("range.txt");
    write_file(path, data, (size_t)len);
    fe_read_options opt = options(2, FE_UTF8_STRICT);
    fe_status st;
    fe_reader r;
    int64_t bad = 0;
    /* every range reads exactly its bytes (a BOM only at offset 0) */
    for (int64_t start = 0; start <= len; start++) {
        for (int64_t end = start; end <= len + 1; end++) {
            text want = reference_events(data + start, (size_t)((end > len ? len : end) - start));
            text_add(&want, "", 0);
            if (start > 0 && end - start >= 3 && !memcmp(data + start, "\xEF\xBB\xBF", 3))
                continue; /* not a case: the BOM is only at 0 */
            text got = {0};
            text_add(&got, "", 0);
            CHECK_EQ(fe_reader_open_range(&r, path, &opt, start, end > len ? -1 : end, &st), FE_OK);
            const unsigned char *w;
            int64_t n;
            int rc;
            while ((rc = fe_reader_next(&r, &w, &n, &st)) > 0) {
                if (rc == FE_TOK_EOL) text_add(&got, "\n", 1);
                else {
                    text_add(&got, w, (size_t)n);
                    text_add(&got, "|", 1);
                }
            }
            fe_reader_close(&r);
            /* a range that cuts the BOM or the 2-byte é is invalid UTF-8, and reads so */
            int64_t stop = end > len ? len : end;
            if (fe_utf8_check(U(data + start), stop - start) < stop - start)
                bad += rc != FE_ERR_UTF8;
            else bad += rc != FE_TOK_EOF || got.len != want.len || memcmp(got.s, want.s, want.len);
            free(got.s);
            free(want.s);
        }
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(fe_reader_open_range(&r, path, &opt, -1, 4, &st), FE_ERR_ARG);
    CHECK_EQ(fe_reader_open_range(&r, path, &opt, 5, 4, &st), FE_ERR_ARG);
}

/* Whether two passes gave the same words (bytes, order, counts), stats and tokens. */
static int same_count(const fe_vocab *a, const fe_corpus_stats *sa, const fe_encoded *ta,
                      const fe_vocab *b, const fe_corpus_stats *sb, const fe_encoded *tb)
{
    if (a->size != b->size || sa->total_tokens != sb->total_tokens ||
        sa->n_sentences != sb->n_sentences || sa->bad_tokens != sb->bad_tokens ||
        sa->first_bad_file != sb->first_bad_file || sa->first_bad_offset != sb->first_bad_offset)
        return 0;
    for (int64_t id = 0; id < a->size; id++) {
        int64_t n = fe_vocab_at(a, id)->length;
        if (n != fe_vocab_at(b, id)->length || fe_vocab_count(a, id) != fe_vocab_count(b, id) ||
            memcmp(fe_vocab_bytes(a, id), fe_vocab_bytes(b, id), (size_t)n))
            return 0;
    }
    if ((ta->offsets == NULL) != (tb->offsets == NULL)) return 0;
    if (!ta->offsets) return 1;
    return ta->n_ids == tb->n_ids && ta->n_sentences == tb->n_sentences &&
        !memcmp(ta->ids, tb->ids, (size_t)ta->n_ids * sizeof(uint32_t)) &&
        !memcmp(ta->offsets, tb->offsets, (size_t)(ta->n_sentences + 1) * sizeof(int64_t));
}

static void test_pieces_merge_like_one_pass(void)
{
    /* Cut at every pair of line starts of the first file (three parts, the middle one
     * taking the rest of file one and the start of file two, which has no final newline),
     * counted part by part, merged: what one pass over both files gives. Words recur across
     * the parts and new ones appear in each; invalid UTF-8 is repaired in two parts. */
    static const char one[] = "\xEF\xBB\xBF"
                              "b a b\r\n\n c a\t\xC3\xA9\n"
                              "x\xFF b\n \r\nd e \xE4\xB8\xAD a\nlong-word-of-more-than-16 b\n"
                              "\xC3\n";
    static const char two[] = "a\r\nd d d b\nlast\xFF line";
    char p1[4096], p2[4096];
    snprintf(p1, sizeof p1, "%s", scratch_path("part1.txt"));
    snprintf(p2, sizeof p2, "%s", scratch_path("part2.txt"));
    write_file(p1, one, sizeof one - 1);
    write_file(p2, two, sizeof two - 1);
    const char *paths[] = {p1, p2};
    int64_t starts[64], n_starts = 0, newlines = 0;
    for (int64_t i = 0; i < (int64_t)sizeof one - 1; i++) {
        if (i == 0 || one[i - 1] == '\n') starts[n_starts++] = i;
        newlines += one[i] == '\n';
    }
    starts[n_starts++] = sizeof one - 1;
    int64_t mismatches = 0, cases = 0;
    static const int64_t chunks[] = {1, 3, 4096};
    for (size_t c = 0; c < 3; c++) {
        fe_read_options opt = options(chunks[c], FE_UTF8_REPLACE);
        fe_vocab whole;
        fe_corpus_stats whole_stats;
        fe_encoded whole_tokens;
        fe_status st;
        fe_vocab_init(&whole);
        fe_encoded_init(&whole_tokens);
        CHECK_EQ(fe_count_files(&whole, paths, 2, &opt, 0, &whole_stats, &whole_tokens, &st),
                 FE_OK);
        for (int64_t i = 0; i < n_starts; i++) {
            for (int64_t j = i; j < n_starts; j++) {
                fe_piece p[4] = {{0, 0, starts[i], 0},
                                 {0, starts[i], starts[j], 0},
                                 {0, starts[j], -1, 0},
                                 {1, 0, -1, 0}};
                /* part 0: p[0]; part 1: p[1], part 2: p[2] and p[3] */
                fe_vocab v[3];
                fe_corpus_stats s[3];
                fe_encoded t[3];
                int64_t first[] = {0, 1, 2}, count[] = {1, 1, 2};
                for (int k = 0; k < 3; k++) {
                    fe_vocab_init(&v[k]);
                    fe_encoded_init(&t[k]);
                    CHECK_EQ(fe_count_pieces(&v[k], paths, &p[first[k]], count[k], &opt, &s[k],
                                             &t[k], &st),
                             FE_OK);
                }
                mismatches += p[0].lines + p[1].lines + p[2].lines != newlines;
                for (int k = 1; k < 3; k++) {
                    if (s[k].bad_tokens && s[k].first_bad_file == 0) /* lines are the caller's */
                        s[k].first_bad_line += p[0].lines + (k == 2 ? p[1].lines : 0);
                    CHECK_EQ(fe_merge_counts(&v[0], &s[0], &t[0], &v[k], &s[k], &t[k]), FE_OK);
                }
                mismatches +=
                    !same_count(&v[0], &s[0], &t[0], &whole, &whole_stats, &whole_tokens) ||
                    s[0].first_bad_line != whole_stats.first_bad_line;
                cases++;
                for (int k = 0; k < 3; k++) {
                    fe_vocab_free(&v[k]);
                    fe_encoded_free(&t[k]);
                }
            }
        }
        CHECK_EQ(whole_stats.bad_tokens, 3);
        fe_vocab_free(&whole);
        fe_encoded_free(&whole_tokens);
    }
    CHECK_EQ(mismatches, 0);
    CHECK(cases > 100);
}

static void test_merge_gives_up_tokens_when_a_part_has_none(void)
{
    static const char data[] = "a b\nc a\n";
    const char *path = scratch_path("merge.txt");
    write_file(path, data, sizeof data - 1);
    fe_read_options opt = options(4096, FE_UTF8_STRICT);
    fe_piece p[2] = {{0, 0, 4, 0}, {0, 4, -1, 0}};
    fe_vocab v[2];
    fe_corpus_stats s[2];
    fe_encoded t;
    fe_status st;
    fe_encoded_init(&t);
    for (int k = 0; k < 2; k++) {
        fe_vocab_init(&v[k]);
        CHECK_EQ(fe_count_pieces(&v[k], &path, &p[k], 1, &opt, &s[k], k == 0 ? &t : NULL, &st),
                 FE_OK);
    }
    CHECK(t.offsets != NULL);
    CHECK_EQ(fe_merge_counts(&v[0], &s[0], &t, &v[1], &s[1], NULL), FE_OK);
    CHECK(t.offsets == NULL && t.ids == NULL);
    CHECK_EQ(v[0].size, 3); /* a b c */
    CHECK_EQ(fe_vocab_count(&v[0], 0), 2);
    CHECK_EQ(fe_vocab_find(&v[0], U("c"), 1), 2);
    CHECK_EQ(s[0].total_tokens, 4);
    CHECK_EQ(s[0].n_sentences, 2);
    for (int k = 0; k < 2; k++) fe_vocab_free(&v[k]);
}

int main(int argc, char **argv)
{
    if (argc > 1) scratch = argv[1];
    test_vocab_many_keys();
    test_vocab_reserve_and_prune();
    test_vocab_full_hash_collision();
    test_vocab_keyed_lookups();
    test_utf8_check();
    test_utf8_repair();
    test_tokenizer_chunk_sizes();
    test_bom_only_at_file_start();
    test_long_token_error();
    test_strict_utf8_error();
    test_missing_file();
    test_poll_cancels();
    test_count_and_encode();
    test_huge_line_streams();
    test_reader_range();
    test_pieces_merge_like_one_pass();
    test_merge_gives_up_tokens_when_a_part_has_none();
    printf("test_vocab: %d checks, %d failed\n", n_checks, n_failed);
    return n_failed ? 1 : 0;
}
