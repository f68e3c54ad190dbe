"""Behaviours gensim's own test files rely on (see bench/gensim_suite.py): loading through
an instance, gensim's save() options, a file of another class, and what vectors_for_all
gives keys when their attributes are not copied."""

import logging
import sys

import numpy as np
import pytest
from _corpora import planted_clusters

from fastembed_core import EmptyVocabularyError, KeyedVectors, Word2Vec
from fastembed_core.errors import FormatError, WrongKindError
from fastembed_core.models.phrases import FrozenPhrases, Phrases, _PhrasesTransformation

CORPUS = planted_clusters(5, n_sentences=200, clusters=3, per_cluster=6, length=8)


def small_model(**kw):
    params = dict(vector_size=8, min_count=1, workers=1, seed=2, epochs=2)
    params.update(kw)
    return Word2Vec(CORPUS, **params)


def test_load_through_an_instance_is_an_attribute_error(tmp_path):
    model = small_model()
    path = tmp_path / "m.model"
    model.save(path)
    with pytest.raises(AttributeError, match=r"Word2Vec\.load\(path\)"):
        model.load(path)
    assert not hasattr(model, "load")
    loaded = type(model).load(path)  # the class, reached from the instance, still loads
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)


@pytest.mark.parametrize("mmap", [None, "r"])
def test_save_accepts_gensims_storage_options(tmp_path, mmap):
    model = small_model()
    path = tmp_path / "m.model"
    model.save(path, separately=["syn1neg"], sep_limit=0, pickle_protocol=4)
    loaded = Word2Vec.load(path, mmap=mmap)
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)
    np.testing.assert_array_equal(loaded.syn1neg, model.syn1neg)
    assert isinstance(loaded.wv.vectors, np.memmap) == (mmap == "r")
    kv_path = tmp_path / "kv"
    model.wv.save(kv_path, sep_limit=0)
    np.testing.assert_array_equal(KeyedVectors.load(kv_path).vectors, model.wv.vectors)
    with pytest.raises(TypeError):
        model.save(path, ignore=["syn1neg"])  # would change the content: not silently dropped


def test_a_file_of_another_class_is_format_and_attribute_error(tmp_path):
    model = small_model()
    path = tmp_path / "kv"
    model.wv.save(path)
    for caught in (AttributeError, FormatError, WrongKindError):
        with pytest.raises(caught, match="holds a 'KeyedVectors', not a 'Word2Vec'"):
            Word2Vec.load(path)


def test_vectors_for_all_without_attributes_makes_up_counts():
    wv = small_model().wv
    keys = [wv.index_to_key[5], wv.index_to_key[0], wv.index_to_key[2], "not-a-key"]
    fresh = wv.vectors_for_all(keys, copy_vecattrs=False)
    # as for a word2vec file read without a vocabulary: descending, from the number of keys
    assert [fresh.get_vecattr(k, "count") for k in keys[:3]] == [3, 2, 1]
    copied = wv.vectors_for_all(keys, copy_vecattrs=True)
    assert [copied.get_vecattr(k, "count") for k in keys[:3]] == [
        wv.get_vecattr(k, "count") for k in keys[:3]
    ]


class ScoresFromTable(_PhrasesTransformation):
    """gensim's extension point: a subclass with its own score_candidate (no delimiter given)."""

    def __init__(self, table):
        super().__init__(connector_words={"of", "the"})
        self.table = table

    def score_candidate(self, word_a, word_b, in_between):
        phrase = "+".join([word_a, *in_between, word_b])
        score = self.table.get(phrase)
        return (phrase, score) if score is not None else (None, None)


def test_a_subclass_scores_with_its_own_score_candidate():
    model = ScoresFromTable({"bank+of+england": 5.0, "new+york": 2.0, "york+city": 9.0})
    assert model.delimiter == "_"  # the default, as gensim's
    sentence = ["the", "bank", "of", "england", "in", "new", "york", "city", "of"]
    # greedy from the left: new+york is taken before york+city is seen; a trailing
    # connector word stays alone
    expected = ["the", "bank+of+england", "in", "new+york", "city", "of"]
    assert model[sentence] == expected
    assert list(model[[sentence, ["york", "city"]]]) == [expected, ["york+city"]]
    assert list(model.analyze_sentence(sentence)) == [
        ("the", None), ("bank+of+england", 5.0), ("in", None), ("new+york", 2.0),
        ("city", None), ("of", None),
    ]  # fmt: skip
    assert model.find_phrases([sentence]) == {"bank+of+england": 5.0, "new+york": 2.0}


def test_a_phrases_subclass_overriding_score_candidate_is_used():
    class NeverJoins(Phrases):
        def score_candidate(self, word_a, word_b, in_between):
            return None, None

    corpus = [["new", "york", "city"]] * 50
    assert Phrases(corpus, min_count=1, threshold=1e-6)[corpus[0]] != corpus[0]
    assert NeverJoins(corpus, min_count=1, threshold=1e-6)[corpus[0]] == corpus[0]


