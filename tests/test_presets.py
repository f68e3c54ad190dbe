"""Word2Vec presets: the documented values, nothing else changed, explicit arguments win."""

import re

import pytest

from fastembed_core import Word2Vec

SENTENCES = [["alpha", "beta", "gamma", "delta"], ["beta", "gamma", "delta", "alpha"]] * 20


def _settings(model):
    return {name: getattr(model, name) for name in Word2Vec._INIT_PARAMS}


def _documented_values(preset):
    """The settings the with_preset docstring gives for ``preset``, by architecture: the
    sentence ``"name"`` sets CBOW ``k=v, ...`` and skip-gram ``k=v, ...``."""
    doc = " ".join(Word2Vec.with_preset.__doc__.split())
    found = re.search(
        rf'``"{re.escape(preset)}"`` sets CBOW ``([^`]*)`` and skip-gram ``([^`]*)``', doc
    )
    assert found, f"with_preset's docstring does not document {preset!r}"
    values = {}
    for arch, text in zip(("cbow", "skip-gram"), found.groups()):
        values[arch] = {}
        for pair in text.split(", "):
            key, value = pair.split("=")
            values[arch][key] = float(value)
    return values


@pytest.mark.parametrize("sg, arch", [(0, "cbow"), (1, "skip-gram")])
def test_small_corpus_preset_sets_exactly_the_documented_values(sg, arch):
    documented = _documented_values("small-corpus")[arch]
    assert Word2Vec.PRESETS["small-corpus"][arch] == documented
    assert Word2Vec.preset_settings("small-corpus", sg) == documented
    default = _settings(Word2Vec(workers=1, sg=sg))
    preset = _settings(Word2Vec.with_preset("small-corpus", workers=1, sg=sg))
    changed = {k: v for k, v in preset.items() if v != default[k]}
    assert changed == documented


def test_the_architectures_get_different_rates():
    cbow = Word2Vec.with_preset("small-corpus", workers=1)  # CBOW when sg is not given
    skip_gram = Word2Vec.with_preset("small-corpus", workers=1, sg=1)
    assert cbow.alpha == Word2Vec.PRESETS["small-corpus"]["cbow"]["alpha"]
    assert skip_gram.alpha == Word2Vec.PRESETS["small-corpus"]["skip-gram"]["alpha"]
    assert cbow.alpha != skip_gram.alpha


def test_explicit_arguments_override_the_preset():
    model = Word2Vec.with_preset("small-corpus", alpha=0.01, sample=0.0, workers=1)
    assert model.alpha == 0.01
    assert model.sample == 0.0
    assert model.ns_exponent == Word2Vec.PRESETS["small-corpus"]["cbow"]["ns_exponent"]


def test_preset_model_trains_with_its_settings():
    model = Word2Vec.with_preset("small-corpus", SENTENCES, min_count=1, workers=1, epochs=2, sg=1)
    assert len(model.wv) == 4
    expected = Word2Vec.PRESETS["small-corpus"]["skip-gram"]
    assert model.alpha == expected["alpha"]
    assert (model.ns_exponent, model.min_count) == (expected["ns_exponent"], 1)


def test_preset_gives_the_same_model_as_its_settings_spelled_out():
    by_name = Word2Vec.with_preset("small-corpus", SENTENCES, min_count=1, workers=1, seed=3)
    spelled = Word2Vec(
        SENTENCES, min_count=1, workers=1, seed=3, **Word2Vec.PRESETS["small-corpus"]["cbow"]
    )
    assert (by_name.wv.vectors == spelled.wv.vectors).all()


def test_unknown_preset_is_refused_with_the_known_names():
    with pytest.raises(ValueError, match="small-corpus"):
        Word2Vec.with_preset("tiny")


CBOW_PRESET = Word2Vec.PRESETS["small-corpus"]["cbow"]
SKIP_GRAM_PRESET = Word2Vec.PRESETS["small-corpus"]["skip-gram"]


@pytest.mark.parametrize(
    "flags, expected",
    [
        ([], {"alpha": 0.025, "ns_exponent": 0.75}),
        (["--preset", "small-corpus", "--sg", "0"], CBOW_PRESET),
        (["--preset", "small-corpus", "--sg", "1"], SKIP_GRAM_PRESET),
        (
            ["--preset", "small-corpus", "--sg", "0", "--alpha", "0.025"],
            {**CBOW_PRESET, "alpha": 0.025},
        ),
    ],
)
def test_cli_preset_applies_unless_an_option_is_given(tmp_path, flags, expected):
    from fastembed_core.cli import command

    corpus = tmp_path / "c.txt"
    corpus.write_text("alpha beta gamma delta\n" * 20)
    saved = tmp_path / "m.fe"
    args = ["train", str(corpus), "--model", str(saved), "--min-count", "1", "--epochs", "1"]
    assert command.main([*args, "--workers", "1", "-q", *flags]) == 0
    model = Word2Vec.load(str(saved))
    assert {"alpha": model.alpha, "ns_exponent": model.ns_exponent} == expected


def test_cli_offers_every_preset():
    from fastembed_core.cli import command

    train = command.build_parser()._subparsers._group_actions[0].choices["train"]
    (preset,) = [a for a in train._actions if a.dest == "preset"]
    assert sorted(preset.choices) == sorted(Word2Vec.PRESETS)
