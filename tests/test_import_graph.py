"""Imports run one way: the hand-written and generated modules, walked together.

Generated code may import the hand-written core; the core never imports generated code
that imports it back; the generated package's ``__init__`` imports nothing; and every
generated module is imported by something (nothing generated ships unused).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Source roots of the installed packages: hand-written, then generated.
SOURCES = ("overrides", "mock_server", "contract_tests", "cli", "generated")
GENERATED = "chatkit_threads_api"


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


def test_the_specs_data_loads_neither_httpx_nor_the_client() -> None:
    script = (
        f"import sys, json; import {GENERATED}.spec_constants; "
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    loaded = set(json.loads(out))
    assert "httpx" not in loaded
    assert not any(
        name == "chatkit_threads" or name.startswith("chatkit_threads.") for name in loaded
    )


def _reach(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def _is_core(module: str) -> bool:
    return module == "chatkit_threads" or module.startswith("chatkit_threads.")


def test_the_core_reads_only_generated_data_that_does_not_import_the_core() -> None:
    # The client's core may read the spec's facts (spec_constants, built on the pure spec
    # model chatkit_threads_spec) and the generated `Unset`; generated code built on the
    # core (models, resources) it loads lazily.
    graph = {module: _imported(module) for module in MODULES}
    for module in filter(_is_core, MODULES):
        for target in sorted(graph[module]):
            if target.startswith(GENERATED):
                core = sorted(filter(_is_core, _reach(graph, target)))
                assert core == [], f"{module} -> {target} -> {core}"
