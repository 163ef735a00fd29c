"""Imports run one way: the hand-written and generated modules, walked together.

Generated code may import the hand-written core; the core imports nothing generated (not
even inside a function): only the façade, the few modules of ``chatkit_threads`` that
assemble the two (``FACADE``), may; the generated package's ``__init__`` imports nothing;
the spec's data loads neither httpx nor the client; and every generated module is imported
by something (nothing generated ships unused).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Source roots of the installed packages: hand-written, then generated.
SOURCES = ("overrides", "mock_server", "contract_tests", "cli", "generated")
GENERATED = "chatkit_threads_api"
CLIENT = "chatkit_threads"
# The façade: the modules of the client package that assemble its core and the generated
# layer, and the only ones of it that may import `chatkit_threads_api`. Kept as small as
# possible (each must need it: see the test below); the package docstring lists the same.
FACADE = frozenset({CLIENT, f"{CLIENT}.types", f"{CLIENT}._client"})
# The generated modules that are the spec's data (built on the pure `chatkit_threads_spec`).
SPEC_DATA = (f"{GENERATED}.spec_constants", f"{GENERATED}.spec_schemas")


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the project's packages."""
    found: dict[str, Path] = {}
    for source in SOURCES:
        for init in sorted((ROOT / source).glob("*/__init__.py")):
            for path in sorted(init.parent.rglob("*.py")):
                parts = path.relative_to(ROOT / source).with_suffix("").parts
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _is_function(node: ast.stmt) -> bool:
    return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)


def _statements(body: list[ast.stmt], *, functions: bool) -> Iterator[ast.stmt]:
    """The statements that run on import (with ``functions``: also those that run later),
    never those under ``if TYPE_CHECKING:``."""
    for node in body:
        yield node
        if isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _statements(node.body, functions=functions)
            yield from _statements(node.orelse, functions=functions)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _statements(block, functions=functions)
            for handler in node.handlers:
                yield from _statements(handler.body, functions=functions)
        elif isinstance(node, ast.With | ast.ClassDef) or (
            functions and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        ):
            yield from _statements(node.body, functions=functions)


