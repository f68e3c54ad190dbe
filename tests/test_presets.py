"""Word2Vec presets: the documented values, nothing else changed, explicit arguments win."""

import re

import pytest

from fastembed_core import Word2Vec

SENTENCES = [["alpha", "beta", "gamma", "delta"], ["beta", "gamma", "delta", "alpha"]] * 20


def _settings(model):
    return {name: getattr(model, name) for name in Word2Vec._INIT_PARAMS}


def _documented_values(preset):
    """The ``key=value`` settings the with_preset docstring gives for ``preset``."""
    doc = " ".join(Word2Vec.with_preset.__doc__.split())
    found = re.search(rf'``"{re.escape(preset)}"`` sets ``([^`]*)``', doc)
    assert found, f"with_preset's docstring does not document {preset!r}"
    values = {}
    for pair in found.group(1).split(", "):
        key, value = pair.split("=")
        values[key] = float(value)
    return values


def test_small_corpus_preset_sets_exactly_the_documented_values():
    documented = _documented_values("small-corpus")
    assert Word2Vec.PRESETS["small-corpus"] == documented
    default = _settings(Word2Vec(workers=1))
    preset = _settings(Word2Vec.with_preset("small-corpus", workers=1))
    changed = {k: v for k, v in preset.items() if v != default[k]}
    assert changed == documented


def test_explicit_arguments_override_the_preset():
    model = Word2Vec.with_preset("small-corpus", alpha=0.01, sample=0.0, workers=1)
    assert model.alpha == 0.01
    assert model.sample == 0.0
    assert model.ns_exponent == Word2Vec.PRESETS["small-corpus"]["ns_exponent"]


def test_preset_model_trains_with_its_settings():
    model = Word2Vec.with_preset("small-corpus", SENTENCES, min_count=1, workers=1, epochs=2)
    assert len(model.wv) == 4
    assert model.alpha == Word2Vec.PRESETS["small-corpus"]["alpha"]
    reloaded_params = model.ns_exponent, model.min_count
    assert reloaded_params == (Word2Vec.PRESETS["small-corpus"]["ns_exponent"], 1)


def test_preset_gives_the_same_model_as_its_settings_spelled_out():
    by_name = Word2Vec.with_preset("small-corpus", SENTENCES, min_count=1, workers=1, seed=3)
    spelled = Word2Vec(
        SENTENCES, min_count=1, workers=1, seed=3, **Word2Vec.PRESETS["small-corpus"]
    )
    assert (by_name.wv.vectors == spelled.wv.vectors).all()


def test_unknown_preset_is_refused_with_the_known_names():
    with pytest.raises(ValueError, match="small-corpus"):
        Word2Vec.with_preset("tiny")


@pytest.mark.parametrize(
    "flags, expected",
    [
        ([], {"alpha": 0.025, "ns_exponent": 0.75}),
        (["--preset", "small-corpus"], Word2Vec.PRESETS["small-corpus"]),
        (
            ["--preset", "small-corpus", "--alpha", "0.025"],
            {**Word2Vec.PRESETS["small-corpus"], "alpha": 0.025},
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
