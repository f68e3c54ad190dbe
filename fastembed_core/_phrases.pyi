"""Type stub of the compiled driver _phrases.pyx: its names are not typed yet, so each is Any.

Type checkers cannot read a compiled module; without this stub they find no module here and
flag every import of it.
"""

from typing import Any

def __getattr__(name: str) -> Any: ...
