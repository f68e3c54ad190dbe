"""Phrases / FrozenPhrases against gensim 4 (same counts, phrases and scores), bad input, files,
and the word2phrase subcommand against a plain-Python model of word2vec.c's tool."""

import itertools
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

from fastembed_core import FormatError
from fastembed_core.cli import main
from fastembed_core.datasets import sample_corpus_path
from fastembed_core.models.phrases import (
    ENGLISH_CONNECTOR_WORDS,
    FrozenPhrases,
    Phrases,
    npmi_scorer,
    original_scorer,
    word2phrase,
)


@pytest.fixture(scope="module")
def corpus():
    """The first 8,000 sentences of the bundled corpus (about 100,000 tokens)."""
    with open(sample_corpus_path(), encoding="utf-8") as f:
        return [line.split() for line in itertools.islice(f, 8000)]


@pytest.fixture(scope="module")
def gensim_phrases():
    return pytest.importorskip("gensim.models.phrases")


def length_scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
    """A custom scorer that no built-in formula matches."""
    return bigram_count / (1.0 + abs(worda_count - wordb_count)) + corpus_word_count * 0.0


SETTINGS = {
    "default": {},
    "connectors": {"connector_words": ENGLISH_CONNECTOR_WORDS, "threshold": 5.0},
    "npmi": {"scoring": "npmi", "threshold": 0.3, "connector_words": ENGLISH_CONNECTOR_WORDS},
    "min_count_threshold": {"min_count": 2, "threshold": 2.5, "delimiter": "+"},
    # small enough that pruning runs many times (min_reduce climbs)
    "pruned": {"max_vocab_size": 15000, "min_count": 3, "connector_words": {"of", "the"}},
    "callable": {"scoring": length_scorer, "threshold": 3.0},
}


def assert_same_model(ours, theirs, corpus):
    assert list(ours.vocab.items()) == list(theirs.vocab.items())  # counts and order
    assert ours.corpus_word_count == theirs.corpus_word_count
    assert ours.min_reduce == theirs.min_reduce
    exported = ours.export_phrases()
    assert exported and exported == theirs.export_phrases()  # scores compared exactly
    assert list(ours[corpus]) == list(theirs[corpus])
    frozen, their_frozen = ours.freeze(), theirs.freeze()
    assert frozen.phrasegrams == their_frozen.phrasegrams
    assert list(frozen[corpus]) == list(their_frozen[corpus])
    assert ours.find_phrases(corpus[:3000]) == theirs.find_phrases(corpus[:3000])


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_same_as_gensim(corpus, gensim_phrases, name):
    kwargs = SETTINGS[name]
    ours = Phrases(corpus, **kwargs)
    theirs = gensim_phrases.Phrases(corpus, **kwargs)
    assert ours._counts.by_id  # no token holds a delimiter byte: the counts by word id ran
    if name == "pruned":
        assert theirs.min_reduce == 1  # gensim keeps 1 after a first add_vocab
    assert_same_model(ours, theirs, corpus)


def test_add_vocab_merge_and_prune_like_gensim(corpus, gensim_phrases):
    kwargs = {"max_vocab_size": 12000, "min_count": 2, "threshold": 3.0}
    ours, theirs = Phrases(corpus[:3000], **kwargs), gensim_phrases.Phrases(corpus[:3000], **kwargs)
    for part in (corpus[3000:6000], corpus[6000:]):
        ours.add_vocab(part)
        theirs.add_vocab(part)
    assert theirs.min_reduce > 2  # the merge rule ran
    assert_same_model(ours, theirs, corpus)


