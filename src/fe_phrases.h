/* fe_phrases.h — collocation ("phrase") detection: counting and applying, gensim 4's rules.
 *
 * Contents
 *   1. fe_phrase_counter  unigram and phrase counts in one fe_vocab table, as gensim's Phrases
 *                         keeps them in one dict; counted from token batches or from files
 *   2. fe_phrase_model    what applying needs: the counts and a scorer (Phrases), or a table
 *                         of phrase scores (FrozenPhrases); the greedy left-to-right pass
 *   3. word2phrase        word2vec.c's own tool, its counting, scoring and output format
 *
 * Semantics (gensim 4.x, models/phrases.py):
 *   - Counting, per sentence: every token counts towards the corpus word count; a token that is
 *     not a connector word counts as a unigram and, when a non-connector came before it in the
 *     sentence, the phrase "prev<d>c1<d>...<d>token" (prev, the connectors between, the token,
 *     joined by the delimiter d) counts once. Phrase keys and unigram keys share one table, so
 *     a token that itself contains the delimiter adds to the phrase of the same spelling.
 *   - Pruning: after a sentence that leaves more than max_vocab_size entries, entries counted
 *     fewer than min_reduce times are removed and min_reduce (from 1) grows by one.
 *   - Applying (analyze_sentence): a greedy pass keeps a "start" token (the last non-connector
 *     not yet emitted) and the connectors after it; at the next non-connector the candidate
 *     start..token is scored: accepted, it is emitted as one phrase and the start is cleared;
 *     refused, start and connectors are emitted alone and the token becomes the start.
 *     Connectors with no start are emitted alone. An empty token is false in gensim's
 *     `if start_token:` test, so an empty non-connector token never starts a candidate and is
 *     dropped from the output, as gensim drops it.
 *   - Scores are computed in double precision with the operations in gensim's order, so they
 *     are bitwise gensim's.
 *
 * Tokens are byte strings (UTF-8 from the Python driver); nothing here touches Python.
 */
#ifndef FE_PHRASES_H
#define FE_PHRASES_H

#include <stdint.h>

#include "fe_vocab.h"

/* A batch of sentences: token k is ptr[k][0 .. len[k]); sentence s ends (exclusive) at token
 * sentence_end[s], the first starts at token 0. padded: non-zero when every ptr[k] may be
 * read for FE_SLOT_KEY bytes whatever len[k] (the tokens lie in a buffer with that much slack
 * after the last), so that short tokens are keyed with two loads (fe_word_key_of). */
typedef struct fe_token_batch {
    const char *const *ptr;
    const int64_t *len;
    const int64_t *sentence_end;
    int64_t n_sentences;
    int padded;
} fe_token_batch;

/* The delimiter and the connector words: shared by counting and applying. */
typedef struct fe_phrase_syntax {
    const unsigned char *delim;
    int64_t delim_len;
    const fe_vocab *connectors; /* a set: only membership is used */
} fe_phrase_syntax;

/* 1. Counting ------------------------------------------------------------------------------ */

/* Phrases keyed by word ids: a phrase is its first word, its last word and the words between
 * (a run, interned on its own; run 0 is none), the first and last packed in one 64-bit key.
 * Open addressing over 16-byte slots holding the whole key and the count, so counting a
 * phrase touches one slot, four to a cache line. A count of 2^32 - 1 or more is kept in a
 * short list of big counts instead (a slot count of UINT32_MAX says so). A table that keeps
 * its first-seen order (the counter's phrases) logs each key as it is inserted: a phrase's
 * handle is its place in the log. */
typedef struct fe_pair_slot {
    uint64_t ends;  /* (first word id << 32) | last word id */
    uint32_t run1;  /* run + 1; 0: an empty slot */
    uint32_t count; /* UINT32_MAX: see the big counts */
} fe_pair_slot;

typedef struct fe_pair_big {
    uint64_t ends;
    uint32_t run;
    int64_t count;
} fe_pair_big;

typedef struct fe_pair_table {
    fe_pair_slot *slots;
    int64_t n_slots;
    int64_t size;
    fe_pair_big *big;
    int64_t n_big, big_cap;
    /* the log, in first-seen order (kept when inserting with a position counter) */
    uint64_t *log_ends;
    uint32_t *log_run;
    int64_t *log_seq; /* first-seen position among all entries of the counter */
    int64_t log_len, log_cap;
} fe_pair_table;

void fe_pair_table_free(fe_pair_table *t);
/* The hash a pair table files a key under. */
uint64_t fe_pair_hash(uint64_t ends, uint32_t run);
/* The slot position of the key, or -1; the count in a slot. */
int64_t fe_pair_find(const fe_pair_table *t, uint64_t ends, uint32_t run, uint64_t hash);
int64_t fe_pair_count(const fe_pair_table *t, int64_t slot);

typedef struct fe_word_stat {
    int64_t count; /* as a unigram (0 when not an entry) */
    int64_t seq;   /* its first-seen position, -1: not an entry */
} fe_word_stat;

