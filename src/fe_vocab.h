/* fe_vocab.h — reading corpus files: tokenize, count words, encode to word ids.
 *
 * Contents
 *   1. fe_vocab    a hash table of byte strings, ids in insertion order, int64 counts
 *   2. UTF-8       validation and repair of one token
 *   3. fe_reader   a streaming tokenizer over one file, fixed-size chunks, bounded memory
 *   4. whole-corpus passes: fe_count_files (vocabulary) and fe_encode_files (uint32 ids)
 *
 * Tokenization (word2vec.c / gensim LineSentence compatible, differences marked):
 *   - A line (bytes up to '\n') is a sentence. A file's last line ends at end of file even
 *     without '\n'; several files are read one after the other, never joining lines.
 *   - Tokens are separated by ASCII whitespace: ' ' \t \n \v \f \r. So CRLF files and
 *     trailing spaces are fine. Non-ASCII spaces (U+00A0, U+3000, ...) and the ASCII
 *     separators \x1c-\x1f are part of tokens (gensim's str.split() would split on them;
 *     word2vec.c would not).
 *   - A UTF-8 byte order mark at the start of each file is skipped.
 *   - No token is ever dropped or cut, however long the line (gensim cuts sentences at 10,000
 *     tokens). A token longer than max_token_bytes is an error (FE_ERR_TOKEN_TOO_LONG): memory
 *     stays bounded by chunk_size + max_token_bytes whatever the input.
 *   - UTF-8 is checked per token (Unicode's well-formedness table: no overlongs, no
 *     surrogates, nothing above U+10FFFF, no truncated sequences). FE_UTF8_STRICT stops with
 *     FE_ERR_UTF8 at the first bad byte; FE_UTF8_REPLACE writes U+FFFD for each maximal
 *     ill-formed subpart (what Python's bytes.decode(errors="replace") does); FE_UTF8_IGNORE
 *     drops those bytes. A token that becomes empty this way is not a token.
 *
 * Errors: every function that can fail returns FE_OK (0) or a negative FE_ERR_* code and fills
 * an fe_status (where: file index, 1-based line, byte offset in the file; why: message).
 * Nothing here prints, aborts or touches Python; all allocations are checked.
 */
#ifndef FE_VOCAB_H
#define FE_VOCAB_H

#include <stdint.h>

#include "fe_errors.h" /* FE_OK, FE_ERR_* */

typedef struct fe_status {
    int code;
    int sys_errno;
    int64_t file_index; /* which of the paths, -1 if none */
    int64_t line;       /* 1-based, 0 if none */
    int64_t offset;     /* byte offset in the file, -1 if none */
    char message[256];
} fe_status;

void fe_status_clear(fe_status *st);

/* 1. Vocabulary ---------------------------------------------------------------------------- */

/* Open addressing, linear probing, power-of-two capacity kept under 0.7 load. A slot is 32
 * bytes, two to a cache line, and holds the word's hash, length, id and first FE_SLOT_KEY
 * bytes: looking up a word of up to FE_SLOT_KEY bytes reads one slot and its count, and the
 * counts are a dense array in id order (frequent words are seen early, so theirs stay in
 * cache). The word's bytes are also kept whole in a record in the arena, in id order. The id
 * of a word is its first-seen rank (prune renumbers, keeping the order); a table holds at
 * most FE_VOCAB_MAX_WORDS words. */
#define FE_SLOT_KEY 16
#define FE_VOCAB_MAX_WORDS ((int64_t)UINT32_MAX)
#define FE_SLOT_LONG INT32_MAX /* slot length of a word of FE_SLOT_LONG bytes or more */

typedef struct fe_vocab_slot {
    uint64_t hash;
    uint32_t id;
    int32_t len;     /* -1: empty; at most FE_SLOT_LONG (the record has it) */
    uint64_t key[2]; /* its first FE_SLOT_KEY bytes, little-endian, zero-padded */
} fe_vocab_slot;

typedef struct fe_vocab_record {
    int64_t length; /* of the word's bytes, which follow the header (padded to 8) */
    uint64_t hash;
} fe_vocab_record;