def test_edge_tokens_like_gensim(gensim_phrases):
    """Empty tokens (gensim drops them from the output), connectors at the ends, tokens that
    contain the delimiter, a lone surrogate, repeated connectors."""
    sents = [
        ["bank", "of", "america", "", "said", "the"],
        ["the", "bank", "of", "the", "america", "of"],
        ["", "bank", "", "america", "new_york", "city"],
        ["new", "york", "city", "\ud800", "bank", "of", "america"],
        ["of", "of", "new", "york", "", ""],
        ["new_york", "city", "a", "b", "c"],
        [],
        ["bank", "of", "america", "new", "york"],
    ] * 3
    kwargs = {"min_count": 1, "threshold": 0.5, "connector_words": {"of", "the", ""}}
    for kw in (kwargs, dict(kwargs, connector_words={"of", "the"})):
        ours, theirs = Phrases(sents, **kw), gensim_phrases.Phrases(sents, **kw)
        assert list(ours.vocab.items()) == list(theirs.vocab.items())
        assert ours.export_phrases() == theirs.export_phrases()
        for s in sents:
            assert ours[s] == theirs[s], s
            assert list(ours.analyze_sentence(s)) == list(theirs.analyze_sentence(s))
            assert ours.freeze()[s] == theirs.freeze()[s]


def test_score_candidate_like_gensim(corpus, gensim_phrases):
    kwargs = {"connector_words": ENGLISH_CONNECTOR_WORDS, "threshold": 1.0}
    ours, theirs = Phrases(corpus, **kwargs), gensim_phrases.Phrases(corpus, **kwargs)
    for a, b, between in [("united", "states", []), ("bank", "america", ["of"]), ("x", "y", [])]:
        assert ours.score_candidate(a, b, between) == theirs.score_candidate(a, b, between)


def test_full_corpus_same_as_gensim(gensim_phrases):
    with open(sample_corpus_path(), encoding="utf-8") as f:
        sents = [line.split() for line in f]
    kwargs = {"connector_words": ENGLISH_CONNECTOR_WORDS}
    ours, theirs = Phrases(sents, **kwargs), gensim_phrases.Phrases(sents, **kwargs)
    assert ours.export_phrases() == theirs.export_phrases()
    assert list(ours.freeze()[sents]) == list(theirs[sents])


def test_scorer_functions_match_c_path(corpus):
    """The Python scorers passed as callables give the C formulas' results exactly."""
    for name, fn, threshold in (("default", original_scorer, 10.0), ("npmi", npmi_scorer, 0.3)):
        in_c = Phrases(corpus, scoring=name, threshold=threshold).export_phrases()

        def wrapped(
            worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count, fn=fn
        ):
            return fn(
                worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count
            )

        called = Phrases(corpus, scoring=wrapped, threshold=threshold)
        assert in_c == called.export_phrases()


def test_callable_signature_and_errors_propagate(corpus):
    def boom(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
        raise KeyError("from the scorer")

    model = Phrases(corpus[:500], scoring=boom, min_count=1, threshold=0.1)
    with pytest.raises(KeyError, match="from the scorer"):
        model.export_phrases()
    with pytest.raises(KeyError, match="from the scorer"):
        model[corpus[0]]
    with pytest.raises(ValueError, match="missing expected parameters"):
        Phrases(scoring=lambda a, b: 1.0)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"scoring": "npmi", "threshold": 1.5}, ValueError, "between -1 and 1"),
        ({"threshold": 0}, ValueError, "positive for default"),
        ({"min_count": 0}, ValueError, "at least 1"),
        ({"scoring": "pmi"}, ValueError, "unknown scoring"),
        ({"scoring": 3}, TypeError, "scoring must be"),
        ({"delimiter": ""}, ValueError, "delimiter"),
        ({"threshold": "10"}, TypeError, "threshold must be a number"),
        ({"max_vocab_size": -5}, ValueError, "max_vocab_size"),
        ({"connector_words": "of"}, TypeError, "connector_words"),
        ({"connector_words": {b"of"}}, TypeError, "connector words must be str"),
    ],
)
def test_bad_settings(kwargs, error, match):
    with pytest.raises(error, match=match):
        Phrases(**kwargs)


@pytest.mark.parametrize(
    ("sentences", "match"),
    [
        (["a sentence as one string"], "sentence 0 is a str"),
        ([["ok", "tokens"], [b"bytes", b"tokens"]], "token 0 of sentence 1 is a bytes"),
        ([["ok"], ["fine", 3]], "token 1 of sentence 1 is a int"),
        ([["ok"], 7], "sentence 1 is a int"),
        ("corpus.txt", "corpus_file"),
    ],
)
def test_bad_sentences(sentences, match):
    with pytest.raises(TypeError, match=match):
        Phrases(sentences, min_count=1)


