"""``python -m fastembed_core``: the same command as the ``fastembed-core`` script."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
