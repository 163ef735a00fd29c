"""Hypothesis strategies for spec-valid response bodies (the client contract's input).

Built with schemathesis' own JSON Schema generator (pinned 4.32.5), so the client is fed
exactly the kind of data the server contract validates against. hypothesis-jsonschema
0.23.1 was tried first and fails on hypothesis 6.170 (`'many' object has no attribute 'more'`).
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs
from hypothesis import strategies as st

from chatkit_threads_spec import RefSchema, load_document, load_spec

from .adapter import build_strategy as build

__all__ = ["MAX_ARRAY_ITEMS", "RESPONSE_SCHEMAS", "response_strategy"]

ERROR = "error"
"""The key of `RESPONSE_SCHEMAS` that names the error envelope's schema."""


def _response_schemas() -> dict[str, str]:
    """The success body schema of each operation of the spec, and the error envelope's."""
    found: dict[str, str] = {}
    for operation in load_spec().operations:
        if operation.response_schema is not None:
            found[operation.operation_id] = operation.response_schema
        for code, response in operation.responses.items():
            if code[0] in "45" and isinstance(response.schema, RefSchema):
                found.setdefault(ERROR, response.schema.name)
    return found


RESPONSE_SCHEMAS = _response_schemas()
"""The success body schema of each operation (from the spec), and the error envelope."""


MAX_ARRAY_ITEMS = 3
"""Longest array generated in a response body (unless the spec asks for more)."""


def _rewrite(node: Any) -> Any:
    # Component references become `$defs` references of a self-contained schema; the
    # `discriminator` keyword is OpenAPI-only and adds nothing `oneOf` does not already say.
    if isinstance(node, dict):
        rewritten = {
            key: value.replace("#/components/schemas/", "#/$defs/")
            if key == "$ref"
            else _rewrite(value)
            for key, value in node.items()
            if key != "discriminator"
        }
        kind = rewritten.get("type")
        if kind == "array" or (isinstance(kind, list) and "array" in kind):
            # Hypothesis spends nearly all of the client suite's time drawing long
            # pages of items with nested arrays; three entries exercise every branch of
            # the parsing of a list (empty, one, several) and, over the examples, every
            # variant. The spec's own bounds still hold: a minItems above the cap wins.
            cap = max(MAX_ARRAY_ITEMS, rewritten.get("minItems", 0))
            rewritten["maxItems"] = min(rewritten.get("maxItems", cap), cap)
        return rewritten
    if isinstance(node, list):
        return [_rewrite(value) for value in node]
    return node


def response_strategy(name: str) -> st.SearchStrategy[Any]:
    """Spec-valid JSON for an operation id (or `error`) of `RESPONSE_SCHEMAS`."""
    # schemathesis' generator reads JSON Schema itself: it gets the raw component schemas.
    definitions = _rewrite(load_document()["components"]["schemas"])
    schema = {"$ref": f"#/$defs/{RESPONSE_SCHEMAS[name]}", "$defs": definitions}
    return build(schema, draft=jsonschema_rs.Draft202012, formats={})
