"""The spec model as Python source: how ``scripts/generate`` writes it into the
generated package (``chatkit_threads_api.spec_constants``), so the client has the same
objects as ``load_spec()`` gives, without reading YAML."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ._record import field_defaults

__all__ = ["literal", "model_classes"]


def literal(value: Any) -> str:
    """Source text that evaluates to ``value`` (model objects, tuples, dicts, scalars),
    given the model classes it uses in scope (``model_classes``). Dataclass fields equal
    to their default are left out; the rest are keyword arguments."""
    defaults = field_defaults(value)
    if defaults is not None:
        args = [
            f"{name}={literal(getattr(value, name))}"
            for name, default in defaults.items()
            if default is ... or getattr(value, name) != default
        ]
        return f"{type(value).__name__}({', '.join(args)})"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"no literal for {value!r}")
    if value is None or isinstance(value, bool | int | float | str):
        return repr(value)
    raise TypeError(f"no literal for a {type(value).__name__}: {value!r}")


def model_classes(value: Any) -> set[str]:
    """The names of the model classes ``literal(value)`` uses."""
    found: set[str] = set()
    stack = [value]
    while stack:
        current = stack.pop()
        defaults = field_defaults(current)
        if defaults is not None:
            found.add(type(current).__name__)
            stack.extend(getattr(current, name) for name in defaults)
        elif isinstance(current, Mapping):
            stack.extend(current.keys())
            stack.extend(current.values())
        elif isinstance(current, tuple | list):
            stack.extend(current)
    return found
