"""A typical gensim 4 training script runs with fastembed_core by changing only its imports."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import fastembed_core
from fastembed_core import datasets

# Written for gensim 4 (the tutorial's shape): stream a file, join its collocations, log each
# epoch's loss through a callback, query neighbours, save, load and query again.
GENSIM_SCRIPT = textwrap.dedent(
    """
    import sys
    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence
    from gensim.models.callbacks import CallbackAny2Vec
    from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases


    class LossLogger(CallbackAny2Vec):
        def __init__(self):
            self.epoch = 0
            self.losses = []

        def on_epoch_end(self, model):
            self.epoch += 1
            self.losses.append(model.get_latest_training_loss())


    corpus_path, model_path = sys.argv[1], sys.argv[2]
    sentences = LineSentence(corpus_path)
    bigram = Phrases(sentences, min_count=5, threshold=10.0, connector_words=ENGLISH_CONNECTOR_WORDS)
    phrases = bigram.export_phrases()
    assert len(phrases) > 100, len(phrases)
    sentences = bigram.freeze()[sentences]
    logger = LossLogger()
    model = Word2Vec(
        sentences, vector_size=50, window=5, min_count=3, workers=1, sg=1, epochs=5,
        compute_loss=True, callbacks=[logger], seed=1,
    )
    assert logger.epoch == 5, logger.epoch
    trained_phrases = [key for key in model.wv.index_to_key if key in phrases]
    assert len(trained_phrases) > 50, len(trained_phrases)
    similar = model.wv.most_similar("red", topn=10)
    model.save(model_path)
    loaded = Word2Vec.load(model_path)
    assert loaded.wv.most_similar("red", topn=10) == similar
    print("NEIGHBOURS", " ".join(word for word, _ in similar))
    """
)

IMPORTS = {
    "from gensim.models import Word2Vec": "from fastembed_core import Word2Vec",
    "from gensim.models.word2vec import LineSentence": (
        "from fastembed_core.models.word2vec import LineSentence"
    ),
    "from gensim.models.callbacks import CallbackAny2Vec": (
        "from fastembed_core.models.callbacks import CallbackAny2Vec"
    ),
    "from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases": (
        "from fastembed_core.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases"
    ),
}


def test_gensim_script_runs_with_changed_imports(tmp_path):
    script = GENSIM_SCRIPT
    for theirs, ours in IMPORTS.items():
        assert theirs in script
        script = script.replace(theirs, ours)
    assert "gensim" not in script
    corpus = tmp_path / "corpus.txt"
    with open(datasets.sample_corpus_path(), "rb") as src:
        corpus.write_bytes(b"".join(src.readline() for _ in range(40000)))
    (tmp_path / "train.py").write_text(script)
    package_root = str(Path(fastembed_core.__file__).resolve().parents[1])
    done = subprocess.run(
        [sys.executable, "train.py", str(corpus), str(tmp_path / "model.fe")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        # the fastembed_core this test imports (a source tree or an installed wheel)
        env={"PYTHONPATH": package_root, "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    neighbours = done.stdout.split("NEIGHBOURS", 1)[1].split()
    # 40,000 glosses give red a colour neighbourhood (6-7 colours among its 10 nearest on
    # seeds 1-4; the bound leaves room)
    colours = {"yellow", "blue", "green", "orange", "white", "black", "purple", "pink", "scarlet"}
    assert len(colours & set(neighbours)) >= 4, neighbours