def _imported(module: str, *, functions: bool = False) -> set[str]:
    """The project modules ``module`` imports: each one named, with its parent packages
    (importing ``a.b`` runs ``a/__init__`` first) but for the packages ``module`` is in,
    which started initialising before it."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in _statements(tree.body, functions=functions):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    own = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
    found: set[str] = set()
    for name in names:
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            if prefix in MODULES and prefix not in own and prefix != module:
                found.add(prefix)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (its modules in order, the first repeated), if any."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_the_static_imports_of_hand_written_and_generated_modules_have_no_cycle() -> None:
    assert any(name.startswith(GENERATED) for name in MODULES)
    assert "chatkit_threads._operations" in MODULES
    graph = {module: _imported(module) for module in MODULES}
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


def test_the_cycle_finder_names_a_cycle_through_a_parent_package() -> None:
    # What the injected `import chatkit_threads` of the generated __init__ used to make.
    graph = {
        "chatkit_threads": {"chatkit_threads._client"},
        "chatkit_threads._client": {"chatkit_threads_api.client_resources"},
        "chatkit_threads_api.client_resources": {"chatkit_threads"},
    }
    assert _cycle(graph) == [
        "chatkit_threads",
        "chatkit_threads._client",
        "chatkit_threads_api.client_resources",
        "chatkit_threads",
    ]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_a_submodule_import_counts_its_parent_package_but_not_its_own() -> None:
    assert "chatkit_threads" in _imported(f"{GENERATED}.client_resources")
    assert "chatkit_threads" not in _imported("chatkit_threads._client")


def test_the_generated_package_init_imports_nothing() -> None:
    tree = ast.parse(MODULES[GENERATED].read_text(encoding="utf-8"))
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert imports == []


def test_every_generated_module_is_imported_by_some_module() -> None:
    users: dict[str, set[str]] = {}
    for module in MODULES:
        for target in _imported(module, functions=True):
            users.setdefault(target, set()).add(module)
    unused = sorted(
        m for m in MODULES if m.startswith(f"{GENERATED}.") and not users.get(m, set()) - {m}
    )
    assert unused == []


@pytest.mark.parametrize("data", SPEC_DATA)
def test_the_specs_data_loads_neither_httpx_nor_the_client(data: str) -> None:
    assert data in MODULES
    script = f"import sys, json; import {data}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    loaded = set(json.loads(out))
    assert "httpx" not in loaded
    assert not any(_is_client(name) for name in loaded)


def _is_client(module: str) -> bool:
    return module == CLIENT or module.startswith(f"{CLIENT}.")


def _is_generated(name: str) -> bool:
    return name == GENERATED or name.startswith(f"{GENERATED}.")


_IMPORT_FUNCTIONS = frozenset({"import_module", "__import__"})


def _generated_imports(source: str, package: str) -> list[tuple[int, str]]:
    """Every import of a generated module in ``source`` (a module of ``package``), as
    its line and its code: at module level, inside functions and classes, under
    ``TYPE_CHECKING``, and by name through ``importlib.import_module``/``__import__``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = parts[: len(parts) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if called in _IMPORT_FUNCTIONS and isinstance(first, ast.Constant):
                names = [str(first.value)]
        # (Only import statements and calls set names: both carry a line.)
        if any(_is_generated(name) for name in names) and isinstance(node, ast.stmt | ast.expr):
            found.append((node.lineno, ast.unparse(node)))
    return sorted(found)


def _module_generated_imports(module: str) -> list[tuple[int, str]]:
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return _generated_imports(path.read_text(encoding="utf-8"), package)


def test_the_client_core_imports_nothing_generated_even_inside_functions() -> None:
    core = sorted(m for m in MODULES if _is_client(m) and m not in FACADE)
    assert f"{CLIENT}._operations" in core
    offending = [
        f"{module}:{line}: {code}"
        for module in core
        for line, code in _module_generated_imports(module)
    ]
    assert offending == [], (
        f"the core of {CLIENT} imports the generated layer (only the façade "
        f"{sorted(FACADE)} may): " + "; ".join(offending)
    )


def test_every_facade_module_needs_to_be_one() -> None:
    # The façade is kept as small as possible: a module of it that imports nothing
    # generated belongs to the core.
    assert set(MODULES) >= FACADE
    assert [m for m in sorted(FACADE) if not _module_generated_imports(m)] == []


def test_the_core_check_finds_imports_anywhere_and_names_them() -> None:
    source = (
        "import os\n"
        "from typing import TYPE_CHECKING\n"
        "from ._types import UNSET\n"
        "if TYPE_CHECKING:\n"
        f"    from {GENERATED}.client_resources import Threads\n"
        "def parse():\n"
        f"    from {GENERATED}.client_models import SPECS\n"
        "class Client:\n"
        "    def load(self):\n"
        f"        import {GENERATED}.spec_schemas\n"
        "        import importlib\n"
        f"        return importlib.import_module('{GENERATED}.types')\n"
    )
    assert _generated_imports(source, CLIENT) == [
        (5, f"from {GENERATED}.client_resources import Threads"),
        (7, f"from {GENERATED}.client_models import SPECS"),
        (10, f"import {GENERATED}.spec_schemas"),
        (12, f"importlib.import_module('{GENERATED}.types')"),
    ]
    assert _generated_imports(f"from {GENERATED} import spec_constants as s", CLIENT) == [
        (1, f"from {GENERATED} import spec_constants as s")
    ]
    core_only = "from . import _tables\nfrom ._client_base import BaseClient\nimport httpx\n"
    assert _generated_imports(core_only, CLIENT) == []


def test_the_generated_unset_is_the_cores() -> None:
    script = (
        f"from {GENERATED}.types import UNSET, Unset; "
        f"from {CLIENT}._types import UNSET as CORE_UNSET, Unset as CoreUnset; "
        "print(UNSET is CORE_UNSET and Unset is CoreUnset and repr(UNSET))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "UNSET"