def test_bad_input_when_applying(corpus):
    model = Phrases(corpus[:200], min_count=1)
    with pytest.raises(TypeError, match="split it into tokens"):
        model["new york"]
    with pytest.raises(TypeError, match="bytes"):
        model[[b"new", b"york"]]
    with pytest.raises(TypeError, match="not a str"):
        model[["new", None]]
    assert model[[]] == []


def test_corpus_applied_lazily_and_repeatably(corpus):
    model = Phrases(corpus, min_count=2, threshold=2.0)
    applied = model[corpus[:50]]
    assert len(applied) == 50
    first, second = list(applied), list(applied)
    assert first == second and any("_" in t for s in first for t in s)
    from_generator = model[(s for s in corpus[:50])]
    assert list(from_generator) == first


def test_corpus_file_counts_like_split_lines(tmp_path, corpus):
    path = tmp_path / "corpus.txt"
    lines = [" ".join(s) for s in corpus[:3000]]
    path.write_text("\n".join(lines[:1000]) + "\n\n  \n" + "\n".join(lines[1000:]), "utf-8")
    kwargs = {"connector_words": ENGLISH_CONNECTOR_WORDS, "max_vocab_size": 8000, "min_count": 2}
    from_file = Phrases(corpus_file=path, **kwargs)
    from_lists = Phrases(corpus[:3000], **kwargs)
    assert list(from_file.vocab.items()) == list(from_lists.vocab.items())
    assert from_file.corpus_word_count == from_lists.corpus_word_count
    assert from_file.min_reduce == from_lists.min_reduce


def test_save_load_round_trip(tmp_path, corpus):
    model = Phrases(corpus, connector_words=ENGLISH_CONNECTOR_WORDS, scoring="npmi", threshold=0.2)
    model.add_vocab(corpus[:100])
    model.save(tmp_path / "p.fe")
    loaded = Phrases.load(tmp_path / "p.fe")
    assert isinstance(loaded, Phrases)
    assert list(loaded.vocab.items()) == list(model.vocab.items())
    assert loaded.export_phrases() == model.export_phrases()
    assert (loaded.min_reduce, loaded.corpus_word_count) == (
        model.min_reduce,
        model.corpus_word_count,
    )
    frozen = model.freeze()
    frozen.save(tmp_path / "f.fe")
    loaded_frozen = FrozenPhrases.load(tmp_path / "f.fe")
    assert isinstance(loaded_frozen, FrozenPhrases)
    assert loaded_frozen.phrasegrams == frozen.phrasegrams
    assert list(loaded_frozen[corpus[:500]]) == list(frozen[corpus[:500]])


