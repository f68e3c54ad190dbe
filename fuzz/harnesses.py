"""Fuzz targets for every file reader of fastembed_core.

Each target takes the fuzzer's bytes, writes them where the reader expects a file, calls the
reader, and lets through only the exceptions the reader documents (with a non-empty message).
Anything else -- another exception type, an empty message, a crash, a result that breaks the
reader's own promises -- escapes as a finding. The targets need nothing but fastembed_core,
so they run under atheris (``fuzz.py``) and, without it, under the random mutator at the end of
this module (``tests/test_fuzz_smoke.py``).

Targets (``TARGETS``):

    w2v_text        word2vec / GloVe text vectors      formats.load_word2vec_format
    w2v_binary      word2vec binary vectors            formats.load_word2vec_format(binary=True)
    w2v_fvocab      the "word count" file of fvocab=   formats.read_word2vec(fvocab=...)
    native          native container, whole file      native.read_container, KeyedVectors.load,
                                                       Word2Vec.load
    native_header   native container, the JSON header  same, with a well-formed envelope
    facebook_bin    fastText .bin model                facebook_format.read_facebook_bin
    vocab_file      -read-vocab files                  io.vocab_file.read_vocab_file
    corpus          corpus tokenizer and encoder       _corpus.count_file / encode_file, checked
                                                       against a Python tokenizer
    token_counter   token-list corpora (C hashing of   vocab.count_iterable / encode_iterable,
                    str tokens made fresh on each      checked against collections.Counter
                    iteration, mixed with others)

The first byte of most inputs picks reader options (see each target), so one corpus
explores strict and lenient modes, limits and chunk sizes.
"""

import logging
import os
import random
import struct
import tempfile
import warnings
import zlib

import numpy as np

from fastembed_core import _corpus
from fastembed_core.errors import CorpusError, FormatError
from fastembed_core.io import native
from fastembed_core.io.facebook_format import read_facebook_bin
from fastembed_core.io.vocab_file import read_vocab_file
from fastembed_core.models.word2vec import Word2Vec
from fastembed_core.vectors import formats
from fastembed_core.vectors.keyedvectors import KeyedVectors

__all__ = ["TARGETS", "Finding", "mutate", "run_random"]


class Finding(AssertionError):
    """A reader broke its contract on some input."""


def quiet_readers():
    """The readers log repaired tokens etc.: noise while fuzzing. Silences only our logger,
    and only in processes that fuzz (never at import: the test suite imports this module)."""
    logging.getLogger("fastembed_core").setLevel(logging.CRITICAL + 1)


_TMP = tempfile.mkdtemp(prefix="fe-fuzz-")
_CHUNKS = (1, 2, 5, 16, 64, 4096, 1 << 20, 7)


def _write(name, data):
    """Writes data to a fresh file (a new inode: a memory map of the previous input stays
    valid until it is dropped)."""
    path = os.path.join(_TMP, name)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    with open(path, "wb") as f:
        f.write(data)
    return path


