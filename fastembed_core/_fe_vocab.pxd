# Declarations of src/fe_errors.h and src/fe_vocab.h, line for line: the corpus reader
# (_corpus) and the phrase driver (_phrases) both drive fe_vocab's hash table.
from libc.stdint cimport int64_t, uint32_t, uint64_t


cdef extern from "fe_errors.h" nogil:
    enum:
        FE_OK
        FE_ERR_NOMEM
        FE_ERR_IO
        FE_ERR_UTF8
        FE_ERR_TOKEN_TOO_LONG
        FE_ERR_CANCELLED
        FE_ERR_ARG


cdef extern from "fe_vocab.h" nogil:
    enum:
        FE_UTF8_STRICT
        FE_UTF8_REPLACE
        FE_UTF8_IGNORE

    ctypedef struct fe_status:
        int code
        int sys_errno
        int64_t file_index
        int64_t line
        int64_t offset
        char message[256]

    ctypedef struct fe_vocab_record:
        int64_t length
        uint64_t hash

    ctypedef struct fe_vocab:
        int64_t size

    const fe_vocab_record *fe_vocab_at(const fe_vocab *v, int64_t id)
    const unsigned char *fe_vocab_bytes(const fe_vocab *v, int64_t id)
    int64_t fe_vocab_count(const fe_vocab *v, int64_t id)
    int fe_vocab_init(fe_vocab *v)
    void fe_vocab_free(fe_vocab *v)
    int fe_vocab_reserve(fe_vocab *v, int64_t n, int64_t total_bytes)
    int64_t fe_vocab_add(fe_vocab *v, const unsigned char *bytes, int64_t len, int64_t count)
    int64_t fe_vocab_find(const fe_vocab *v, const unsigned char *bytes, int64_t len)
    void fe_vocab_prune(fe_vocab *v, int64_t min_count)

    ctypedef struct fe_read_options:
        int64_t chunk_size
        int64_t max_token_bytes
        int errors
        int (*poll)(void *ctx) noexcept
        void *poll_ctx
        int64_t poll_bytes

    int64_t FE_DEFAULT_CHUNK
    int64_t FE_DEFAULT_MAX_TOKEN
    void fe_read_options_default(fe_read_options *opt)

    ctypedef struct fe_corpus_stats:
        int64_t total_tokens
        int64_t n_sentences
        int64_t bad_tokens
        int64_t first_bad_file
        int64_t first_bad_line
        int64_t first_bad_offset

    ctypedef struct fe_encoded:
        uint32_t *ids
        int64_t n_ids
        int64_t *offsets
        int64_t n_sentences

    int fe_count_files(fe_vocab *v, const char *const *paths, int64_t n_paths,
                       const fe_read_options *opt, int64_t max_vocab_size,
                       fe_corpus_stats *stats, fe_encoded *tokens, fe_status *st)
    ctypedef struct fe_piece:
        int64_t file_index
        int64_t start
        int64_t end
        int64_t lines

    int fe_count_pieces(fe_vocab *v, const char *const *paths, fe_piece *pieces,
                        int64_t n_pieces, const fe_read_options *opt, fe_corpus_stats *stats,
                        fe_encoded *tokens, fe_status *st)
    int fe_merge_counts(fe_vocab *into, fe_corpus_stats *into_stats, fe_encoded *into_tokens,
                        const fe_vocab *source, const fe_corpus_stats *from_stats,
                        const fe_encoded *from_tokens)
    int fe_encoded_remap(fe_encoded *e, const int64_t *new_id, int64_t n_old)

    void fe_encoded_init(fe_encoded *e)
    void fe_encoded_free(fe_encoded *e)
    void fe_encoded_shrink(fe_encoded *e)
    int fe_encode_files(const fe_vocab *v, const char *const *paths, int64_t n_paths,
                        const fe_read_options *opt, fe_encoded *out,
                        fe_corpus_stats *stats, fe_status *st)
