"""The package's shape, checked from its source: imports, layers, private names, module size.

The import graph is built with :mod:`ast` from every ``.py`` file under ``fastembed_core/`` and
from the Python-level ``import`` / ``from ... import`` lines of the ``.pyx`` drivers (``cimport``
lines are C-level and left out). Every import counts, including those inside functions and
under ``if TYPE_CHECKING:``: a deferred import still ties two modules together. Relative
imports are resolved against the importing module's package. An edge goes to the most
specific module an import names: ``from ..io import native`` is an edge to
``fastembed_core.io.native``; ``from ..io.native import MAGIC`` is one too; the packages whose
``__init__`` runs on the way are not counted (a package's ``__init__`` is an edge of its own
only when a name is taken from it, e.g. ``from .. import __version__``). Imports computed at run
time (``importlib.import_module``) are not seen.

The rules:

(a) **No import cycles** between modules. A cycle is reported with the file and line of each
    import along it.

(b) **No private names across modules.** A module never imports an underscore-prefixed name
    from another fastembed_core module (``from ..datasets import _usable_dir``), never imports a
    private module (``import fastembed_core._helpers``), and never reaches a private name
    through a module it imported (``from ..io import word2vec_format as fmt`` then
    ``fmt._read_header``): a private name is free to change with its module, so another module
    must not depend on it. Dunder names (``__version__``) are not private. Exceptions, which
    are package-internal by design: the compiled driver modules ``_kernel``, ``_corpus``,
    ``_phrases``, ``_walks`` and ``_subwords`` (the thin Cython layer between the Python API and the C kernel, whose names the
    models call) and ``_moved`` (the aliases of the old module paths, imported by the package
    ``__init__``). Importing these modules, and any name from them, is allowed.

(c) **Size with a reason.** A module of more than 700 lines (physical lines of the file) states
    why at its top: its module docstring has a line that starts with ``Size:`` followed by the
    reason, e.g. ``Size: one class whose gensim-compatible methods share one set of caches.``

(d) **Layers.** Imports run one way, cli -> distributed -> models -> vectors -> io -> drivers:
    nothing in ``io/`` imports ``vectors``, ``models``, ``distributed`` or ``cli``; nothing in
    ``vectors/`` imports ``models``, ``distributed`` or ``cli``; nothing in ``models/`` imports
    ``distributed`` or ``cli``; nothing in ``distributed/`` (training on a Dask cluster)
    imports ``cli``.

The checker's own tests build small synthetic packages in ``tmp_path`` that break each rule,
so its failures can be seen, and one that keeps every rule.
"""

from __future__ import annotations

import ast
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PACKAGE = "fastembed_core"
SOURCE = Path(__file__).resolve().parents[1] / PACKAGE

MAX_LINES = 700
SIZE_REASON = re.compile(r"^\s*Size:\s*\S")
# Modules whose names other modules may use although they start with an underscore (rule b).
INTERNAL_BY_DESIGN = frozenset({"_kernel", "_corpus", "_phrases", "_walks", "_subwords", "_moved"})
# Subpackage -> subpackages it must not import (rule d).
FORBIDDEN_LAYERS = {
    "io": ("vectors", "models", "distributed", "cli"),
    "vectors": ("models", "distributed", "cli"),
    "models": ("distributed", "cli"),
    "distributed": ("cli",),
}


@dataclass(frozen=True)
class Import:
    """One imported module or name, where it is written."""

    importer: str  # dotted module name
    target: str  # the most specific fastembed_core module the import names
    name: str | None  # the name taken with `from target import name`, when it is no module
    path: Path
    line: int

    def where(self, root: Path) -> str:
        return f"{self.path.relative_to(root.parent)}:{self.line}"