def _expect(call, allowed):
    """Runs call(); returns its result, or None when it raised one of the allowed types."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return call()
    except allowed as exc:
        if not str(exc).strip():
            raise Finding(f"{type(exc).__name__} without a message") from exc
        return None


def _split_options(data):
    return (data[0], data[1:]) if data else (0, b"")


# ---- word2vec text and binary ---------------------------------------------------------------


def _check_vectors(kv, allow_nonfinite, limit):
    vectors = np.asarray(kv.vectors)
    if vectors.ndim != 2 or vectors.shape[0] != len(kv.index_to_key):
        raise Finding(f"vectors {vectors.shape} for {len(kv.index_to_key)} keys")
    if vectors.dtype != np.float32:
        raise Finding(f"dtype {vectors.dtype}")
    if len(set(kv.index_to_key)) != len(kv.index_to_key):
        raise Finding("duplicate keys returned")
    if any(not isinstance(k, str) for k in kv.index_to_key):
        raise Finding("a key is not a str")
    if limit and len(kv.index_to_key) > limit:
        raise Finding(f"limit={limit} but {len(kv.index_to_key)} vectors")
    if not allow_nonfinite and not np.isfinite(vectors).all():
        raise Finding("non-finite values accepted with allow_nonfinite=False")


def _load_w2v(data, binary):
    """Option byte: bit 0 no_header (text only), bit 1 lenient, bit 2 limit=3,
    bit 3 unicode_errors='replace', bit 4 allow_nonfinite, bits 5-7 chunk size."""
    opt, body = _split_options(data)
    no_header = bool(opt & 1) and not binary
    strict = not opt & 2
    limit = 3 if opt & 4 else None
    errors = "replace" if opt & 8 else "strict"
    allow_nonfinite = bool(opt & 16)
    chunk = _CHUNKS[opt >> 5]
    path = _write("vectors.bin" if binary else "vectors.txt", body)
    kv = _expect(
        lambda: formats.load_word2vec_format(
            path,
            binary=binary,
            no_header=no_header,
            strict=strict,
            limit=limit,
            unicode_errors=errors,
            allow_nonfinite=allow_nonfinite,
            _chunk_size=chunk,
        ),
        FormatError,
    )
    if kv is not None:
        _check_vectors(kv, allow_nonfinite, limit)


def w2v_text(data):
    _load_w2v(data, binary=False)


def w2v_binary(data):
    _load_w2v(data, binary=True)


_SMALL_TEXT = b"3 2\nthe 0.1 0.2\nof -1 2.5\n\xc3\xa9t\xc3\xa9 3 4\n"


def w2v_fvocab(data):
    """The bytes are the fvocab file of a fixed, valid vectors file."""
    vectors = os.path.join(_TMP, "fixed.txt")
    if not os.path.exists(vectors):
        with open(vectors, "wb") as f:
            f.write(_SMALL_TEXT)
    opt, body = _split_options(data)
    path = _write("fvocab.txt", body)
    out = _expect(
        lambda: formats.read_word2vec(
            vectors, fvocab=path, unicode_errors="replace" if opt & 1 else "strict"
        ),
        FormatError,
    )
    if out is not None:
        if out.counts.dtype != np.int64 or out.counts.shape != (3,):
            raise Finding(f"counts {out.counts.dtype} {out.counts.shape}")


# ---- native format --------------------------------------------------------------------------


def _load_native(path, mmap):
    meta_arrays = _expect(lambda: native.read_container(path, mmap=mmap), FormatError)
    if meta_arrays is not None:
        meta, arrays = meta_arrays
        if not isinstance(meta, dict):
            raise Finding(f"meta is a {type(meta).__name__}")
        for name, arr in arrays.items():
            if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "fiu":
                raise Finding(f"array {name!r}: {type(arr).__name__} {getattr(arr, 'dtype', '')}")
    kv = _expect(lambda: KeyedVectors.load(path, mmap=mmap), FormatError)
    if kv is not None:
        if kv.vectors.shape != (len(kv.index_to_key), kv.vector_size):
            raise Finding(
                f"KeyedVectors.load: shape {kv.vectors.shape} for {len(kv.index_to_key)} keys"
            )
        if len(kv.key_to_index) != len(kv.index_to_key):
            raise Finding("KeyedVectors.load: duplicate keys")
    model = _expect(lambda: Word2Vec.load(path, mmap=mmap), FormatError)
    if model is not None:
        if model.wv.vectors.shape != (len(model.wv.index_to_key), model.vector_size):
            raise Finding("Word2Vec.load: vectors do not match the keys")
    del meta_arrays, kv, model


def native_file(data):
    """The bytes are the whole file; read without and with a memory map."""
    path = _write("model.fe", data)
    _load_native(path, None)
    _load_native(path, "r")


def native_header(data):
    """The bytes are a JSON header, a NUL byte, then the array bytes: the envelope (magic,
    header length, header checksum, padding to 64 bytes) is built around them, so mutations
    reach the header parser and the array table instead of failing the magic or checksum
    check."""
    header, _, payload = data.partition(b"\0")
    start = -(-(20 + len(header)) // 64) * 64
    blob = (
        native.MAGIC
        + struct.pack("<Q", len(header))
        + header
        + struct.pack("<I", zlib.crc32(header))
        + b"\0" * (start - 20 - len(header))
        + payload
    )
    path = _write("model_h.fe", blob)
    _load_native(path, None)


def split_native(blob):
    """The native_header input that rebuilds ``blob`` (a file written by write_container)."""
    (hlen,) = struct.unpack("<Q", blob[8:16])
    header = blob[16 : 16 + hlen]
    start = -(-(20 + hlen) // 64) * 64
    return header + b"\0" + blob[start:]


# ---- fastText .bin models -------------------------------------------------------------------


def facebook_bin(data):
    """Option byte: bit 0 full_model=False, bit 1 mmap="r". A model that loads must keep the
    format's promises: one count and type per word, distinct words, matrices of the shapes
    the header gives."""
    opt, body = _split_options(data)
    full_model = not opt & 1
    path = _write("model.bin", body)
    model = _expect(
        lambda: read_facebook_bin(path, full_model=full_model, mmap="r" if opt & 2 else None),
        FormatError,
    )
    if model is None:
        return
    dim, n = model.args["dim"], len(model.words)
    if not (len(model.counts) == len(model.entry_types) == n == len(set(model.words))):
        raise Finding(f"{n} words, {len(model.counts)} counts, {len(model.entry_types)} types")
    if model.input_matrix.shape != (model.nwords + model.args["bucket"], dim):
        raise Finding(f"input matrix {model.input_matrix.shape} for {model!r}, {model.args}")
    if (model.output_matrix is None) == full_model:
        raise Finding(f"output matrix {model.output_matrix!r} with full_model={full_model}")
    if full_model and model.output_matrix.shape[1] != dim:
        raise Finding(f"output matrix {model.output_matrix.shape} with dim {dim}")
    del model


# ---- vocabulary files -----------------------------------------------------------------------


def vocab_file(data):
    path = _write("vocab.txt", data)
    freq = _expect(lambda: read_vocab_file(path), ValueError)
    if freq is not None:
        if not freq or any(
            not isinstance(w, str) or not w or not isinstance(c, int) or c < 0
            for w, c in freq.items()
        ):
            raise Finding(f"read_vocab_file returned {list(freq.items())[:3]!r}")


# ---- corpus tokenizer and encoder -----------------------------------------------------------


def reference_tokens(data, errors):
    """What fe_vocab.h promises: lines split at \\n, tokens at ASCII whitespace, a leading BOM
    skipped, each token decoded on its own, tokens left empty by errors='ignore' dropped.
    Returns a list of sentences (lists of str); None if errors='strict' must fail."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    sentences = []
    for line in data.split(b"\n"):
        tokens = []
        for raw in line.split():  # bytes.split(): exactly the six ASCII whitespace bytes
            try:
                tok = raw.decode("utf-8", errors)
            except UnicodeDecodeError:
                return None
            if tok:
                tokens.append(tok)
        sentences.append(tokens)
    return sentences


