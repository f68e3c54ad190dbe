"""Sphinx configuration of the API reference.

Build (the package's compiled extensions must be built or installed, since autodoc imports
it)::

    sphinx-build -W --keep-going -b html docs docs/_build/html
"""

import fastembed_core

project = "fastembed_core"
author = "the fastembed_core authors"
copyright = "2026, the fastembed_core authors"
version = release = fastembed_core.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
]
exclude_patterns = ["_build"]
templates_path = ["_templates"]

# autosummary writes one page per listed name into docs/generated/ (rebuilt, not kept in git).
autosummary_generate = True
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_typehints = "none"  # the numpydoc sections carry the types

# numpydoc renders the Parameters/Returns/... sections. Class members are documented by
# autodoc (see _templates/autosummary/class.rst), not listed again by numpydoc.
numpydoc_show_class_members = False
# Validation: the checks that catch broken or drifting docstrings, which -W turns into build
# errors: no docstring (GL08) or no summary (SS01); a documented parameter the signature does
# not have (PR02), or one without a type or description (PR05, PR06, PR10); malformed
# sections (GL03, GL05, GL06, GL07, GL09, GL10, RT02, YD01, SA02-SA04). Not checked:
# completeness (every parameter, Returns, See Also and Examples sections on every method;
# many methods describe their arguments in prose, gensim-style) and parameter order (PR03).
numpydoc_validation_checks = {
    "GL03",
    "GL05",
    "GL06",
    "GL07",
    "GL08",
    "GL09",
    "GL10",
    "PR02",
    "PR05",
    "PR06",
    "PR10",
    "SS01",
    "RT02",
    "YD01",
    "SA02",
    "SA03",
    "SA04",
}

html_theme = "alabaster"
