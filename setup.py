"""Extension modules only; everything else is declared in pyproject.toml.

Each extension links the plain-C kernel files it needs from ``src/``. No OpenMP, no BLAS and
no ``-march=native``: the wheel must run on any CPU of its architecture, and the fast SIMD
paths are chosen at run time inside the kernel.

``FASTEMBED_DEBUG=1`` builds with Cython bounds checks on and without optimisation, for
running the test suite against a checked build.
"""

import os

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

DEBUG = os.environ.get("FASTEMBED_DEBUG", "") not in ("", "0")


class BuildExt(build_ext):
    """Picks compiler flags by compiler family (MSVC spells them differently)."""

    def build_extensions(self):
        if self.compiler.compiler_type == "msvc":
            flags = ["/Od"] if DEBUG else ["/O2"]
        else:
            flags = ["-O0", "-g"] if DEBUG else ["-O3"]
            flags += ["-fno-strict-aliasing", "-Wno-unused-function"]
        for ext in self.extensions:
            ext.extra_compile_args = flags + list(ext.extra_compile_args)
        super().build_extensions()


def extension(name, sources):
    return Extension(
        name,
        sources=sources,
        include_dirs=["src", numpy.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    )


extensions = [
    extension(
        "fastembed_core._kernel",
        [
            "fastembed_core/_kernel.pyx",
            "src/fe_train.c",
            "src/fe_alloc.c",
            "src/fe_doc2vec.c",
            "src/fe_dm_concat.c",
            "src/fe_sample.c",
            "src/fe_simd.c",
            "src/fe_updates_scalar.c",
            "src/fe_updates_avx2.c",
            "src/fe_updates_avx512.c",
        ],
    ),
    extension(
        "fastembed_core._corpus",
        ["fastembed_core/_corpus.pyx", "src/fe_vocab.c", "src/fe_alloc.c"],
    ),
    extension(
        "fastembed_core._phrases",
        ["fastembed_core/_phrases.pyx", "src/fe_phrases.c", "src/fe_vocab.c", "src/fe_alloc.c"],
    ),
    extension(
        "fastembed_core._walks", ["fastembed_core/_walks.pyx", "src/fe_walk.c", "src/fe_sample.c"]
    ),
    extension("fastembed_core._subwords", ["fastembed_core/_subwords.pyx", "src/fe_subwords.c"]),
]

directives = {
    "language_level": "3",
    "boundscheck": DEBUG,
    "wraparound": DEBUG,
    "initializedcheck": DEBUG,
    "cdivision": not DEBUG,
}

setup(
    ext_modules=cythonize(extensions, compiler_directives=directives),
    cmdclass={"build_ext": BuildExt},
)