typedef struct fe_vocab {
    fe_vocab_slot *slots;
    int64_t n_slots;
    int64_t size;         /* words */
    int64_t *ref;         /* ref[id]: offset of word id's record */
    int64_t *counts;      /* counts[id] */
    int64_t ref_cap;      /* of ref and counts */
    unsigned char *arena; /* the records, in id order */
    int64_t arena_len, arena_cap;
} fe_vocab;

static inline const fe_vocab_record *fe_vocab_at(const fe_vocab *v, int64_t id)
{
    return (const fe_vocab_record *)(const void *)(v->arena + v->ref[id]);
}

static inline const unsigned char *fe_vocab_bytes(const fe_vocab *v, int64_t id)
{
    return (const unsigned char *)(fe_vocab_at(v, id) + 1);
}

static inline int64_t fe_vocab_count(const fe_vocab *v, int64_t id) { return v->counts[id]; }

uint64_t fe_hash_bytes(const unsigned char *bytes, int64_t len);
int fe_vocab_init(fe_vocab *v);
void fe_vocab_free(fe_vocab *v);
/* Room for n words of total_bytes bytes without reallocation. */
int fe_vocab_reserve(fe_vocab *v, int64_t n, int64_t total_bytes);
/* Adds count to the word (inserting it with that count if new). Returns its id, or -1 when
 * out of memory or the table already holds FE_VOCAB_MAX_WORDS words. */
int64_t fe_vocab_add(fe_vocab *v, const unsigned char *bytes, int64_t len, int64_t count);
/* The word's id, or -1. */
int64_t fe_vocab_find(const fe_vocab *v, const unsigned char *bytes, int64_t len);
/* fe_vocab_find and fe_vocab_add for a word whose fe_hash_bytes is already known (a caller
 * that looks one word up in several tables hashes it once). */
int64_t fe_vocab_find_hashed(const fe_vocab *v, const unsigned char *bytes, int64_t len,
                             uint64_t hash);
int64_t fe_vocab_add_hashed(fe_vocab *v, const unsigned char *bytes, int64_t len, uint64_t hash,
                            int64_t count);
/* A word as a table compares it: its hash (fe_hash_bytes) and its first FE_SLOT_KEY bytes as
 * two little-endian words, zero-padded. A caller that looks many words up (or one word in
 * several tables) computes it once per word; with `padded`, bytes may be read up to
 * FE_SLOT_KEY bytes from their start whatever len is (a buffer with that much slack after its
 * last word), which makes a short word two masked loads instead of byte loops. */
typedef struct fe_word_key {
    uint64_t hash;
    uint64_t key[2];
} fe_word_key;

void fe_word_key_of(fe_word_key *k, const unsigned char *bytes, int64_t len, int padded);
/* fe_vocab_find and fe_vocab_add for a word whose fe_word_key_of is known. */
int64_t fe_vocab_find_keyed(const fe_vocab *v, const unsigned char *bytes, int64_t len,
                            const fe_word_key *k);
int64_t fe_vocab_add_keyed(fe_vocab *v, const unsigned char *bytes, int64_t len,
                           const fe_word_key *k, int64_t count);
/* Removes every word with count < min_count, keeping the others' relative order. */
void fe_vocab_prune(fe_vocab *v, int64_t min_count);

/* 2. UTF-8 --------------------------------------------------------------------------------- */

enum { FE_UTF8_STRICT = 0, FE_UTF8_REPLACE = 1, FE_UTF8_IGNORE = 2 };

/* Index of the first byte of the first ill-formed sequence, or len if all is well-formed. */
int64_t fe_utf8_check(const unsigned char *s, int64_t len);
/* Writes s with each maximal ill-formed subpart replaced by U+FFFD (mode FE_UTF8_REPLACE) or
 * dropped (FE_UTF8_IGNORE). out needs room for 3*len bytes. Returns the output length. */
int64_t fe_utf8_repair(const unsigned char *s, int64_t len, int mode, unsigned char *out);

