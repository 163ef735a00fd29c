"""Reading the OpenAPI document: bounded, so hostile input is refused, not obeyed.

A YAML document can be small on disk and enormous in memory: anchors and aliases let
a few hundred bytes stand for billions of nodes ("billion laughs"), which whatever
walks the loaded document (schemathesis, jsonschema, this package) then expands. Before
anything is built, the node graph is measured with every alias counted as the copy it
stands for; past the limits the document is refused with a ``SpecError``. Deep nesting
is refused the same way, before Python's recursion limit turns it into a crash.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ._errors import SpecError

__all__ = [
    "MAX_ALIASES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "parse_document",
    "read_document",
]

MAX_BYTES = 16 * 1024 * 1024
"""The largest document read (the project's is ~40 KB; OpenAI's whole API ~2 MB)."""
MAX_NODES = 2_000_000
"""The most nodes a document may stand for, every alias counted as what it repeats."""
MAX_ALIASES = 10_000
"""The most alias uses (``*name``) in one document."""
MAX_DEPTH = 100
"""The deepest nesting of mappings and sequences (this project's document: ~20)."""


def read_document(path: str | Path) -> dict[str, Any]:
    """The document at ``path`` (YAML or JSON), checked to be a bounded mapping."""
    where = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise SpecError(f"cannot read the spec {where}: {error.strerror or error}") from None
    if len(data) > MAX_BYTES:
        raise SpecError(f"{where}: larger than {MAX_BYTES} bytes; not an OpenAPI document")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SpecError(f"{where}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    return parse_document(text, source=where)


def parse_document(text: str, *, source: str = "<string>") -> dict[str, Any]:
    """Parse a document's text (JSON when it starts with ``{``, else YAML); a
    ``SpecError`` naming ``source`` when it is hostile, malformed or not a mapping."""
    if len(text) > MAX_BYTES:
        raise SpecError(f"{source}: larger than {MAX_BYTES} bytes; not an OpenAPI document")
    if text.lstrip().startswith("{"):
        document = _parse_json(text, source)
    else:
        document = _parse_yaml(text, source)
    if not isinstance(document, dict):
        kind = "empty" if document is None else f"a {type(document).__name__}"
        raise SpecError(
            f"{source}: not an OpenAPI document (the top level is {kind}, not a mapping)"
        )
    return document


def _parse_json(text: str, source: str) -> Any:
    try:
        document = json.loads(text)
    except RecursionError:
        raise SpecError(f"{source}: nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as error:
        raise SpecError(f"{source} is not valid JSON: {error}") from None
    _check_depth(document, source)
    return document


def _check_depth(document: Any, source: str) -> None:
    # JSON has no aliases: only the depth can hurt. Iterative, so depth cannot crash it.
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SpecError(f"{source}: nested more than {MAX_DEPTH} levels deep")
        children = node.values() if isinstance(node, dict) else node
        if isinstance(node, dict | list):
            stack.extend((child, depth + 1) for child in children)


def _parse_yaml(text: str, source: str) -> Any:
    # PyYAML is imported here only: the client never reads YAML (its spec data is
    # generated Python), so it does not depend on PyYAML.
    try:
        import yaml
    except ImportError:
        raise SpecError(
            f"{source}: reading a YAML spec needs PyYAML (pip install 'chatkit-threads[mock]')"
        ) from None
    # The C loader when PyYAML has it: the pure-Python one takes most of a load.
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_graph(node, source)
        return loader.construct_document(node)
    except yaml.YAMLError as error:
        raise SpecError(f"{source} is not valid YAML: {error}") from None
    except RecursionError:
        raise SpecError(f"{source}: nested more than {MAX_DEPTH} levels deep") from None
    finally:
        loader.dispose()


def _check_graph(root: Any, source: str) -> None:
    """Refuse a node graph that is too deep, recursive, or stands for too many nodes.

    Every node's expanded size (itself plus its children's, an alias counted in full
    each time it is used) is computed once, depth first, without recursion.
    """
    import yaml

    sizes: dict[int, int] = {}
    seen: dict[int, int] = {}  # id -> how many times the node was reached (aliases)
    # (node, depth, children done?) frames; an "on the path" set finds recursive aliases.
    on_path: set[int] = set()
    stack: list[tuple[Any, int, bool]] = [(root, 1, False)]
    aliases = 0
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node, yaml))
            if sizes[key] > MAX_NODES:
                raise SpecError(
                    f"{source}: stands for more than {MAX_NODES} nodes once its aliases are "
                    "expanded (a YAML alias bomb?); refused"
                )
            continue
        if depth > MAX_DEPTH:
            raise SpecError(f"{source}: nested more than {MAX_DEPTH} levels deep")
        if key in on_path:
            raise SpecError(f"{source}: a YAML alias refers to a node that contains it; refused")
        if key in seen:
            # Already measured (or being measured off this path): an alias use.
            aliases += 1
            if aliases > MAX_ALIASES:
                raise SpecError(
                    f"{source}: more than {MAX_ALIASES} YAML alias uses (an alias bomb?); refused"
                )
            if key in sizes:
                continue
        seen[key] = seen.get(key, 0) + 1
        on_path.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in _children(node, yaml))


def _children(node: Any, yaml: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []
