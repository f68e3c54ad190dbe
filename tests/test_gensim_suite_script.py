"""bench/gensim_suite.py rewrites only the import statements of gensim's test files."""

from __future__ import annotations

import ast

import _bench_scripts as bench_scripts


def _suite():
    return bench_scripts.load("gensim_suite")


SOURCE = """\
import numpy as np
from gensim.models import word2vec, keyedvectors
from gensim.models.keyedvectors import (
    KeyedVectors,
    REAL,
)
from gensim.test.utils import datapath


class TestX:
    def test_a(self):
        from gensim.models.word2vec import LineSentence as LS, Word2Vec
        text = "from gensim.models import Word2Vec"  # a string, not an import
        return word2vec.Word2Vec, LS, text
"""


def test_only_mapped_names_move_and_nothing_else_changes():
    rewritten, notes = _suite().rewrite_imports(SOURCE)
    ast.parse(rewritten)  # still valid Python, indentation kept
    assert "from fastembed_core.models import word2vec" in rewritten
    assert "from fastembed_core.vectors import keyedvectors" in rewritten
    assert "from fastembed_core.vectors.keyedvectors import KeyedVectors" in rewritten
    assert "from gensim.models.keyedvectors import REAL" in rewritten  # not ours: stays
    assert "from gensim.test.utils import datapath" in rewritten
    assert (
        "        from fastembed_core.models.word2vec import LineSentence as LS, Word2Vec"
        in rewritten
    )

    # every line that is not an import statement is unchanged, in order
    def body(text):
        tree = ast.parse(text)
        imports = {
            line
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)
        }
        return [ln for i, ln in enumerate(text.splitlines(), 1) if i not in imports]

    assert body(rewritten) == body(SOURCE)
    assert len(notes) == 4