/* The counts live in one of two forms, the same entries either way:
 *   - by id (while every counted token is free of the delimiter's bytes): each distinct token
 *     is interned once in `words` (connectors too); a unigram's count is word_count[id]; a
 *     phrase is a pair-table key of word ids. No two id sequences then spell the same string
 *     (tokens hold no delimiter byte), so this is exactly gensim's one table of strings, with
 *     far cheaper keys. Entries carry their first-seen position, so the string order of the
 *     one table can be rebuilt.
 *   - by string (`vocab`), gensim's table as it is: taken, once and for good, when a token
 *     holding a delimiter byte is counted (a token "a_b" adds to the phrase "a_b") or when an
 *     entry cannot be written as ids. */
typedef struct fe_phrase_counter {
    int by_id;
    fe_vocab vocab; /* by string: unigrams and phrases, counts; ids in first-seen order */
    /* by id */
    unsigned char *delim; /* the delimiter the ids are joined with */
    int64_t delim_len;
    unsigned char delim_byte[256]; /* 1 for each byte value in the delimiter */
    fe_vocab words;                /* every distinct token seen; its count there is unused */
    fe_word_stat *word_stat;       /* by word id */
    int64_t word_cap;
    int64_t n_unigrams;
    fe_vocab runs; /* the word ids between a phrase's ends, as bytes; run = id + 1 */
    fe_pair_table phrases;
    int64_t next_seq;
    /* both */
    int64_t max_vocab_size; /* -1: no limit */
    int64_t min_reduce;     /* the count below which the next prune removes entries */
    int64_t total_words;    /* every token counted, connectors included */
    /* state of the sentence being counted from a file (a line may span many reads): by
     * string, the start token and connectors after it joined by the delimiter; by id, the
     * start word (-1: none) and the connectors' ids */
    unsigned char *pending;
    int64_t pending_len, pending_cap;
    int has_start;
    int64_t pending_word;
    uint32_t *pending_run;
    int64_t pending_run_len, pending_run_cap;
    int64_t in_sentence; /* tokens of the current sentence (or of its current piece) */
} fe_phrase_counter;

/* delim: the delimiter phrases are joined with (copied). FE_OK or FE_ERR_NOMEM. */
int fe_phrase_counter_init(fe_phrase_counter *c, int64_t max_vocab_size, const unsigned char *delim,
                           int64_t delim_len);
void fe_phrase_counter_free(fe_phrase_counter *c);
/* Entries (unigrams and phrases). */
int64_t fe_phrase_counter_size(const fe_phrase_counter *c);
/* The count of an entry given as its string, 0 if absent. */
int64_t fe_phrase_counter_get(const fe_phrase_counter *c, const unsigned char *w, int64_t n);
/* Adds count to the entry of that string (inserted if new, even with count 0). FE_OK or
 * FE_ERR_NOMEM. */
int fe_phrase_counter_add(fe_phrase_counter *c, const unsigned char *w, int64_t n, int64_t count);
/* Removes the entries counted fewer than min_count times, keeping the others' order. */
void fe_phrase_counter_prune(fe_phrase_counter *c, int64_t min_count);
/* Handles of every entry in first-seen order (size entries); the handles are valid until the
 * counts change. */
void fe_phrase_counter_entries(const fe_phrase_counter *c, int64_t *handles);
/* The length of an entry's string, writes it (out has that length), its count. */
int64_t fe_phrase_entry_length(const fe_phrase_counter *c, int64_t handle);
void fe_phrase_entry_write(const fe_phrase_counter *c, int64_t handle, unsigned char *out);
int64_t fe_phrase_entry_count(const fe_phrase_counter *c, int64_t handle);

/* Counts the sentences of a batch; returns FE_OK or FE_ERR_NOMEM. */
int fe_phrase_count_batch(fe_phrase_counter *c, const fe_phrase_syntax *syn,
                          const fe_token_batch *batch);

/* Counts the lines of text files (one line, one sentence; fe_vocab.h's tokenizer). The
 * max_vocab_size check also runs every FE_PRUNE_PIECE tokens inside a long line, which keeps
 * memory bounded; phrases still span those points. stats is overwritten. */
int fe_phrase_count_files(fe_phrase_counter *c, const fe_phrase_syntax *syn,
                          const char *const *paths, int64_t n_paths, const fe_read_options *opt,
                          fe_corpus_stats *stats, fe_status *st);

/* gensim's add_vocab merge: adds every count of from to into (new entries after the old ones,
 * in from's order). Pruning after the merge is the caller's (it depends on both min_reduce
 * values). FE_OK or FE_ERR_NOMEM. */
int fe_phrase_merge(fe_phrase_counter *into, const fe_phrase_counter *from);

/* 2. Scoring and applying ------------------------------------------------------------------ */

enum { FE_SCORE_DEFAULT = 0, FE_SCORE_NPMI = 1, FE_SCORE_CALLBACK = 2 };

/* gensim's original_scorer: (ab - min_count) / (a * b) * len_vocab; -inf if a * b is 0. */
double fe_phrase_default_score(int64_t a, int64_t b, int64_t ab, int64_t len_vocab,
                               double min_count);