def corpus(data):
    """Option byte: bits 0-1 errors mode (strict, replace, ignore), bits 2-4 chunk size,
    bit 5 encode with every other word only."""
    opt, body = _split_options(data)
    errors = ("strict", "replace", "ignore", "replace")[opt & 3]
    chunk = _CHUNKS[(opt >> 2) & 7]
    path = _write("corpus.txt", body)
    expected = reference_tokens(body, errors)
    counted = _expect(
        lambda: _corpus.count_file(path, errors=errors, _chunk_size=chunk), CorpusError
    )
    if counted is None:
        if expected is not None:
            raise Finding(f"count_file refused a corpus Python decodes with errors={errors!r}")
        return
    if expected is None:
        raise Finding("count_file accepted a corpus that is not UTF-8 in strict mode")
    words, counts, total, n_sent = counted
    flat = [t for s in expected for t in s]
    ref_counts = {}
    for t in flat:
        ref_counts[t] = ref_counts.get(t, 0) + 1
    if list(words) != list(ref_counts) or counts.tolist() != list(ref_counts.values()):
        raise Finding(
            f"count_file: {list(zip(words, counts.tolist()))[:5]} != {list(ref_counts.items())[:5]}"
        )
    if total != len(flat) or n_sent != sum(1 for s in expected if s):
        raise Finding(
            f"count_file totals ({total}, {n_sent}) != ({len(flat)}, "
            f"{sum(1 for s in expected if s)})"
        )
    vocab = list(words)[::2] if opt & 32 else list(words)
    encoded = _expect(
        lambda: _corpus.encode_file(path, vocab, errors=errors, _chunk_size=chunk), CorpusError
    )
    if encoded is None:
        raise Finding("encode_file refused a corpus count_file read")
    ids, offsets, raw = encoded
    index = {w: i for i, w in enumerate(vocab)}
    ref_sentences = [[index[t] for t in s if t in index] for s in expected]
    ref_sentences = [s for s in ref_sentences if s]
    got = [ids[offsets[k] : offsets[k + 1]].tolist() for k in range(len(offsets) - 1)]
    if raw != len(flat) or got != ref_sentences:
        raise Finding(f"encode_file: {got[:3]} != {ref_sentences[:3]} (raw {raw} vs {len(flat)})")


# ---- token-list corpora: the C counter and encoder behind count_iterable ----------------------


class _FreshSentence:
    """Yields new str objects on every pass, so only the counter itself keeps them alive while
    C hashes them (the shape that once exposed a use-after-free)."""

    def __init__(self, raw_tokens):
        self.raw = raw_tokens

    def __len__(self):
        return len(self.raw)

    def __iter__(self):
        for raw in self.raw:
            yield raw.decode("utf-8", "surrogatepass") if isinstance(raw, bytes) else raw


