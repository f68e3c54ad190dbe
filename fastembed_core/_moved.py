"""Module paths of version 0.1, when every module sat in one folder.

``import fastembed_core.word2vec`` (and the other old paths below) still works: it yields the
module at its new place, the same object, with a DeprecationWarning naming that place.
"""

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

OLD_TO_NEW = {
    "word2vec": "models.word2vec",
    "graph": "models.graph",
    "items": "models.items",
    "vocab": "models.vocab",
    "progress": "models.progress",
    "keyedvectors": "vectors.keyedvectors",
    "viz": "vectors.viz",
    "formats": "vectors.formats",
    "native": "io.native",
    "demo": "cli.demo",
}
_PACKAGE = __name__.rpartition(".")[0]


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``fastembed_core.<old>`` and loads it as the module at its new path."""

    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.rpartition(".")
        if package != _PACKAGE or name not in OLD_TO_NEW:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        new = f"{_PACKAGE}.{OLD_TO_NEW[spec.name.rpartition('.')[2]]}"
        warnings.warn(
            f"{spec.name} moved to {new}; import it from there", DeprecationWarning, stacklevel=2
        )
        module = importlib.import_module(new)
        spec.loader_state = module.__spec__  # the import system overwrites it; put it back
        return module

    def exec_module(self, module):
        # The module was executed at its new path already: only its own spec is restored.
        module.__spec__ = module.__spec__.loader_state


if not any(isinstance(f, _Alias) for f in sys.meta_path):
    sys.meta_path.append(_Alias())