def test_custom_scoring_must_be_given_again_on_load(tmp_path, corpus):
    def nested(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
        # a nested function has no importable name (a top-level one is found again)
        return length_scorer(worda_count, wordb_count, bigram_count, 0, 0, 0)

    model = Phrases(corpus[:2000], scoring=nested, threshold=3.0)
    model.save(tmp_path / "p.fe")
    with pytest.raises(ValueError, match="nested.*pass it again"):
        Phrases.load(tmp_path / "p.fe")
    again = Phrases.load(tmp_path / "p.fe", scoring=nested)
    assert again.export_phrases() == model.export_phrases()


def test_pickle_refused_with_conversion_hint(tmp_path):
    path = tmp_path / "gensim.pkl"
    path.write_bytes(pickle.dumps({"vocab": {}}, protocol=4))
    with pytest.raises(FormatError, match="from_gensim"):
        Phrases.load(path)


def test_from_gensim(corpus, gensim_phrases, tmp_path):
    theirs = gensim_phrases.Phrases(corpus, connector_words=ENGLISH_CONNECTOR_WORDS, threshold=4)
    ours = Phrases.from_gensim(theirs)
    assert isinstance(ours, Phrases)
    assert ours.export_phrases() == theirs.export_phrases()
    frozen = Phrases.from_gensim(theirs.freeze())
    assert isinstance(frozen, FrozenPhrases)
    assert list(frozen[corpus[:2000]]) == list(theirs.freeze()[corpus[:2000]])
    theirs.save(str(tmp_path / "g.pkl"))  # gensim's pickle, refused by our loader
    with pytest.raises(FormatError, match="pickle"):
        Phrases.load(tmp_path / "g.pkl")


# ---- word2phrase ---------------------------------------------------------------------------


def word2phrase_model(text, min_count, threshold):
    """word2vec.c's word2phrase in plain Python (single-precision score, counts across line
    ends, the first token paired with an empty one)."""
    counts = {}
    last, train_words = "", 0
    for line in text.split("\n"):
        for w in line.split():
            train_words += 1
            counts[w] = counts.get(w, 0) + 1
            counts[last + "_" + w] = counts.get(last + "_" + w, 0) + 1
            last = w
    kept = {k: c for k, c in counts.items() if c >= min_count}
    out, f32 = [], np.float32
    for line in text.split("\n"):
        pieces, prev, pa = [], None, 0
        for w in line.split():
            pb = kept.get(w, 0)
            pab = kept.get(f"{prev}_{w}", 0) if prev is not None else 0
            score = f32(0)
            if prev in kept and w in kept and pab and pa >= min_count and pb >= min_count:
                score = f32(pab - min_count) / f32(pa) / f32(pb) * f32(train_words)
            join = score > f32(threshold)
            pieces.append(("_" if join else " ") + w)
            pa, prev = (0 if join else pb), w
        out.append("".join(pieces))
    return "\n".join(out)


@pytest.mark.parametrize(("min_count", "threshold"), [(5, 100.0), (2, 20.0), (3, 500.0)])
def test_word2phrase_matches_model(tmp_path, corpus, min_count, threshold):
    text = "\n".join(" ".join(s) for s in corpus[:4000]) + "\n"
    src, dst = tmp_path / "in.txt", tmp_path / "out.txt"
    src.write_text(text, "utf-8")
    words, _, joined = word2phrase(src, dst, min_count, threshold)
    produced = dst.read_text("utf-8")
    assert words == sum(len(s) for s in corpus[:4000])
    assert joined > 0 and produced.count("_") >= joined
    assert produced == word2phrase_model(text, min_count, threshold)


def test_word2phrase_cli(tmp_path, capsys):
    src, dst = tmp_path / "in.txt", tmp_path / "out.txt"
    src.write_text("new york is big\nthe new york times\nnew york\n" * 10, "utf-8")
    argv = ["word2phrase", "-train", str(src), "-output", str(dst)]
    assert main([*argv, "-min-count", "2", "-threshold", "3", "-debug", "1"]) == 0
    assert dst.read_text("utf-8") == word2phrase_model(src.read_text("utf-8"), 2, 3.0)
    assert dst.read_text("utf-8").startswith(" new_york")
    assert "words in train file: 100" in capsys.readouterr().err
    assert main(["word2phrase", "-train", str(tmp_path / "missing.txt"), "-output", str(dst)]) == 1
    assert main([*argv, "-threshold", "high"]) == 2


_PIPE_CHILD = """
import os, sys, threading
from fastembed_core.models.phrases import Phrases
path = sys.argv[1]
os.mkfifo(path)
line = b"new york is a big city in new york state\\n"

def feed():
    with open(path, "wb") as f:
        for _ in range(20000):  # ~0.8 MB: far more than a pipe buffer holds
            f.write(line)

threading.Thread(target=feed, daemon=True).start()
model = Phrases(corpus_file=path, min_count=1, threshold=1.0)
print(model.corpus_word_count, model.vocab["new_york"])
"""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_gil_is_released_while_counting_a_file(tmp_path):
    # A Python thread writes the pipe *during* the call, so the call can only finish if it
    # lets that thread run: counting with the GIL held would deadlock.
    proc = subprocess.Popen(
        [sys.executable, "-c", _PIPE_CHILD, str(tmp_path / "pipe")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("counting a corpus file did not release the GIL (deadlock on a pipe)")
    assert proc.returncode == 0, err
    assert out.split() == ["200000", "40000"]


def test_changes_after_applying_are_seen(corpus, gensim_phrases):
    """Applying caches the phrases the counts and settings give; a new threshold, min_count
    or more counts must be seen by the next application."""
    kwargs = {"connector_words": ENGLISH_CONNECTOR_WORDS, "min_count": 3, "threshold": 5.0}
    ours = Phrases(corpus[:4000], **kwargs)
    theirs = gensim_phrases.Phrases(corpus[:4000], **kwargs)
    sample = corpus[:2000]
    changes = [
        ("threshold", 1.0),
        ("min_count", 1),
        ("threshold", 30.0),
    ]
    assert list(ours[sample]) == list(theirs[sample])
    for attr, value in changes:
        setattr(ours, attr, value)
        setattr(theirs, attr, value)
        assert list(ours[sample]) == list(theirs[sample]), attr
    # more counts, with the word count put back: the counts alone differ
    for model in (ours, theirs):
        words = model.corpus_word_count
        model.add_vocab(corpus[4000:])
        model.corpus_word_count = words
    assert list(ours[sample]) == list(theirs[sample])


# ---- counts by word id: the paths where they meet strings ----------------------------------


def test_by_id_counts_applied_to_tokens_holding_the_delimiter(corpus, gensim_phrases):
    """Counts by id, applied to tokens that spell phrases ("bank_of", "new_york"): gensim
    looks such a token up as the phrase of the same spelling."""
    kwargs = {"min_count": 1, "threshold": 0.5, "connector_words": {"of", "the"}}
    sents = [["bank", "of", "america"], ["new", "york", "city"], ["new", "york"]] * 4
    ours, theirs = Phrases(sents, **kwargs), gensim_phrases.Phrases(sents, **kwargs)
    assert ours._counts.by_id
    probes = [
        ["bank_of", "america", "new_york", "city"],
        ["new_york_city", "bank_of_america", "the", "new_york"],
        ["bank", "of_america", "_", "new_", "_york"],
        ["of", "new_york", "of", "city", "unknown_word", "city"],
    ]
    for s in probes:
        assert ours[s] == theirs[s], s
        assert list(ours.analyze_sentence(s)) == list(theirs.analyze_sentence(s))
        assert ours.score_candidate(s[0], s[1], []) == theirs.score_candidate(s[0], s[1], [])
    assert ours.vocab["new_york"] == theirs.vocab["new_york"] == 8
    assert ours._counts.get("bank_of_america") == theirs.vocab["bank_of_america"]
    assert ours._counts.get("bank__of") == ours._counts.get("of_bank") == 0


@pytest.mark.parametrize("batch_sentences", [1, 3, 50])
@pytest.mark.parametrize("max_vocab_size", [10**9, 40, 200])
def test_switch_to_strings_mid_corpus_like_gensim(
    gensim_phrases, monkeypatch, batch_sentences, max_vocab_size
):
    """Counts start by id; a token holding the delimiter, met in a later batch, turns them
    into the string table (entry order kept), then counting and pruning go on."""
    from fastembed_core.models import phrases as phrases_module

    monkeypatch.setattr(phrases_module, "_BATCH_SENTENCES", batch_sentences)
    words = "bank of america new york city the times a b c d e".split()
    rng = np.random.default_rng(5)
    clean = [list(rng.choice(words, size=rng.integers(0, 9))) for _ in range(60)]
    mixed = clean[:30] + [["new_york", "city", "of", "bank_of", "america"]] + clean[30:]
    kwargs = {"min_count": 1, "threshold": 0.2, "connector_words": {"of", "the", "a"},
              "max_vocab_size": max_vocab_size}  # fmt: skip
    ours, theirs = Phrases(mixed, **kwargs), gensim_phrases.Phrases(mixed, **kwargs)
    assert not ours._counts.by_id
    assert list(ours.vocab.items()) == list(theirs.vocab.items())
    assert ours.min_reduce == theirs.min_reduce
    assert ours.export_phrases() == theirs.export_phrases()
    assert list(ours[mixed]) == list(theirs[mixed])


@pytest.mark.parametrize("max_vocab_size", [25, 60, 300, 2000])
def test_pruning_by_id_like_gensim(corpus, gensim_phrases, monkeypatch, max_vocab_size):
    """Pruning after many sentences (entries deleted from the pair table in place), then
    counting on: counts, order and min_reduce as gensim's."""
    from fastembed_core.models import phrases as phrases_module

    monkeypatch.setattr(phrases_module, "_BATCH_SENTENCES", 97)
    kwargs = {"min_count": 1, "threshold": 1.0, "max_vocab_size": max_vocab_size,
              "connector_words": ENGLISH_CONNECTOR_WORDS}  # fmt: skip
    part = corpus[:1500]
    ours, theirs = Phrases(part, **kwargs), gensim_phrases.Phrases(part, **kwargs)
    assert ours._counts.by_id
    assert list(ours.vocab.items()) == list(theirs.vocab.items())
    assert ours.min_reduce == theirs.min_reduce
    assert ours.export_phrases() == theirs.export_phrases()
    ours.add_vocab(corpus[1500:2500])
    theirs.add_vocab(corpus[1500:2500])
    assert list(ours.vocab.items()) == list(theirs.vocab.items())
    assert list(ours[part[:300]]) == list(theirs[part[:300]])


def test_file_switches_to_strings_mid_sentence(tmp_path):
    """A corpus file whose line holds a delimiter token after a connector: the sentence being
    counted by id (start word and connectors) carries over into the string table."""
    lines = ["bank of america said", "the bank of new_york city of", "new york of the city"] * 5
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    kwargs = {"min_count": 1, "threshold": 0.1, "connector_words": {"of", "the"}}
    from_file = Phrases(corpus_file=path, **kwargs)
    from_lists = Phrases([line.split() for line in lines], **kwargs)
    assert not from_file._counts.by_id
    assert list(from_file.vocab.items()) == list(from_lists.vocab.items())
    assert from_file.vocab["bank_of_new_york"] == 5


def test_multibyte_delimiter_and_its_bytes_in_tokens(gensim_phrases):
    """A delimiter of several bytes: a token holding one of them ("a:b" with "::") could spell
    a phrase part ambiguously, so such counts go by string; same results as gensim."""
    sents = [["a:", "b", ":c", "d"], ["a", "b", "c", "d"], ["b", "c::d", "a:"]] * 3
    for delimiter in ("::", "\u00e9\u00e8"):
        kwargs = {"min_count": 1, "threshold": 0.1, "delimiter": delimiter}
        ours, theirs = Phrases(sents, **kwargs), gensim_phrases.Phrases(sents, **kwargs)
        assert list(ours.vocab.items()) == list(theirs.vocab.items())
        assert ours.export_phrases() == theirs.export_phrases()
        assert list(ours[sents]) == list(theirs[sents])
    clean = [["ab", "cd", "ef"]] * 3
    assert Phrases(clean, min_count=1, delimiter="::")._counts.by_id


def test_very_long_and_non_ascii_words_like_gensim(gensim_phrases):
    long_a, long_b = "x" * 100_000, "y" * 70_000 + "z"
    sents = [[long_a, long_b, "end"], ["caf\u00e9", "cr\u00e8me", long_a, long_b]] * 3
    sents += [["\U0001f600", "\ud800", "caf\u00e9", "cr\u00e8me"]] * 2
    kwargs = {"min_count": 1, "threshold": 0.1}
    ours, theirs = Phrases(sents, **kwargs), gensim_phrases.Phrases(sents, **kwargs)
    assert ours._counts.by_id
    assert list(ours.vocab.items()) == list(theirs.vocab.items())
    assert ours.export_phrases() == theirs.export_phrases()
    assert list(ours[sents]) == list(theirs[sents])


def test_vocab_assigned_by_string_keeps_order_and_zero_counts(gensim_phrases):
    """The vocab setter (and loading) add entries by string: unigrams and phrases by id, an
    entry of count 0 kept, and a string that no ids spell ("a_b_" has an empty last part,
    fine; "_" alone is the phrase of two empty words) as gensim would hold it."""
    vocab = {"bank": 5, "of": 0, "america": 4, "bank_of_america": 3, "x_": 2, "_": 1}
    ours = Phrases(min_count=1, threshold=0.1, connector_words={"of"})
    ours.vocab = vocab
    assert ours._counts.by_id
    assert list(ours.vocab.items()) == list(vocab.items())
    assert ours._counts.size == len(vocab)
    ours.corpus_word_count = 20
    theirs = gensim_phrases.Phrases(min_count=1, threshold=0.1, connector_words={"of"})
    theirs.vocab = dict(vocab)
    theirs.corpus_word_count = 20
    assert ours.export_phrases() == theirs.export_phrases()
    sent = ["bank", "of", "america", "x", "", "bank"]
    assert ours[sent] == theirs[sent]


def test_counts_beyond_32_bits_by_id(gensim_phrases):
    """A phrase count of 2^32 or more leaves the 16-byte slot for the list of big counts:
    read, added to, exported and pruned like any other."""
    big = 2**33 + 7
    vocab = {"a": 3 * big, "b": 2 * big, "a_b": big, "b_a": 2**32 - 2, "c_a": 1}
    ours = Phrases(min_count=1, threshold=1e-9, max_vocab_size=6)
    ours.vocab = vocab
    assert ours._counts.by_id
    theirs = gensim_phrases.Phrases(min_count=1, threshold=1e-9, max_vocab_size=6)
    theirs.vocab = dict(vocab)
    for model in (ours, theirs):
        model.corpus_word_count = 10 * big
        model.add_vocab([["b", "a", "b", "a"], ["x", "y"]])  # b_a passes 2^32 - 1; pruned
    assert list(ours.vocab.items()) == list(theirs.vocab.items())
    assert ours.vocab["b_a"] == 2**32 and ours.vocab["a_b"] == big + 1
    assert ours.export_phrases() == theirs.export_phrases()
    assert ours[["a", "b", "a"]] == theirs[["a", "b", "a"]]


@pytest.mark.parametrize(
    "batch_tokens,batch_sentences", [(1, 20_000), (7, 3), (50, 1000), (10**6, 4)]
)
def test_batches_of_a_list_cut_as_the_loop_cuts_any_iterable(
    monkeypatch, batch_tokens, batch_sentences
):
    """A list or tuple is cut into batches by a search of its running token count; the same
    batches (first index and sentences) as the sentence-by-sentence loop over an iterator,
    empty sentences and the last partial batch included."""
    from fastembed_core.models import phrases as phrases_module

    monkeypatch.setattr(phrases_module, "_BATCH_TOKENS", batch_tokens)
    monkeypatch.setattr(phrases_module, "_BATCH_SENTENCES", batch_sentences)
    rng = np.random.default_rng(11)
    sentences = [["w"] * int(n) for n in rng.integers(0, 12, size=400)]
    for container in (list, tuple):
        fast = list(phrases_module._batches(container(sentences)))
        loop = list(phrases_module._batches(iter(sentences)))
        assert [(first, list(batch)) for first, batch in fast] == loop
        assert len(loop) > 1


def test_applying_a_corpus_leaves_the_collector_working(corpus):
    """Applying moves the collector's young objects to its oldest generation instead of
    letting it walk the new lists; a reference cycle made before is still collected, a
    program's own frozen objects stay frozen, and a paused collector stays paused."""
    import gc
    import weakref

    model = Phrases(corpus[:500], min_count=1, threshold=1.0)

    class Node:
        pass

    def cycle():
        node = Node()
        node.self = node
        return weakref.ref(node)

    ref = cycle()
    phrased = list(model[corpus[:300]])
    assert phrased and gc.isenabled()
    gc.collect()
    assert ref() is None  # still tracked: the cycle is found
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert list(model[corpus[:300]]) == phrased
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
    gc.disable()
    try:
        assert list(model[corpus[:300]]) == phrased
        assert not gc.isenabled()
    finally:
        gc.enable()