def token_counter(data):
    """Option byte: bits 0-2 chunk size (tokens per C call), bit 3 max_vocab_size=4,
    bit 4 fresh tokens, bit 5 a non-str token in the middle. Lines are sentences, bytes
    0x20 split tokens (any other byte, invalid UTF-8 included, stays in the token)."""
    from fastembed_core.models import vocab

    opt, body = _split_options(data)
    raw_sentences = [
        [t.decode("utf-8", "surrogateescape") for t in line.split(b" ")]
        for line in body.split(b"\n")
    ]
    if opt & 32 and raw_sentences:
        raw_sentences[len(raw_sentences) // 2].append(len(body))
    if opt & 16:
        corpus = [
            _FreshSentence(
                [t.encode("utf-8", "surrogatepass") if isinstance(t, str) else t for t in s]
            )
            for s in raw_sentences
        ]
    else:
        corpus = raw_sentences
    max_vocab = 4 if opt & 8 else None
    saved = vocab._ENCODE_CHUNK
    vocab._ENCODE_CHUNK = _CHUNKS[opt & 7]
    try:
        counts, total, n = vocab.count_iterable(corpus, max_vocab)
        ref, min_reduce = {}, 1
        for sentence in raw_sentences:
            for t in sentence:
                ref[t] = ref.get(t, 0) + 1
            if max_vocab and len(ref) > max_vocab:
                ref = {k: c for k, c in ref.items() if c >= min_reduce}
                min_reduce += 1
        if list(counts.items()) != list(ref.items()):
            raise Finding(f"count_iterable: {list(counts.items())[:4]} != {list(ref.items())[:4]}")
        if total != sum(map(len, raw_sentences)) or n != len(raw_sentences):
            raise Finding(f"count_iterable totals ({total}, {n})")
        keys = list(ref)[::2]
        index = {k: i for i, k in enumerate(keys)}
        ids, offsets, _, _ = vocab.encode_iterable(corpus, index)
        want = [[index[t] for t in s if t in index] for s in raw_sentences]
        want = [s for s in want if s]
        got = [ids[offsets[k] : offsets[k + 1]].tolist() for k in range(len(offsets) - 1)]
        if got != want:
            raise Finding(f"encode_iterable: {got[:3]} != {want[:3]}")
    finally:
        vocab._ENCODE_CHUNK = saved


TARGETS = {
    "w2v_text": w2v_text,
    "w2v_binary": w2v_binary,
    "w2v_fvocab": w2v_fvocab,
    "native": native_file,
    "native_header": native_header,
    "facebook_bin": facebook_bin,
    "vocab_file": vocab_file,
    "corpus": corpus,
    "token_counter": token_counter,
}


# ---- a fuzzer for machines without atheris --------------------------------------------------

_INTERESTING = [
    b"\0",
    b"\n",
    b" ",
    b"\r\n",
    b"\t",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"\xe2\x82",
    b"nan",
    b"inf",
    b"-",
    b"1e999",
    b"0",
    b"4294967296",
    b"-1",
    b"{",
    b"}",
    b'"',
    b"999999999999",
    b"\xf0\x9f\x98",
    b"\x80",
]


def mutate(data, rng):
    """One to four random edits: flip, insert, delete, duplicate or overwrite bytes, splice
    in an interesting token, or cut the input short."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(8)
        pos = rng.randint(0, len(data))
        if op == 0 and data:
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 2 and data:
            del data[pos : pos + rng.randint(1, 16)]
        elif op == 3 and data:
            n = rng.randint(1, 64)
            data[pos:pos] = data[pos : pos + n]
        elif op == 4:
            data[pos:pos] = rng.choice(_INTERESTING)
        elif op == 5 and data:
            data = data[: rng.randint(0, len(data))]
        elif op == 6 and data:
            i = rng.randrange(len(data))
            data[i] = rng.choice(b"0123456789 \n-.e")
        elif op == 7 and data:
            data[0] = rng.randrange(256)  # the option byte
    return bytes(data)


def run_random(name, seeds, iterations, seed=0):
    """Runs target ``name`` over its seeds and ``iterations`` mutations of them; a Finding or
    any other escaping exception is re-raised with the input that caused it."""
    target = TARGETS[name]
    logger = logging.getLogger("fastembed_core")
    saved = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        _run_random(name, target, seeds, iterations, seed)
    finally:
        logger.setLevel(saved)


def _run_random(name, target, seeds, iterations, seed):
    rng = random.Random(seed)
    pool = list(seeds) or [b""]
    for data in pool + [mutate(rng.choice(pool), rng) for _ in range(iterations)]:
        try:
            target(data)
        except Exception as exc:
            raise Finding(f"{name}: {type(exc).__name__}: {exc} on input {data[:200]!r}") from exc