/* gensim's npmi_scorer: ln(pab / (pa * pb)) / -ln(pab) with p = count / corpus_word_count,
 * -inf when ab < min_count or a logarithm is undefined. FE_OK, or FE_ERR_ARG where Python
 * divides by zero (corpus_word_count 0, or pab exactly 1). */
int fe_phrase_npmi_score(int64_t a, int64_t b, int64_t ab, double min_count,
                         int64_t corpus_word_count, double *score);

typedef struct fe_phrase_model {
    fe_phrase_syntax syntax;
    /* Phrases: counts (a candidate needs a > 0, b > 0, ab > 0 and score > threshold; a NaN
     * score passes, as gensim's `score <= threshold` test lets it) ... */
    const fe_phrase_counter *counts;
    int scoring; /* FE_SCORE_* */
    double threshold, min_count;
    int64_t corpus_word_count;
    /* FE_SCORE_CALLBACK: sets *score and returns 0, or returns non-zero to stop the pass. */
    int (*callback)(void *ctx, int64_t a, int64_t b, int64_t ab, double *score);
    void *callback_ctx;
    /* ... or FrozenPhrases: phrase -> frozen_score[id] (a candidate needs score > threshold;
     * NaN fails, as in gensim), used when counts is NULL. */
    const fe_vocab *frozen;
    const double *frozen_score;
    /* Optional with counts (NULL: none): the entries that fe_phrase_export finds, with their
     * scores. A candidate whose phrase splits at its first and last delimiter into exactly
     * its start and end token is scored by export's very computation, so it is looked up
     * here, in a table small enough to stay in cache, instead of three lookups in the
     * counts; any other candidate is scored from the counts. */
    const fe_vocab *passing;
    const double *passing_score;
    /* The same for counts by id (what fe_phrase_passing_ids builds): keyed as the counts'
     * phrases, the score passing_id_score[count of the slot]. */
    const fe_pair_table *passing_ids;
    const double *passing_id_score;
} fe_phrase_model;

/* Scores one candidate given as its parts: a, b and the joined phrase. Returns 1 (a phrase,
 * *score set), 0 (not a phrase), or a negative FE_ERR_* (FE_ERR_CANCELLED: the callback
 * stopped; FE_ERR_ARG: a division by zero in npmi). */
int fe_phrase_score(const fe_phrase_model *m, const unsigned char *a, int64_t a_len,
                    const unsigned char *b, int64_t b_len, const unsigned char *phrase,
                    int64_t phrase_len, double *score);

/* The greedy pass over every sentence of a batch. For token k: span[k] = 0 when it is not
 * emitted at its place (inside a phrase, or dropped), 1 when it is emitted alone, n > 1 when
 * tokens k .. k+n-1 are emitted joined as one phrase with score[k]. FE_OK, FE_ERR_NOMEM or
 * what fe_phrase_score returned. */
int fe_phrase_apply(const fe_phrase_model *m, const fe_token_batch *batch, int64_t *span,
                    double *score);

/* export_phrases: every entry of the counts whose spelling contains the delimiter is split at
 * its first and its last delimiter (the first and last parts of a left-to-right split) and
 * scored as that candidate. Writes the entry handles of the phrases (in first-seen order) to
 * ids and their scores, returns how many (ids and scores need size entries), or a negative
 * FE_ERR_*. */
int64_t fe_phrase_export(const fe_phrase_model *m, int64_t *ids, double *scores);

/* For counts by id (with the model's delimiter): the phrases export finds, as a pair table
 * (out, empty; each key's count the index of its score) and their scores (*scores,
 * malloc'd). Returns how many, FE_ERR_ARG
 * when the counts are not by id or the delimiters differ, or what the scorer returned. */
int64_t fe_phrase_passing_ids(const fe_phrase_model *m, fe_pair_table *out, double **scores);

/* 3. word2phrase --------------------------------------------------------------------------- */

typedef struct fe_word2phrase_stats {
    int64_t train_words; /* tokens read in the counting pass */
    int64_t vocab_size;  /* unigrams and bigrams kept (count >= min_count) */
    int64_t phrases;     /* bigrams joined in the output */
} fe_word2phrase_stats;

/* Receives the output text piece by piece; returns 0, or non-zero to stop the pass (which then
 * returns FE_ERR_CANCELLED). */
typedef int (*fe_write_fn)(void *ctx, const unsigned char *data, int64_t n);

/* word2vec.c's word2phrase: counts unigrams and "a_b" bigrams of consecutive tokens (across
 * line ends too, as word2phrase does), keeps entries counted >= min_count, then rewrites the
 * file: each token is written after '_' when (pab - min_count) / pa / pb * train_words,
 * evaluated in single precision as word2phrase does, exceeds threshold (the first token of a
 * line, and a token after a joined one, never join), else after ' '; each '\n' is copied.
 * The file is read twice (a pipe cannot be given). */
int fe_word2phrase(const char *train_path, int64_t min_count, float threshold,
                   const fe_read_options *opt, fe_write_fn write, void *write_ctx,
                   fe_word2phrase_stats *stats, fe_status *st);

#endif
