"""The ``fastembed-core`` command line (also ``python -m fastembed_core``)."""

from .app import main

__all__ = ["main"]
