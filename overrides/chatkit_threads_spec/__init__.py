"""The one model of the ChatKit Threads OpenAPI document.

This package is the only code of the project that parses ``openapi/chatkit-threads.yaml``
and resolves its ``$ref``s. It gives typed, frozen objects: the operations (method, path,
parameters with their rules, responses, links, fixed headers), the component schemas
(objects, scalars, arrays, discriminated unions with their mappings), and the servers.

- ``load_spec()`` reads the document into a ``Spec``; ``load_document()`` gives the raw
  mapping (for tools that read OpenAPI themselves: schemathesis, linters);
  ``spec_path()`` is where the document is (the checkout's ``openapi/``, or the copy a
  wheel carries).
- ``chatkit_threads_spec.rules``: the one check of a parameter value, for the client
  about to send it and for a server that received it.
- ``chatkit_threads_spec.validate``: the one validator of response bodies.

Pure: it imports neither httpx nor the client, and PyYAML only when it reads YAML.
Hostile documents (YAML alias bombs, deep nesting, non-mappings) are refused with a
``SpecError``.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import SpecError
from ._model import Link, Operation, Parameter, Resource, Response, Spec
from ._schemas import (
    AnySchema,
    ArraySchema,
    ObjectSchema,
    RefSchema,
    ScalarSchema,
    Schema,
    UnionSchema,
)

__all__ = [
    "SPEC_FILE_NAME",
    "AnySchema",
    "ArraySchema",
    "Link",
    "ObjectSchema",
    "Operation",
    "Parameter",
    "RefSchema",
    "Resource",
    "Response",
    "ScalarSchema",
    "Schema",
    "Spec",
    "SpecError",
    "UnionSchema",
    "build_parameter",
    "build_spec",
    "load_document",
    "load_spec",
    "parse_document",
    "python_name",
    "resolve",
    "spec_path",
]

if TYPE_CHECKING:
    from ._build import build_parameter, build_spec
    from ._load import parse_document
    from ._names import python_name
    from ._refs import resolve

# What reading a document needs is imported on first use (PEP 562): the client imports
# this package for the model's classes only, through its generated operation table.
_LAZY = {
    "build_parameter": "._build",
    "build_spec": "._build",
    "parse_document": "._load",
    "python_name": "._names",
    "resolve": "._refs",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


SPEC_FILE_NAME = "chatkit-threads.yaml"
"""The document's file name, in the checkout's ``openapi/`` and in a wheel."""


def spec_path() -> Path:
    """Where the project's OpenAPI document is.

    In a checkout (or an editable install) that is ``openapi/chatkit-threads.yaml``, the
    source of truth; an installed wheel carries a copy of it, made at build time, in this
    package. ``SpecError`` when neither exists.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here.parent.parent / "openapi" / SPEC_FILE_NAME, here / SPEC_FILE_NAME):
        if candidate.is_file():
            return candidate
    raise SpecError(
        f"the OpenAPI document is missing: neither openapi/{SPEC_FILE_NAME} (a checkout) "
        f"nor {here / SPEC_FILE_NAME} (an installed wheel) exists"
    )


def load_document(path: str | Path | None = None) -> dict[str, Any]:
    """The raw parsed document at ``path`` (default: ``spec_path()``), a fresh copy.

    For tools that read OpenAPI themselves; everything else uses ``load_spec``."""
    from ._load import read_document

    return read_document(spec_path() if path is None else path)


def load_spec(path: str | Path | None = None) -> Spec:
    """The model of the document at ``path`` (default: the project's, ``spec_path()``).

    Cached per file (and its modification time and size); ``SpecError`` naming the
    problem when the file cannot be read or used."""
    where = Path(spec_path() if path is None else path)
    try:
        stat = os.stat(where)
    except OSError as error:
        raise SpecError(f"cannot read the spec {where}: {error.strerror or error}") from None
    return _load_cached(str(where), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _load_cached(path: str, mtime_ns: int, size: int) -> Spec:
    from ._build import build_spec
    from ._load import read_document

    document = read_document(path)
    try:
        return build_spec(document)
    except SpecError as error:
        raise SpecError(f"{path}: {error}") from None
