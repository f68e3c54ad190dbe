"""Writes the seed corpus of the fuzz targets: valid files made by fastembed_core's own writers.

    python fuzz/make_seeds.py [OUT_DIR]        (default: fuzz/seeds)

One folder per target of ``harnesses.TARGETS``; each file is one input (option byte first
where the target reads one). The seeds are generated, not committed, so they always match
the current writers.
"""

import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harnesses  # noqa: E402

from fastembed_core.io.facebook_format import FacebookModelData, write_facebook_bin  # noqa: E402
from fastembed_core.io.vocab_file import write_vocab_file  # noqa: E402
from fastembed_core.models.word2vec import Word2Vec  # noqa: E402
from fastembed_core.vectors.keyedvectors import KeyedVectors  # noqa: E402

KEYS = ["the", "of", "été", "東京", "😀", "a\u0301b", "x" * 40, "0", "-1.5", "nan"]


def _kv(dim, n, seed=0):
    rng = np.random.default_rng(seed)
    kv = KeyedVectors(dim)
    kv.add_vectors(KEYS[:n], rng.standard_normal((n, dim)).astype(np.float32))
    kv.set_vecattr(KEYS[0], "count", 100)
    for i, k in enumerate(KEYS[:n]):
        kv.set_vecattr(k, "count", 100 - i)
    return kv


def _model():
    sentences = [["the", "of", "été", "東京"], ["of", "the", "😀"], ["the", "été"]] * 20
    return Word2Vec(
        sentences,
        vector_size=8,
        window=2,
        min_count=1,
        epochs=1,
        workers=1,
        seed=1,
        hs=1,
        negative=2,
    )


def _facebook_data(nwords, bucket, dim, labels):
    """A small fastText model: ``labels`` > 0 makes it a supervised one."""
    rng = np.random.default_rng(dim)
    words = KEYS[:nwords] + [f"__label__{k}" for k in range(labels)]
    args = dict(dim=dim, ws=5, epoch=5, min_count=1, neg=5, word_ngrams=1, loss=2)
    args.update(model=3 if labels else 2, bucket=bucket, minn=3, maxn=6, lr_update_rate=100)
    return FacebookModelData(
        args={**args, "t": 1e-4},
        words=words,
        counts=np.arange(len(words), 0, -1, dtype=np.int64),
        entry_types=np.array([0] * nwords + [1] * labels, np.int8),
        ntokens=100,
        input_matrix=rng.standard_normal((nwords + bucket, dim)).astype(np.float32),
        output_matrix=rng.standard_normal((labels or nwords, dim)).astype(np.float32),
    )


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def make(out_dir):
    seeds = {name: [] for name in harnesses.TARGETS}
    with tempfile.TemporaryDirectory() as tmp:

        def p(name):
            return os.path.join(tmp, name)

        for dim, n in ((1, 1), (3, 4), (5, 10)):
            kv = _kv(dim, n, seed=dim)
            kv.save_word2vec_format(p("v.txt"), fvocab=p("v.vocab"))
            kv.save_word2vec_format(p("v.bin"), binary=True)
            text, binary = _read(p("v.txt")), _read(p("v.bin"))
            for opt in (0, 2, 4 | 2, 8, 16, 0x20, 0x40, 0x60, 0xE0):
                seeds["w2v_text"].append(bytes([opt]) + text)
                seeds["w2v_binary"].append(bytes([opt]) + binary)
            # GloVe: the same text without its header line, read with no_header
            seeds["w2v_text"].append(bytes([1]) + text.split(b"\n", 1)[1])
            seeds["w2v_fvocab"].append(b"\0" + _read(p("v.vocab")))
            seeds["native"].append(_save(kv, p("kv.fe")))
            seeds["native_header"].append(harnesses.split_native(_read(p("kv.fe"))))
        # word2vec.c's binary variant: a newline after every vector
        seeds["w2v_binary"].append(
            b"\0"
            + b"2 2\nab "
            + np.float32([1, 2]).tobytes()
            + b"\n"
            + b"cd "
            + np.float32([3, 4]).tobytes()
            + b"\n"
        )
        seeds["w2v_fvocab"].append(b"\0the 10\nof 5\n\xc3\xa9t\xc3\xa9 1\n")

        model = _model()
        model.save(p("w2v.fe"))
        seeds["native"].append(_read(p("w2v.fe")))
        seeds["native_header"].append(harnesses.split_native(_read(p("w2v.fe"))))
        int_kv = KeyedVectors(2)
        int_kv.add_vectors([3, 17, 42], np.eye(3, 2, dtype=np.float32))
        seeds["native"].append(_save(int_kv, p("int.fe")))

        for n, bucket, dim, labels in ((1, 0, 1, 0), (4, 3, 2, 0), (6, 5, 3, 2)):
            write_facebook_bin(p("ft.bin"), _facebook_data(n, bucket, dim, labels))
            for opt in (0, 1, 2, 3):
                seeds["facebook_bin"].append(bytes([opt]) + _read(p("ft.bin")))

        write_vocab_file(
            p("vocab.txt"),
            list(model.wv.index_to_key),
            [int(c) for c in model.wv.expandos["count"]],
        )
        seeds["vocab_file"].append(_read(p("vocab.txt")))
        seeds["vocab_file"].append(b"a 1\n\nb 4294967297\n")

    corpora = [
        b"the quick brown fox\njumps over the lazy dog\n",
        "été 東京 😀 a\u0301b\n\nthe of\n".encode("utf-8"),
        b"\xef\xbb\xbfbom first\r\ncrlf line\r\n\ttabs\tand  spaces  \n",
        b"no final newline",
        b"the the the\n" * 50,
        b"\x0bvt\x0cff \x1cfs\x1f\n",
    ]
    for opt in (0, 1, 2, 0x04, 0x08, 0x0C, 0x10, 0x20, 0x1C):
        for c in corpora:
            seeds["corpus"].append(bytes([opt]) + c)
    for opt in (0, 0x01, 0x10, 0x11, 0x18, 0x23, 0x30, 0x3F):
        for c in corpora[:5]:
            seeds["token_counter"].append(bytes([opt]) + c)

    for name, inputs in seeds.items():
        folder = os.path.join(out_dir, name)
        os.makedirs(folder, exist_ok=True)
        for i, data in enumerate(inputs):
            with open(os.path.join(folder, f"seed-{i:03d}"), "wb") as f:
                f.write(data)
    return {name: len(v) for name, v in seeds.items()}


def _save(kv, path):
    kv.save(path)
    return _read(path)


def load(out_dir, name):
    """The seed inputs of one target (an empty list when none were made)."""
    folder = os.path.join(out_dir, name)
    if not os.path.isdir(folder):
        return []
    return [_read(os.path.join(folder, f)) for f in sorted(os.listdir(folder))]


if __name__ == "__main__":
    out = (
        sys.argv[1]
        if len(sys.argv) > 1
        else os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")
    )
    for name, n in make(out).items():
        print(f"{name}: {n} seeds in {os.path.join(out, name)}")
