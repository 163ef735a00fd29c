"""Hypothesis strategies for spec-valid response bodies (the client contract's input).

Built with schemathesis' own JSON Schema generator (pinned 4.32.5), so the client is fed
exactly the kind of data the server contract validates against. hypothesis-jsonschema
0.23.1 was tried first and fails on hypothesis 6.170 (`'many' object has no attribute 'more'`).
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs
from hypothesis import strategies as st

from .adapter import build_strategy as build
from .spec import load_spec

__all__ = ["RESPONSE_SCHEMAS", "response_strategy"]

RESPONSE_SCHEMAS = {
    "listThreads": "ThreadListResource",
    "retrieveThread": "ThreadResource",
    "deleteThread": "DeletedThreadResource",
    "listThreadItems": "ThreadItemListResource",
    "error": "ErrorResponse",
}
"""The 200 body schema of each operation, and the error envelope."""


def _rewrite(node: Any) -> Any:
    # Component references become `$defs` references of a self-contained schema; the
    # `discriminator` keyword is OpenAPI-only and adds nothing `oneOf` does not already say.
    if isinstance(node, dict):
        return {
            key: value.replace("#/components/schemas/", "#/$defs/")
            if key == "$ref"
            else _rewrite(value)
            for key, value in node.items()
            if key != "discriminator"
        }
    if isinstance(node, list):
        return [_rewrite(value) for value in node]
    return node


def response_strategy(name: str) -> st.SearchStrategy[Any]:
    """Spec-valid JSON for an operation id (or `error`) of `RESPONSE_SCHEMAS`."""
    definitions = _rewrite(load_spec()["components"]["schemas"])
    schema = {"$ref": f"#/$defs/{RESPONSE_SCHEMAS[name]}", "$defs": definitions}
    return build(schema, draft=jsonschema_rs.Draft202012, formats={})
