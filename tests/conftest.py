import os
import sys

# Shared oracles and helpers live beside the tests (tests/_reference.py); the package under
# test is always the installed one (pytest runs in importlib mode).
sys.path.insert(0, os.path.dirname(__file__))

# Child Pythons started by tests (`python -c`, `python -m fastembed_core`) would put the
# current folder first on sys.path, and from the checkout's root that is the unbuilt source
# tree. PYTHONSAFEPATH (Python >= 3.11) keeps them on the installed package too.
os.environ["PYTHONSAFEPATH"] = "1"