def dumb_scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
    return 1.0


def test_a_top_level_custom_scorer_is_found_again_by_name(tmp_path):
    corpus = planted_clusters(1, n_sentences=100, clusters=2, per_cluster=4, length=6)
    model = Phrases(corpus, min_count=1, threshold=0.5, scoring=dumb_scorer)
    frozen = model.freeze()
    model.save(tmp_path / "p")
    frozen.save(tmp_path / "f")
    loaded = Phrases.load(tmp_path / "p")
    assert loaded.scoring is dumb_scorer
    assert set(loaded.find_phrases(corpus).values()) == {1.0}
    assert loaded.export_phrases() == model.export_phrases()
    assert FrozenPhrases.load(tmp_path / "f").scoring is dumb_scorer


def test_a_scorer_reference_is_looked_up_never_imported(tmp_path, monkeypatch):
    corpus = planted_clusters(1, n_sentences=50, clusters=2, per_cluster=4, length=6)
    Phrases(corpus, min_count=1, threshold=0.5, scoring=dumb_scorer).save(tmp_path / "p")
    # the module that defines the scorer is not imported in the loading process
    monkeypatch.delitem(sys.modules, dumb_scorer.__module__)
    with pytest.raises(ValueError, match=f"import {dumb_scorer.__module__} before loading"):
        Phrases.load(tmp_path / "p")
    assert dumb_scorer.__module__ not in sys.modules  # load did not import it


def test_syn1_has_a_row_per_word_as_gensims():
    model = Word2Vec(vector_size=4, min_count=1, hs=1, negative=0, workers=1, seed=1)
    model.build_vocab(CORPUS)
    assert model.syn1.shape == model.wv.vectors.shape
    model.train(CORPUS, total_examples=model.corpus_count, epochs=2)
    # the tree's n - 1 inner nodes are the first rows; the last row is never trained
    assert np.abs(model.syn1[:-1]).sum() > 0 and not model.syn1[-1].any()
    model.build_vocab([["brand", "new", "words"]] * 3, update=True)
    assert model.syn1.shape == model.wv.vectors.shape


def test_a_file_with_the_older_syn1_shape_loads(tmp_path):
    from fastembed_core.io.native import read_container, write_container

    model = small_model(hs=1, negative=0)
    model.save(tmp_path / "new")
    meta, arrays = read_container(tmp_path / "new")
    arrays = {name: np.array(a) for name, a in arrays.items()}
    arrays["syn1"] = arrays["syn1"][:-1]  # as 0.1.0 wrote it: the inner-node rows only
    write_container(tmp_path / "old", "Word2Vec", meta, arrays)
    loaded = Word2Vec.load(tmp_path / "old")
    np.testing.assert_array_equal(loaded.syn1, model.syn1)
    arrays["syn1"] = arrays["syn1"][:-1]  # one row fewer still is damage, not an older file
    write_container(tmp_path / "bad", "Word2Vec", meta, arrays)
    with pytest.raises(FormatError, match="syn1 has shape"):
        Word2Vec.load(tmp_path / "bad")


def test_hierarchical_softmax_paths_are_per_key_code_and_point():
    model = small_model(hs=1, negative=0)
    wv, n = model.wv, len(model.wv)
    seen_codes = set()
    for key in wv.index_to_key:
        code, point = wv.get_vecattr(key, "code"), wv.get_vecattr(key, "point")
        assert code.dtype == np.uint8 and len(code) == len(point) >= 1
        assert point[0] == n - 2  # every path starts at the root, the last inner node
        assert ((0 <= point) & (point < n - 1)).all()
        seen_codes.add(code.tobytes() + bytes([len(code)]))
    assert len(seen_codes) == n  # a prefix code: every word has its own path
    # Kraft's equality holds for a full binary tree's leaves
    assert sum(2.0 ** -len(wv.get_vecattr(k, "code")) for k in wv.index_to_key) == 1.0
    with pytest.raises(KeyError, match=r"have: \['count'\]"):
        small_model(hs=0).wv.get_vecattr(wv.index_to_key[0], "code")


def test_derived_paths_are_neither_saved_nor_copied(tmp_path):
    import copy

    wv = small_model(hs=1, negative=0).wv
    wv.save(tmp_path / "kv")
    for standalone in (KeyedVectors.load(tmp_path / "kv"), copy.deepcopy(wv)):
        assert "code" not in standalone.expandos
        with pytest.raises(KeyError, match="code"):
            standalone.get_vecattr(wv.index_to_key[0], "code")


