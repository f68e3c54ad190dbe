import os
import sys

# Shared oracles and helpers live beside the tests (tests/_reference.py); the package under
# test is always the installed one (pytest runs in importlib mode).
sys.path.insert(0, os.path.dirname(__file__))
