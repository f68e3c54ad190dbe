"""atheris entry point: ``python fuzz/fuzz.py TARGET [libFuzzer options] [CORPUS_DIR ...]``.

TARGET is a name from harnesses.TARGETS. fastembed_core is instrumented for coverage; numpy
and the standard library are not (they only slow the run down). Any exception escaping the
target -- i.e. anything but the reader's documented errors -- is reported by libFuzzer as a
crash, with the input saved under -artifact_prefix.
"""

import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

with atheris.instrument_imports(include=["fastembed_core", "harnesses"]):
    import harnesses


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in harnesses.TARGETS:
        sys.exit(
            f"usage: fuzz.py TARGET [libFuzzer options]; targets: {', '.join(harnesses.TARGETS)}"
        )
    target = harnesses.TARGETS[sys.argv[1]]
    harnesses.quiet_readers()
    atheris.Setup([sys.argv[0]] + sys.argv[2:], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