@dataclass
class Module:
    name: str
    path: Path
    is_package: bool
    lines: int
    docstring: str | None = field(repr=False)
    imports: list[Import] = field(default_factory=list, repr=False)
    # private attributes reached through imported modules: (module, attribute, line)
    private_attributes: list[tuple[str, str, int]] = field(default_factory=list, repr=False)


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def module_name(root: Path, package: str, path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(root).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join([package, *parts]), is_package


def resolve_relative(importer: str, is_package: bool, level: int, module: str | None) -> str:
    """The absolute module named by ``from <level dots><module> import ...``."""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    if level > 1:
        if level - 1 > len(base) - 1:
            raise ValueError(f"relative import beyond the top package in {importer}")
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


# Python-level import statements of a .pyx file (cimport is C-level). Parenthesised name lists
# may span lines; they are joined before matching.
_PYX_FROM = re.compile(r"^from\s+(\.*)([\w.]*)\s+import\s+(.+)$")
_PYX_IMPORT = re.compile(r"^import\s+(.+)$")


def _pyx_statements(text: str):
    """(line number, logical line) of each top-level-looking import statement of a .pyx file."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        stripped = lines[i].split("#", 1)[0].strip()
        start = i + 1
        if stripped.startswith(("import ", "from ")) and " cimport " not in f" {stripped} ":
            while "(" in stripped and ")" not in stripped and i + 1 < len(lines):
                i += 1
                stripped += " " + lines[i].split("#", 1)[0].strip()
            yield start, stripped.replace("(", " ").replace(")", " ")
        i += 1


def _pyx_imports(text: str) -> list[ast.stmt]:
    """The .pyx file's Python-level imports as ast nodes, so one resolver handles both kinds."""
    nodes: list[ast.stmt] = []
    for line, statement in _pyx_statements(text):
        match = _PYX_FROM.match(statement)
        if match:
            dots, module, names = match.groups()
            aliases = []
            for item in names.split(","):
                item = item.strip()
                if item:
                    name, _, asname = item.partition(" as ")
                    aliases.append(ast.alias(name.strip(), asname.strip() or None))
            node: ast.stmt = ast.ImportFrom(module or None, aliases, len(dots))
        else:
            match = _PYX_IMPORT.match(statement)
            if not match:
                continue
            aliases = []
            for item in match.group(1).split(","):
                name, _, asname = item.strip().partition(" as ")
                aliases.append(ast.alias(name.strip(), asname.strip() or None))
            node = ast.Import(aliases)
        node.lineno = line
        nodes.append(node)
    return nodes


def _pyx_docstring(text: str) -> str | None:
    match = re.match(r'\s*(?:#[^\n]*\n\s*)*("""|\'\'\')(.*?)\1', text, re.DOTALL)
    return match.group(2) if match else None


def collect(root: Path, package: str = PACKAGE) -> dict[str, Module]:
    """Every module of the package at ``root`` with its imports of the package's own modules."""
    modules: dict[str, Module] = {}
    sources: dict[str, tuple[list[ast.stmt], ast.AST | None]] = {}
    for path in sorted([*root.rglob("*.py"), *root.rglob("*.pyx")]):
        if "__pycache__" in path.parts:
            continue
        name, is_package = module_name(root, package, path)
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".pyx":
            statements, tree, docstring = _pyx_imports(text), None, _pyx_docstring(text)
        else:
            tree = ast.parse(text, filename=str(path))
            statements = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
            docstring = ast.get_docstring(tree)
        modules[name] = Module(name, path, is_package, len(text.splitlines()), docstring)
        sources[name] = (statements, tree)

    def most_specific(dotted: str) -> str | None:
        while dotted and dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    for name, module in modules.items():
        statements, tree = sources[name]
        aliases: dict[str, str] = {}  # local name -> fastembed_core module it is bound to
        for node in statements:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] != package:
                        continue
                    target = most_specific(alias.name)
                    if target is None:
                        continue
                    module.imports.append(Import(name, target, None, module.path, node.lineno))
                    if alias.asname:
                        aliases[alias.asname] = target
                    else:  # `import a.b` binds `a`
                        aliases[alias.name.split(".")[0]] = package
                continue
            assert isinstance(node, ast.ImportFrom)
            if node.level:
                source = resolve_relative(name, module.is_package, node.level, node.module)
            else:
                source = node.module or ""
            if source.split(".")[0] != package:
                continue
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in modules:
                    imported = Import(name, submodule, None, module.path, node.lineno)
                    aliases[alias.asname or alias.name] = submodule
                else:
                    target = most_specific(source)
                    if target is None:
                        continue
                    imported = Import(name, target, alias.name, module.path, node.lineno)
                module.imports.append(imported)
        if tree is not None and aliases:
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id in aliases
                    and is_private(node.attr)
                ):
                    target = aliases[node.value.id]
                    if f"{target}.{node.attr}" not in modules:  # a submodule is checked as one
                        module.private_attributes.append((target, node.attr, node.lineno))
    return modules


def import_graph(modules: dict[str, Module]) -> dict[str, dict[str, Import]]:
    """importer -> {imported module: the first import that makes the edge}."""
    graph: dict[str, dict[str, Import]] = {name: {} for name in modules}
    for name, module in modules.items():
        for imported in sorted(module.imports, key=lambda i: i.line):
            if imported.target != name:
                graph[name].setdefault(imported.target, imported)
    return graph


