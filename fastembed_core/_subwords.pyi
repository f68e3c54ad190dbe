"""Type stub of the compiled driver _subwords.pyx (fastText's n-gram hashing).

Type checkers cannot read a compiled module; without this stub they find no module here and
flag every import of it.
"""

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

ROW_LIMIT: int

def check_params(min_n: int, max_n: int, bucket: int) -> tuple[int, int, int]: ...
def ft_hash(word: str | bytes) -> int: ...
def ngram_buckets(word: str, min_n: int, max_n: int, bucket: int) -> npt.NDArray[np.uint32]: ...
def subword_table(
    words: Sequence[str], min_n: int, max_n: int, bucket: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32]]: ...
def subword_means(
    vocab_in: npt.NDArray[np.float32],
    ngrams_in: npt.NDArray[np.float32],
    offsets_in: npt.NDArray[np.int64],
    rows_in: npt.NDArray[np.uint32],
) -> npt.NDArray[np.float32]: ...
