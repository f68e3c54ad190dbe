/* fe_subwords.h — fastText's character n-gram hashing, for FastText's subword rows.
 *
 * A word's n-grams are the substrings of "<" + word + ">" of minn..maxn characters, where a
 * character is one UTF-8 sequence (a byte of the form 0b10xxxxxx continues a character and
 * never starts one). An n-gram of one character is skipped when it starts the bracketed word
 * or ends it, so "<" and ">" alone never count. The order is fastText's: by start position,
 * then by length; duplicates are kept (a repeated n-gram is trained twice, as in fastText).
 *
 * Each n-gram maps to bucket hash(n-gram) % bucket, with fastText's hash: 32-bit FNV-1a over
 * the bytes, each byte sign-extended to 32 bits before the xor. The sign extension differs
 * from textbook FNV-1a for bytes >= 0x80 (any non-ASCII text) and is what makes the buckets
 * agree with models trained by fastText.
 *
 * The vocabulary table is CSR: word w's rows are rows[offsets[w] .. offsets[w+1]), its own
 * row w first, then V + bucket index of each n-gram. "</s>" (fastText's end-of-line token)
 * gets no n-grams, and neither does any word when maxn == 0 or bucket == 0.
 *
 * Nothing here allocates or keeps state; every function may run on any thread.
 */
#ifndef FE_SUBWORDS_H
#define FE_SUBWORDS_H

#include <stdint.h>

/* fastText's hash of len bytes. */
uint32_t fe_ft_hash(const char *bytes, int64_t len);

/* The n-gram buckets (hash % bucket, NOT offset by V) of a word's len UTF-8 bytes, given
 * without the "<" ">" brackets, in fastText's order. Writes at most cap of them to out and
 * returns how many there are (so cap = 0 only counts them). minn >= 1; none when maxn < minn
 * or bucket == 0. */
int64_t fe_word_ngrams(const char *word, int64_t len, int32_t minn, int32_t maxn, uint32_t bucket,
                       uint32_t *out, int64_t cap);

/* First pass of the vocabulary table. The n_words words are bytes[word_starts[w] ..
 * word_starts[w+1]). Writes the CSR offsets of the rows (n_words + 1 entries, offsets[0] = 0)
 * and returns the total number of rows. */
int64_t fe_subword_offsets(const char *bytes, const int64_t *word_starts, int64_t n_words,
                           int32_t minn, int32_t maxn, uint32_t bucket, int64_t *offsets);

/* Second pass: fills rows (offsets[n_words] entries) with each word's own row and then
 * n_words + bucket index of each of its n-grams. Needs n_words + bucket <= 2**32. */
void fe_subword_rows(const char *bytes, const int64_t *word_starts, int64_t n_words, int32_t minn,
                     int32_t maxn, uint32_t bucket, const int64_t *offsets, uint32_t *rows);

/* The mean of each word's rows (gensim's adjust_vectors, fastText's getWordVector): out[w] =
 * mean of the rows rows[offsets[w] .. offsets[w+1]), where row r < n_words is vocab[r] and
 * row r >= n_words is ngrams[r - n_words]; rows of dim floats, C order. Sums in the listed
 * order, then divides by the count (a word without rows gets zeros). The caller checks that
 * every row id is below n_words + the number of n-gram rows. */
void fe_subword_means(const float *vocab, const float *ngrams, int64_t n_words, int64_t dim,
                      const int64_t *offsets, const uint32_t *rows, float *out);

/* The rows FastText's compact copy holds, in its order (see FastText._training_rows):
 * order[0 .. n_words) = the words' own rows 0 .. n_words-1; then the `hot` most used buckets,
 * most used first (equal uses: lower row first); then every other row >= n_words that some
 * word lists, by the first word listing it, a word's new rows by row id. A row's use is the
 * sum of expected[w] over its listings in the table (a row listed twice by w counts twice),
 * added in table order. Returns n_words + the number of listed rows >= n_words (at most
 * n_words + cap, where cap is the size of `use`).
 *
 * Scratch, all given by the caller: slot (n_buckets entries, ZEROED, n_buckets above every
 * row - n_words), use (cap doubles, zeroed), heap (hot entries). expected is read only when
 * hot > 0. Unless it is NULL, remapped (offsets[n_words] entries) receives every row of the
 * table as its position in order. The caller checks that every row is below n_words +
 * n_buckets and that the offsets rise. */
int64_t fe_training_rows(int64_t n_words, const int64_t *offsets, const uint32_t *rows,
                         const double *expected, int64_t hot, uint32_t *slot, double *use,
                         int64_t *heap, int64_t *order, uint32_t *remapped);

#endif