def strongly_connected(graph: dict[str, dict[str, Import]]) -> list[list[str]]:
    """Tarjan's components, iteratively (no recursion limit to meet on a large package)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(graph[succ]))))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def shortest_cycle(graph: dict[str, dict[str, Import]], members: list[str]) -> list[str]:
    """A shortest cycle through the component's first member, staying inside the component."""
    inside = set(members)
    start = members[0]
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for succ in sorted(graph[node]):
            if succ not in inside:
                continue
            if succ == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if succ not in previous:
                previous[succ] = node
                queue.append(succ)
    raise AssertionError(f"no cycle through {start} in {members}")


def find_cycles(modules: dict[str, Module], root: Path) -> list[str]:
    graph = import_graph(modules)
    problems = []
    for members in strongly_connected(graph):
        if len(members) < 2:
            continue  # self-imports are dropped when the graph is built
        cycle = shortest_cycle(graph, members)
        steps = [f"{a} -> {b} ({graph[a][b].where(root)})" for a, b in zip(cycle, cycle[1:])]
        problems.append(f"import cycle among {', '.join(members)}:\n    " + "\n    ".join(steps))
    return problems


def _internal_by_design(dotted: str) -> bool:
    return any(part in INTERNAL_BY_DESIGN for part in dotted.split(".")[1:])


def find_private_imports(modules: dict[str, Module], root: Path) -> list[str]:
    problems = []
    for module in modules.values():
        for imported in module.imports:
            if imported.target == module.name or _internal_by_design(imported.target):
                continue
            private_module = any(is_private(p) for p in imported.target.split(".")[1:])
            if private_module:
                problems.append(
                    f"{imported.where(root)}: {module.name} imports the private module"
                    f" {imported.target}"
                )
            elif imported.name is not None and is_private(imported.name):
                problems.append(
                    f"{imported.where(root)}: {module.name} imports the private name"
                    f" {imported.name} from {imported.target}"
                )
        for target, attribute, line in module.private_attributes:
            if target != module.name and not _internal_by_design(target):
                where = f"{module.path.relative_to(root.parent)}:{line}"
                problems.append(
                    f"{where}: {module.name} uses the private name {attribute} of {target}"
                )
    return sorted(problems)


def find_oversized(modules: dict[str, Module], root: Path) -> list[str]:
    problems = []
    for module in modules.values():
        if module.lines <= MAX_LINES:
            continue
        docstring = module.docstring or ""
        if not any(SIZE_REASON.match(line) for line in docstring.splitlines()):
            problems.append(
                f"{module.path.relative_to(root.parent)}: {module.lines} lines (over"
                f" {MAX_LINES}) and no 'Size:' line in its docstring saying why"
            )
    return sorted(problems)


def find_layer_violations(modules: dict[str, Module], root: Path, package: str) -> list[str]:
    problems = []
    for module in modules.values():
        parts = module.name.split(".")
        if len(parts) < 2 or parts[1] not in FORBIDDEN_LAYERS:
            continue
        for imported in module.imports:
            target_parts = imported.target.split(".")
            if len(target_parts) >= 2 and target_parts[1] in FORBIDDEN_LAYERS[parts[1]]:
                problems.append(
                    f"{imported.where(root)}: {module.name} ({parts[1]}/) imports"
                    f" {imported.target} ({target_parts[1]}/)"
                )
    return sorted(problems)


def _fail_on(problems: list[str]) -> None:
    if problems:
        pytest.fail(f"{len(problems)} found:\n" + "\n".join(problems), pytrace=False)


# -- the package itself ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def package_modules() -> dict[str, Module]:
    assert (SOURCE / "__init__.py").is_file(), f"package source not found at {SOURCE}"
    modules = collect(SOURCE)
    # The checker must see the package as it is: a broken parser would make every rule pass.
    assert f"{PACKAGE}.models.word2vec" in modules and f"{PACKAGE}._corpus" in modules
    assert any(i.target == f"{PACKAGE}.errors" for i in modules[f"{PACKAGE}._corpus"].imports)
    return modules


def test_no_import_cycles(package_modules):
    problems = find_cycles(package_modules, SOURCE)
    _fail_on(problems)


def test_no_private_names_across_modules(package_modules):
    problems = find_private_imports(package_modules, SOURCE)
    _fail_on(problems)


def test_long_modules_say_why(package_modules):
    problems = find_oversized(package_modules, SOURCE)
    _fail_on(problems)


def test_imports_run_one_way(package_modules):
    problems = find_layer_violations(package_modules, SOURCE, PACKAGE)
    _fail_on(problems)


# -- the checker, on synthetic packages ------------------------------------------------------


def _write_package(root: Path, files: dict[str, str]) -> Path:
    package = root / "pkg"
    for relative, text in files.items():
        path = package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