/* 3. Streaming tokenizer ------------------------------------------------------------------- */

typedef struct fe_read_options {
    int64_t chunk_size;      /* bytes per fread, >= 1 (tests use 1, 2, 5, ...) */
    int64_t max_token_bytes; /* >= 1; FE_DEFAULT_MAX_TOKEN is 1 MiB */
    int errors;              /* FE_UTF8_* */
    /* Called about every poll_bytes bytes read (if non-NULL); non-zero stops the pass with
     * FE_ERR_CANCELLED. How the Python driver lets Ctrl-C through. */
    int (*poll)(void *ctx);
    void *poll_ctx;
    int64_t poll_bytes;
} fe_read_options;

#define FE_DEFAULT_CHUNK ((int64_t)1 << 20)
#define FE_DEFAULT_MAX_TOKEN ((int64_t)1 << 20)

void fe_read_options_default(fe_read_options *opt);

enum { FE_TOK_EOF = 0, FE_TOK_WORD = 1, FE_TOK_EOL = 2 };

typedef struct fe_reader {
    void *fp; /* FILE * */
    fe_read_options opt;
    unsigned char *chunk;
    int64_t pos, len;     /* unread bytes: chunk[pos .. len) */
    int64_t chunk_offset; /* file offset of chunk[0] */
    int64_t remaining;    /* bytes of the range still to read, or -1: up to the end */
    int at_eof;
    unsigned char *tok; /* a token that straddles chunks, assembled */
    int64_t tok_len, tok_cap;
    int in_token;         /* tok holds the first part of an unfinished token */
    int64_t tok_start;    /* file offset of the current token */
    uint64_t hash;        /* fe_hash_bytes of the word last returned by fe_reader_next */
    unsigned char *fixed; /* a token after UTF-8 repair */
    int64_t fixed_cap;
    int64_t line; /* current line, 1-based */
    int64_t bytes_since_poll;
    int64_t bad_tokens;                       /* tokens repaired (replace/ignore modes) */
    int64_t first_bad_line, first_bad_offset; /* of the first repaired token, or 0 / -1 */
} fe_reader;

/* Opens path (UTF-8 on Windows, bytes elsewhere) for reading. On failure st says why. */
int fe_reader_open(fe_reader *r, const char *path, const fe_read_options *opt, fe_status *st);
/* Opens path for reading only the bytes [start, end) (end -1: up to the end of the file). The
 * range is read as a file of its own would be, except that the file's offsets are reported
 * and a byte order mark is skipped only at offset 0; lines are counted from 1 at start. */
int fe_reader_open_range(fe_reader *r, const char *path, const fe_read_options *opt, int64_t start,
                         int64_t end, fe_status *st);
/* FE_TOK_WORD (*word, *len set; valid until the next call), FE_TOK_EOL at each '\n',
 * FE_TOK_EOF at the end, or a negative FE_ERR_* code. */
int fe_reader_next(fe_reader *r, const unsigned char **word, int64_t *len, fe_status *st);
void fe_reader_close(fe_reader *r);

/* 4. Whole-corpus passes ------------------------------------------------------------------- */

typedef struct fe_corpus_stats {
    int64_t total_tokens; /* every token read (in or out of vocabulary, pruned or not) */
    int64_t n_sentences;  /* lines with at least one token */
    int64_t bad_tokens;   /* tokens with invalid UTF-8 that were repaired */
    int64_t first_bad_file, first_bad_line, first_bad_offset; /* -1, 0, -1 if none */
} fe_corpus_stats;

/* Between two checks of max_vocab_size, as gensim checks after each sentence its LineSentence
 * yields, and that cuts lines into pieces of 10,000 tokens. Same vocabulary as gensim's
 * scan_vocab for the same max_vocab_size, and memory bounded even for a line of gigabytes. */
#define FE_PRUNE_PIECE 10000

/* Growable result of fe_encode_files: ids of in-vocabulary tokens in file order, sentence k is
 * ids[offsets[k] .. offsets[k+1]); sentences left empty are not emitted. Buffers are malloc'd;
 * the caller may take them over (then set the pointers to NULL) or fe_encoded_free them. */