def test_train_with_a_corpus_needs_its_size_and_epochs_as_gensims(tmp_path):
    from fastembed_core import EncodedCorpus

    model = Word2Vec(vector_size=4, min_count=1, workers=1, seed=1)
    model.build_vocab(CORPUS)
    before = model.wv.vectors.copy()
    for missing in (
        dict(total_examples=model.corpus_count),  # no epochs
        dict(epochs=1),  # no size
        {},
    ):
        with pytest.raises(ValueError, match="total_examples|epochs"):
            model.train(CORPUS, **missing)
    path = tmp_path / "c.txt"
    path.write_text("\n".join(" ".join(s) for s in CORPUS))
    with pytest.raises(ValueError, match="total_examples"):
        model.train(corpus_file=str(path), epochs=1)
    np.testing.assert_array_equal(model.wv.vectors, before)  # refused before any training
    model.train(CORPUS, total_words=model.corpus_total_words, epochs=1)
    model.train(corpus_file=str(path), total_examples=model.corpus_count, epochs=1)
    # our encoded corpus (integer keys) knows its size
    ids = np.repeat(np.arange(5, dtype=np.int64), 4)
    encoded = EncodedCorpus(ids, np.arange(0, ids.size + 1, 5))
    by_ids = Word2Vec(encoded, vector_size=4, min_count=1, workers=1, seed=1, sample=0)
    again = by_ids.wv.vectors.copy()
    by_ids.train(encoded)
    assert not np.array_equal(by_ids.wv.vectors, again)
    assert not np.array_equal(model.wv.vectors, before)


@pytest.mark.parametrize("family", ["word2vec", "doc2vec"])
def test_train_reports_a_wrong_corpus_type_before_a_missing_size(family):
    # gensim checks the corpus arguments' types first (TypeError), so its tests call train()
    # with a wrong type and no total_examples; the size check must not speak first.
    from fastembed_core import Doc2Vec
    from fastembed_core.models.doc2vec import TaggedDocument

    if family == "doc2vec":
        corpus = [TaggedDocument(s, [i]) for i, s in enumerate(CORPUS)]
        model = Doc2Vec(vector_size=4, min_count=1, workers=1, seed=1)
    else:
        corpus = CORPUS
        model = Word2Vec(vector_size=4, min_count=1, workers=1, seed=1)
    model.build_vocab(corpus)
    with pytest.raises(TypeError, match="corpus_file must be a path.*got int"):
        model.train(corpus_file=11111)
    with pytest.raises(TypeError, match="corpus_iterable must be .*got int"):
        model.train(corpus_iterable=11111)
    with pytest.raises(TypeError, match="not both"):
        model.train(corpus_iterable=corpus, corpus_file="test")
    with pytest.raises(TypeError, match="token lists go in corpus_iterable"):
        model.train(corpus_file=corpus)
    with pytest.raises(TypeError, match="corpus_file=path"):
        model.train(corpus_iterable="corpus.txt")


def test_build_vocab_leaving_no_word_warns_and_train_says_why(caplog):
    model = Word2Vec(vector_size=4, workers=1)  # min_count=5
    with caplog.at_level(logging.WARNING, logger="fastembed_core"):
        model.build_vocab([["rare", "words"]])  # as gensim's: no error yet
    assert len(model.wv) == 0 and "min_count=5" in caplog.text
    with pytest.raises(EmptyVocabularyError, match="min_count=5.*'rare' with 1"):
        model.train([["rare", "words"]], total_examples=1, epochs=1)
    with pytest.raises(RuntimeError, match="min_count=5"):  # the constructor raises at once
        Word2Vec([["rare", "words"]], vector_size=4, workers=1)
    model.build_vocab([["now", "often"]] * 5)  # a later vocabulary clears the reason
    model.train([["now", "often"]] * 5, total_examples=5, epochs=1)
    assert model.wv.index_to_key == ["now", "often"]


@pytest.mark.parametrize("ns_exponent", [0.75, 0.5, 0.0, -0.5])
def test_cum_table_gives_each_word_gensims_share(ns_exponent):
    gensim_w2v = pytest.importorskip("gensim.models.word2vec")
    from fastembed_core import Doc2Vec, FastText
    from fastembed_core.models.doc2vec import TaggedDocument

    ours = Word2Vec(CORPUS, min_count=1, ns_exponent=ns_exponent, vector_size=4, epochs=1)
    theirs = gensim_w2v.Word2Vec(CORPUS, min_count=1, ns_exponent=ns_exponent, vector_size=4)

    def shares(model):  # per word, since words of equal count may be ordered differently
        steps = np.diff(np.r_[0, model.cum_table.astype(np.int64)])
        return dict(zip(model.wv.index_to_key, steps))

    assert ours.cum_table.dtype == np.uint32 and ours.cum_table[-1] == 2**31 - 1
    mine, gensims = shares(ours), shares(theirs)
    assert mine.keys() == gensims.keys()
    assert max(abs(mine[w] - gensims[w]) for w in mine) <= 1  # rounding of the running sum
    assert Word2Vec(CORPUS, min_count=1, negative=0, hs=1, epochs=1).cum_table is None
    assert FastText(CORPUS, min_count=1, vector_size=4, epochs=1).cum_table.shape == (len(mine),)
    docs = [TaggedDocument(s, [i]) for i, s in enumerate(CORPUS)]
    assert Doc2Vec(docs, min_count=1, vector_size=4, epochs=1).cum_table.shape == (len(mine),)