CLEAN = {
    "__init__.py": '"""Top."""\nfrom .models.train import fit\n__version__ = "1"\n',
    "errors.py": "class Bad(Exception):\n    pass\n",
    "io/__init__.py": "",
    "io/files.py": "from ..errors import Bad\n\n\ndef _helper():\n    return Bad\n",
    "vectors/__init__.py": "",
    "vectors/kv.py": "from ..io import files\nfrom ..io.files import Bad\n",
    "models/__init__.py": "",
    "models/train.py": (
        "from .. import _kernel\n"
        "from .._kernel import run\n"
        "from ..vectors.kv import Bad\n"
        "\n\ndef fit():\n    from ..io import files\n    return run, _kernel._x, files\n"
    ),
    "cli/__init__.py": "",
    "cli/app.py": "from ..models.train import fit\nfrom ..vectors import kv\nfrom .. import __version__\n",
    "_kernel.pyx": (
        '"""Driver."""\nimport numpy as np\nfrom libc.stdint cimport int64_t\n'
        "from .errors import (\n    Bad,\n)\n\ndef run():\n    pass\n"
    ),
}


def test_checker_passes_a_clean_package(tmp_path):
    root = _write_package(tmp_path, CLEAN)
    modules = collect(root, "pkg")
    assert set(modules) == {
        "pkg",
        "pkg.errors",
        "pkg.io",
        "pkg.io.files",
        "pkg.vectors",
        "pkg.vectors.kv",
        "pkg.models",
        "pkg.models.train",
        "pkg.cli",
        "pkg.cli.app",
        "pkg._kernel",
    }
    train = {(i.target, i.name) for i in modules["pkg.models.train"].imports}
    assert train == {
        ("pkg._kernel", None),
        ("pkg._kernel", "run"),
        ("pkg.vectors.kv", "Bad"),
        ("pkg.io.files", None),  # the import inside the function is seen
    }
    # a dunder name is no private name; the package __init__ is a module of its own
    assert ("pkg", "__version__") in {(i.target, i.name) for i in modules["pkg.cli.app"].imports}
    assert [(i.target, i.name, i.line) for i in modules["pkg._kernel"].imports] == [
        ("pkg.errors", "Bad", 4)  # the .pyx's Python-level import, its cimport left out
    ]
    assert {i.target for i in modules["pkg.vectors.kv"].imports} == {"pkg.io.files"}
    assert find_cycles(modules, root) == []
    assert find_private_imports(modules, root) == []
    assert find_oversized(modules, root) == []
    assert find_layer_violations(modules, root, "pkg") == []


def test_checker_reports_a_cycle_with_its_imports(tmp_path):
    files = dict(CLEAN)
    # io imports vectors inside a function: a cycle io.files -> vectors.kv -> io.files
    files["io/files.py"] += "\n\ndef load():\n    from ..vectors.kv import Bad\n    return Bad\n"
    root = _write_package(tmp_path, files)
    problems = find_cycles(collect(root, "pkg"), root)
    assert len(problems) == 1
    assert "pkg.io.files, pkg.vectors.kv" in problems[0]
    assert "pkg.io.files -> pkg.vectors.kv (pkg/io/files.py:9)" in problems[0]
    assert "pkg.vectors.kv -> pkg.io.files (pkg/vectors/kv.py:1)" in problems[0]
    # the same import is a layering violation
    assert find_layer_violations(collect(root, "pkg"), root, "pkg") == [
        "pkg/io/files.py:9: pkg.io.files (io/) imports pkg.vectors.kv (vectors/)"
    ]


def test_checker_reports_a_longer_cycle_of_absolute_and_relative_imports(tmp_path):
    files = dict(CLEAN)
    files["errors.py"] = "import pkg.cli.app\n" + files["errors.py"]  # errors -> cli.app -> ...
    root = _write_package(tmp_path, files)
    problems = find_cycles(collect(root, "pkg"), root)
    assert len(problems) == 1
    assert "pkg.errors -> pkg.cli.app (pkg/errors.py:1)" in problems[0]


def test_checker_reports_private_names(tmp_path):
    files = dict(CLEAN)
    files["vectors/kv.py"] += "from ..io.files import _helper\n"  # a private name
    files["cli/app.py"] += "from ..io import files as f\nf._helper()\n"  # reached through f
    files["models/_util.py"] = "def go():\n    pass\n"
    files["models/train.py"] += "from ._util import go\n"  # a private module
    root = _write_package(tmp_path, files)
    problems = find_private_imports(collect(root, "pkg"), root)
    assert problems == [
        "pkg/cli/app.py:5: pkg.cli.app uses the private name _helper of pkg.io.files",
        "pkg/models/train.py:9: pkg.models.train imports the private module pkg.models._util",
        "pkg/vectors/kv.py:3: pkg.vectors.kv imports the private name _helper from pkg.io.files",
    ]


