"""Type stub of the compiled driver _kernel.pyx: the training run and the subword hooks are
typed; every other name is Any.

Type checkers cannot read a compiled module; without this stub they find no module here and
flag every import of it.
"""

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

class TrainingRun:
    simd: str
    words_done: int
    def __init__(
        self,
        w_in: np.ndarray,
        w_out: np.ndarray | None,
        w_hs: np.ndarray | None,
        *,
        sg: int,
        hs: int,
        negative: int,
        window: int,
        cbow_mean: int,
        shrink_windows: bool,
        compute_loss: bool,
        shared_negatives: bool = True,
        alpha: float,
        min_alpha: float,
        keep_threshold: np.ndarray | None,
        alias: np.ndarray | None,
        hs_offset: np.ndarray | None,
        hs_code: np.ndarray | None,
        hs_point: np.ndarray | None,
        total_words: int,
        progress_batch: int = 0,
        hot_rows: int = 0,
        hot_merge_words: int = 0,
        hot_merge_scale: float = 1.0,
        simd: str | None = None,
        lockf: np.ndarray | None = None,
        subword_offsets: np.ndarray | None = None,
        subword_rows: np.ndarray | None = None,
        n_words: int = -1,
        dbow_words: bool = False,
        dm_concat: bool = False,
        dm_tag_count: int = 1,
        null_word: int = -1,
        hot_ngram_rows: int = 0,
        hot_hs_nodes: int = 0,
        hot_hs_merge_scale: float | None = None,
    ) -> None: ...
    def set_corpus(
        self,
        ids: np.ndarray,
        offsets: np.ndarray,
        doc_offsets: np.ndarray | None = None,
        doc_rows: np.ndarray | None = None,
    ) -> None: ...
    def train_range(
        self, first_sentence: int, end_sentence: int, seed: int
    ) -> tuple[int, int, int, float]: ...
    def request_stop(self) -> None: ...
    def clear_stop(self) -> None: ...

def check_subword_tables(
    subword_offsets: np.ndarray, subword_rows: np.ndarray, n_input_rows: int
) -> tuple[np.ndarray, np.ndarray, int]: ...
def subword_step(
    w_in: np.ndarray,
    w_out: np.ndarray | None,
    w_hs: np.ndarray | None,
    rows: Sequence[int] | np.ndarray,
    targets: Iterable[tuple[int, Any, Any, Any]],
    alpha: float = 0.025,
    cbow_mean: int = 1,
    want_loss: bool = False,
    simd: str | None = None,
    lockf: np.ndarray | None = None,
) -> float: ...
def check_doc_rows(
    doc_offsets: np.ndarray,
    doc_rows: np.ndarray,
    n_sentences: int,
    n_words: int,
    n_input_rows: int,
    window: int,
) -> tuple[np.ndarray, np.ndarray]: ...
def infer_documents(
    w_in: np.ndarray,
    w_out: np.ndarray | None,
    w_hs: np.ndarray | None,
    ids: np.ndarray,
    offsets: np.ndarray,
    *,
    dm: int,
    hs: int,
    negative: int,
    window: int,
    cbow_mean: int,
    shrink_windows: bool,
    epochs: int,
    alpha: float,
    min_alpha: float,
    keep_threshold: np.ndarray | None,
    alias: np.ndarray | None,
    hs_offset: np.ndarray | None,
    hs_code: np.ndarray | None,
    hs_point: np.ndarray | None,
    seed: int,
    workers: int = 1,
    simd: str | None = None,
    dm_concat: bool = False,
    dm_tag_count: int = 1,
    null_word: int = -1,
) -> np.ndarray: ...
def __getattr__(name: str) -> Any: ...