typedef struct fe_encoded {
    uint32_t *ids;
    int64_t n_ids, ids_cap;
    int64_t *offsets;
    int64_t n_sentences, offsets_cap; /* offsets has n_sentences + 1 entries */
} fe_encoded;

void fe_encoded_init(fe_encoded *e);
void fe_encoded_free(fe_encoded *e);
/* Shrinks both buffers to their used size (a no-op if realloc cannot). */
void fe_encoded_shrink(fe_encoded *e);

/* Counts every token of the files into v (which may already hold words). If max_vocab_size > 0,
 * after each piece of a line (see FE_PRUNE_PIECE) in which the table exceeds max_vocab_size
 * words, the words with count < min_reduce are removed and min_reduce (starting at 1) grows
 * by one: gensim's prune_vocab rule. stats is overwritten.
 *
 * tokens (NULL, or initialised by fe_encoded_init) is reset, then receives every token as its id in v, in file order, with
 * one sentence per line that has tokens: the corpus encoded in the same pass, to be mapped to
 * the final vocabulary with fe_encoded_remap instead of reading the files again. It is given
 * up (freed: tokens->offsets == NULL) when pruning renumbers ids, when an id passes 2^32 - 1
 * or when memory runs out; the count itself goes on. */
int fe_count_files(fe_vocab *v, const char *const *paths, int64_t n_paths,
                   const fe_read_options *opt, int64_t max_vocab_size, fe_corpus_stats *stats,
                   fe_encoded *tokens, fe_status *st);

/* Part of a corpus: the bytes [start, end) of paths[file_index] (end -1: up to its end). A
 * corpus cut into pieces at line starts (offset 0 or just after a '\n') and counted piece by
 * piece, in order, gives what counting it whole gives: lines are never split. */
typedef struct fe_piece {
    int64_t file_index;
    int64_t start, end;
    int64_t lines; /* set by fe_count_pieces: the '\n' bytes read in it */
} fe_piece;

/* fe_count_files (without max_vocab_size: pruning needs the whole corpus in order) over the
 * pieces, in order: how several threads count parts of a corpus, each into its own table, to
 * be merged with fe_merge_counts. Files and offsets in stats and st are as fe_count_files
 * reports them, but lines count from 1 at the start of each piece. */
int fe_count_pieces(fe_vocab *v, const char *const *paths, fe_piece *pieces, int64_t n_pieces,
                    const fe_read_options *opt, fe_corpus_stats *stats, fe_encoded *tokens,
                    fe_status *st);

/* Adds the counts of the part of the corpus that follows into's: the words of from, in its
 * order, are added to into (new ones after into's, so ids stay in first-seen order), its
 * stats to into_stats (whose first repaired token, if any, comes first) and its tokens,
 * mapped to into's ids, after into_tokens'. into_tokens is given up (freed) when from_tokens
 * is NULL or was given up. FE_ERR_NOMEM (into_tokens given up) when memory runs out. */
int fe_merge_counts(fe_vocab *into, fe_corpus_stats *into_stats, fe_encoded *into_tokens,
                    const fe_vocab *from, const fe_corpus_stats *from_stats,
                    const fe_encoded *from_tokens);

/* Maps e's ids through new_id (n_old entries; a negative entry drops the word) in place;
 * sentences left empty are removed. FE_ERR_ARG (e unchanged) if an id is >= n_old or a new id
 * passes 2^32 - 1. */
int fe_encoded_remap(fe_encoded *e, const int64_t *new_id, int64_t n_old);

/* Encodes the files with the ids of v (v->size must be <= 2^32); out is reset first. stats is
 * overwritten; stats->total_tokens counts out-of-vocabulary tokens too. */
int fe_encode_files(const fe_vocab *v, const char *const *paths, int64_t n_paths,
                    const fe_read_options *opt, fe_encoded *out, fe_corpus_stats *stats,
                    fe_status *st);

#endif