def test_checker_reports_layer_violations(tmp_path):
    files = dict(CLEAN)
    files["vectors/kv.py"] += "import pkg.models.train as t\n"
    files["models/train.py"] += "from ..cli import app\n"
    root = _write_package(tmp_path, files)
    problems = find_layer_violations(collect(root, "pkg"), root, "pkg")
    assert problems == [
        "pkg/models/train.py:9: pkg.models.train (models/) imports pkg.cli.app (cli/)",
        "pkg/vectors/kv.py:3: pkg.vectors.kv (vectors/) imports pkg.models.train (models/)",
    ]


def test_checker_reports_long_modules_without_a_reason(tmp_path):
    files = dict(CLEAN)
    body = "x = 1\n" * MAX_LINES
    files["io/long.py"] = '"""Long."""\n' + body
    files["io/reasoned.py"] = '"""Long.\n\nSize: one table of cases, kept together.\n"""\n' + body
    files["io/exact.py"] = "x = 1\n" * MAX_LINES  # exactly at the limit
    files["_long.pyx"] = '"""Driver."""\n' + body
    root = _write_package(tmp_path, files)
    problems = find_oversized(collect(root, "pkg"), root)
    assert [p.split(":")[0] for p in problems] == ["pkg/_long.pyx", "pkg/io/long.py"]
    assert "701 lines" in problems[1]


def test_relative_imports_resolve_like_python():
    assert resolve_relative("p.a.b", False, 1, None) == "p.a"
    assert resolve_relative("p.a.b", False, 2, "c") == "p.c"
    assert resolve_relative("p.a", True, 1, "b") == "p.a.b"  # inside p/a/__init__.py
    assert resolve_relative("p.a", True, 2, None) == "p"
    with pytest.raises(ValueError):
        resolve_relative("p.a", False, 3, None)


# -- the suite's own list of slow tests ------------------------------------------------------


def test_every_listed_slow_test_exists():
    """Each entry of conftest.SLOW names a test file and, when given, a test function in it.

    A renamed or moved test would otherwise drop out of the list silently and slow down
    ``pytest -m "not slow"``. (Parametrized cases are checked by their function.)
    """
    from conftest import SLOW, is_listed_slow

    tests = Path(__file__).resolve().parent
    missing = []
    for entry in SLOW:
        path, _, name = entry.partition("::")
        file = tests.parent / path
        if not file.is_file():
            missing.append(f"{entry}: no file {path}")
            continue
        if not name:
            continue
        function = name.split("[")[0].split("::")[-1]
        defined = {
            node.name
            for node in ast.walk(ast.parse(file.read_text(encoding="utf-8")))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        if function not in defined:
            missing.append(f"{entry}: no test {function} in {path}")
    _fail_on(missing)
    # the matching rule: a whole entry, a case of it, or a test in it; never a longer name
    assert is_listed_slow("tests/a.py::test_x", ("tests/a.py::test_x",))
    assert is_listed_slow("tests/a.py::test_x[1]", ("tests/a.py::test_x",))
    assert is_listed_slow("tests/a.py::test_x", ("tests/a.py",))
    assert not is_listed_slow("tests/a.py::test_xy", ("tests/a.py::test_x",))
    assert not is_listed_slow("tests/a.py::test_x[2]", ("tests/a.py::test_x[1]",))


def test_old_cli_names_still_resolve_with_a_warning():
    import fastembed_core.cli as cli
    from fastembed_core.io.vocab_file import read_vocab_file
    from fastembed_core.vectors.kmeans import kmeans_classes

    with pytest.warns(DeprecationWarning, match="moved to fastembed_core.io.vocab_file"):
        assert cli.read_vocab_file is read_vocab_file
    with pytest.warns(DeprecationWarning, match="fastembed_core.vectors.kmeans"):
        assert cli.kmeans_classes is kmeans_classes
    with pytest.raises(AttributeError):
        _ = cli.no_such_name


def test_old_module_paths_are_the_new_modules_with_a_warning():
    import importlib
    import sys

    sys.modules.pop("fastembed_core.keyedvectors", None)
    with pytest.warns(DeprecationWarning, match="moved to fastembed_core.vectors.keyedvectors"):
        old = importlib.import_module("fastembed_core.keyedvectors")
    new = importlib.import_module("fastembed_core.vectors.keyedvectors")
    assert old is new and new.__name__ == "fastembed_core.vectors.keyedvectors"
