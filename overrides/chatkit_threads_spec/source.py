"""The spec model as Python source: how ``scripts/generate`` writes it into the
generated package (``chatkit_threads_api.spec_constants``), so the client has the same
objects as ``load_spec()`` gives, without reading YAML."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

__all__ = ["literal", "model_classes"]


def literal(value: Any) -> str:
    """Source text that evaluates to ``value`` (model objects, tuples, dicts, scalars),
    given the model classes it uses in scope (``model_classes``). Dataclass fields equal
    to their default are left out; the rest are keyword arguments."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        args = []
        for item in dataclasses.fields(value):
            current = getattr(value, item.name)
            if item.default is not dataclasses.MISSING and current == item.default:
                continue
            if (
                item.default_factory is not dataclasses.MISSING
                and current == item.default_factory()
            ):
                continue
            args.append(f"{item.name}={literal(current)}")
        return f"{type(value).__name__}({', '.join(args)})"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if value is None or isinstance(value, bool | int | float | str):
        return repr(value)
    raise TypeError(f"no literal for a {type(value).__name__}: {value!r}")


def model_classes(value: Any) -> set[str]:
    """The names of the model classes ``literal(value)`` uses."""
    found: set[str] = set()
    stack = [value]
    while stack:
        current = stack.pop()
        if dataclasses.is_dataclass(current) and not isinstance(current, type):
            found.add(type(current).__name__)
            stack.extend(getattr(current, f.name) for f in dataclasses.fields(current))
        elif isinstance(current, Mapping):
            stack.extend(current.keys())
            stack.extend(current.values())
        elif isinstance(current, tuple | list):
            stack.extend(current)
    return found
