"""Micro benchmarks of the kernel's hot paths and of corpus encoding (pytest-benchmark).

Not part of the test suite (pytest's testpaths is tests/); run them explicitly:

    pytest bench/micro --benchmark-only
    pytest bench/micro --benchmark-only --benchmark-timer time.process_time \
        --benchmark-json bench/results/<date>-micro-<what>.json

On a shared machine time them in process CPU time (``--benchmark-timer time.process_time``):
wall-clock rounds stretch whenever another process takes the core, and on these 2-core
machines that reordered whole groups (a CBOW range "slower" on AVX2 than scalar by wall time).

Every kernel benchmark runs once per SIMD path this CPU supports (``simd`` in the test id),
forced through ``FASTEMBED_SIMD``, which every hook call and run set up during the test reads.

What each group measures:

* ``step``   -- one update through the Python test hooks of fastembed_core/_kernel.pyx
  (dim=100, 5 negatives, 10 context words where a window is involved). A call is a few
  microseconds of argument checking around well under a microsecond of arithmetic, so these
  catch regressions in the hooks and the dispatch, not the speed of the SIMD code; the
  ``train`` group measures that.
* ``sample`` -- 10**6 draws of the alias sampler and of the raw 32-bit RNG stream, in one
  ``nogil`` loop each.
* ``train``  -- one ``TrainingRun.train_range`` over a synthetic encoded corpus of 200,000
  Zipf-distributed tokens (vocabulary 10,000, sentences of 20), skip-gram with shared
  negatives and CBOW, standard setting (window 5, 5 negatives, sample 1e-3). ``extra_info``
  records words and effective words per call, so words/s = words / mean time.
* ``corpus`` -- ``_corpus.count_file`` and ``_corpus.encode_file`` on a generated ~20 MB
  text file (Zipf tokens over 100,000 words, lines of 1-40 tokens), and
  ``vocab.encode_iterable`` on the same kind of corpus as 200,000 tokens in Python lists.

Even in CPU time, compare runs only side by side, and read the minimum and median columns
rather than the mean.
"""

import os

import numpy as np
import pytest

from fastembed_core import _corpus, _kernel
from fastembed_core.models import vocab

pytest.importorskip("pytest_benchmark")

DIM = 100
NEG = 5
VOCAB = 10_000
SIMD_PATHS = _kernel.simd_supported()


@pytest.fixture(params=SIMD_PATHS)
def simd(request, monkeypatch):
    monkeypatch.setenv("FASTEMBED_SIMD", request.param)
    return request.param


def _zipf_ids(rng, n_tokens, n_words, exponent=1.0):
    """Token ids drawn with P(rank r) proportional to r**-exponent; id = rank - 1."""
    p = np.arange(1, n_words + 1, dtype=np.float64) ** -exponent
    cdf = np.cumsum(p / p.sum())
    return np.minimum(np.searchsorted(cdf, rng.random(n_tokens)), n_words - 1).astype(np.uint32)


def _spell(n):
    """n distinct lower-case words, short ones first (bijective base 26)."""
    words = []
    for r in range(1, n + 1):
        s = []
        while r:
            r, d = divmod(r - 1, 26)
            s.append(chr(97 + d))
        words.append("".join(reversed(s)))
    return words


# ---- step: one update through the test hooks --------------------------------------------


@pytest.fixture(scope="module")
def rows():
    rng = np.random.default_rng(1)
    w_in = ((rng.random((1000, DIM), dtype=np.float32) - 0.5) / DIM).astype(np.float32)
    w_out = ((rng.random((1000, DIM), dtype=np.float32) - 0.5) / DIM).astype(np.float32)
    negatives = np.array([11, 222, 333, 444, 555], dtype=np.uint32)
    context = np.array([1, 2, 3, 4, 5, 7, 8, 9, 10, 12], dtype=np.uint32)
    return w_in, w_out, negatives, context


@pytest.mark.benchmark(group="step")
def test_sg_step(benchmark, simd, rows):
    w_in, w_out, negatives, _ = rows
    benchmark(_kernel.sg_step, w_in, w_out, None, 6, 42, negatives=negatives, alpha=0.025)


@pytest.mark.benchmark(group="step")
def test_sg_window_step(benchmark, simd, rows):
    w_in, w_out, negatives, context = rows
    benchmark(
        _kernel.sg_window_step, w_in, w_out, None, context, 42, negatives=negatives, alpha=0.025
    )


@pytest.mark.benchmark(group="step")
def test_cbow_step(benchmark, simd, rows):
    w_in, w_out, negatives, context = rows
    benchmark(
        _kernel.cbow_step,
        w_in,
        w_out,
        None,
        context,
        42,
        negatives=negatives,
        alpha=0.025,
        cbow_mean=1,
    )


# ---- sample: alias sampler and RNG -------------------------------------------------------


@pytest.mark.benchmark(group="sample")
def test_alias_draw_1e6(benchmark):
    counts = (
        np.bincount(_zipf_ids(np.random.default_rng(2), 200_000, VOCAB), minlength=VOCAB).astype(
            np.float64
        )
        + 1
    )
    alias = _kernel.alias_build(counts**0.75)
    out = benchmark(_kernel.alias_draw, alias, 1_000_000, 7)
    assert len(out) == 1_000_000


@pytest.mark.benchmark(group="sample")
def test_uniform32_1e6(benchmark):
    out = benchmark(_kernel.uniform32, 1_000_000, 7)
    assert len(out) == 1_000_000


# ---- train: one TrainingRun.train_range --------------------------------------------------


@pytest.fixture(scope="module")
def encoded():
    rng = np.random.default_rng(3)
    ids = _zipf_ids(rng, 200_000, VOCAB)
    offsets = np.arange(0, len(ids) + 1, 20, dtype=np.int64)
    counts = np.bincount(ids, minlength=VOCAB).astype(np.int64)
    counts = np.maximum(counts, 1)  # every row samplable, as after min_count
    return ids, offsets, counts


def _run(encoded, sg):
    ids, offsets, counts = encoded
    rng = np.random.default_rng(4)
    w_in = ((rng.random((VOCAB, DIM), dtype=np.float32) * 2 - 1) / DIM).astype(np.float32)
    w_out = np.zeros((VOCAB, DIM), dtype=np.float32)
    run = _kernel.TrainingRun(
        w_in,
        w_out,
        None,
        sg=sg,
        hs=0,
        negative=NEG,
        window=5,
        cbow_mean=1,
        shrink_windows=True,
        compute_loss=False,
        shared_negatives=True,
        alpha=0.025,
        min_alpha=0.0001,
        keep_threshold=vocab.keep_thresholds(counts, 1e-3),
        alias=_kernel.alias_build(vocab.negative_weights(counts, 0.75)),
        hs_offset=None,
        hs_code=None,
        hs_point=None,
        # large, so the learning rate stays near alpha however many rounds are timed
        total_words=len(ids) * 10_000,
    )
    run.set_corpus(ids, offsets)
    return run


@pytest.mark.parametrize("sg", [1, 0], ids=["sg", "cbow"])
@pytest.mark.benchmark(group="train")
def test_train_range_200k(benchmark, simd, encoded, sg):
    run = _run(encoded, sg)
    n_sent = len(encoded[1]) - 1
    status, words, effective, _ = benchmark(run.train_range, 0, n_sent, 11)
    assert status == 0 and words == len(encoded[0])
    benchmark.extra_info.update(words=int(words), effective_words=int(effective))


# ---- corpus: reading and encoding text ---------------------------------------------------


@pytest.fixture(scope="module")
def text_file(tmp_path_factory):
    """~20 MB of Zipf text: 100,000 distinct words, lines of 1-40 tokens."""
    rng = np.random.default_rng(5)
    words = np.array(_spell(100_000), dtype=object)
    path = tmp_path_factory.mktemp("micro") / "zipf-20mb.txt"
    size = 0
    with open(path, "w", encoding="utf-8") as f:
        while size < 20_000_000:
            toks = words[_zipf_ids(rng, 200_000, len(words))]
            lens = rng.integers(1, 41, size=20_000)
            ends = np.cumsum(lens)
            ends = ends[ends < len(toks)]
            starts = np.concatenate(([0], ends[:-1]))
            block = "".join(" ".join(toks[a:b]) + "\n" for a, b in zip(starts, ends))
            f.write(block)
            size += len(block)
    return str(path)


@pytest.mark.benchmark(group="corpus")
def test_count_file_20mb(benchmark, text_file):
    words, counts, total, n_sent = benchmark(_corpus.count_file, text_file)
    benchmark.extra_info.update(
        bytes=os.path.getsize(text_file), tokens=int(total), vocab=len(words)
    )


@pytest.mark.benchmark(group="corpus")
def test_encode_file_20mb(benchmark, text_file):
    words, counts, total, _ = _corpus.count_file(text_file)
    ids, offsets, raw = benchmark(_corpus.encode_file, text_file, list(words))
    assert raw == total and len(ids) == total
    benchmark.extra_info.update(tokens=int(total))


@pytest.mark.benchmark(group="corpus")
def test_encode_iterable_200k(benchmark):
    rng = np.random.default_rng(6)
    words = _spell(VOCAB)
    ids = _zipf_ids(rng, 200_000, VOCAB)
    sentences = [[words[i] for i in ids[a : a + 20]] for a in range(0, len(ids), 20)]
    key_to_index = {w: i for i, w in enumerate(words)}
    out_ids, offsets, raw, n = benchmark(vocab.encode_iterable, sentences, key_to_index)
    assert raw == 200_000 and n == len(sentences)
    benchmark.extra_info.update(tokens=200_000)
