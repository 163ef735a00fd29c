"""Compatibility names for code that read the spec through the mock (to be removed).

The mock no longer parses the spec: `chatkit_threads_spec` does (`load_spec()` for the
model, `spec_path()` for the document, `validate.problems` for bodies). These three
names remain only for callers that have not switched yet (the CLI's `conformance`
module and a packaging smoke test); nothing in the mock uses them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatkit_threads_spec import load_document, spec_path

__all__ = ["SPEC_PATH", "load_spec", "schema_validator"]

SPEC_PATH: Path = spec_path()
"""Where the project's OpenAPI document is (`chatkit_threads_spec.spec_path()`)."""


def load_spec(path: Path | str | None = None) -> dict[str, Any]:
    """The raw document (`chatkit_threads_spec.load_document`)."""
    return load_document(path)


def schema_validator(
    schema: dict[str, Any], spec: dict[str, Any] | None = None, *, check_formats: bool = False
) -> Any:
    """A jsonschema validator of `schema` whose `#/components/...` resolve in the document.

    For callers that have not moved to `chatkit_threads_spec.validate.problems`.
    """
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    document = spec if spec is not None else load_document()
    root = dict(document, __schema__=schema)
    wrapped = {"$ref": "urn:chatkit-threads#/__schema__"}
    registry: Registry[Any] = Registry().with_resource(
        "urn:chatkit-threads", DRAFT202012.create_resource(root)
    )
    checker = Draft202012Validator.FORMAT_CHECKER if check_formats else None
    return Draft202012Validator(wrapped, registry=registry, format_checker=checker)
