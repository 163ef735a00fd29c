"""Linting the ChatKit Threads OpenAPI document and its examples (`scripts/lint-spec`).

The document is read by the project's spec model package (`chatkit_threads_spec`), never
through the mock server; the examples are validated with jsonschema, which stays where
the spec itself is linted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from chatkit_threads_spec import load_document, resolve, spec_path

__all__ = [
    "SPEC_PATH",
    "iter_examples",
    "lint_spec",
    "load_spec",
    "schema_validator",
]

SPEC_PATH = spec_path()
"""Where the project's OpenAPI document is."""


def load_spec(path: Path | str | None = None) -> dict[str, Any]:
    """The raw document at `path` (default: the project's), a fresh copy."""
    return load_document(path)


def schema_validator(schema: dict[str, Any], spec: dict[str, Any] | None = None) -> Any:
    """A JSON Schema 2020-12 validator for `schema` that resolves `#/components/...`.

    OpenAPI 3.1 schemas are JSON Schema 2020-12, so the stock validator applies once
    local references resolve against the whole document.
    """
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    document = spec if spec is not None else load_document()
    # The schema is placed inside a copy of the document so that both its own
    # `#/components/...` references and the document's resolve.
    root = dict(document, __schema__=schema)
    wrapped = {"$ref": "urn:chatkit-threads#/__schema__"}
    registry: Registry[Any] = Registry().with_resource(
        "urn:chatkit-threads", DRAFT202012.create_resource(root)
    )
    return Draft202012Validator(wrapped, registry=registry)


def iter_examples(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """Yield `(where, schema, example)` for every example in the document."""
    components = spec.get("components", {})

    def from_media(where: str, media: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], Any]]:
        schema = media.get("schema", {})
        if "example" in media:
            yield where, schema, media["example"]
        for name, example in media.get("examples", {}).items():
            yield f"{where} example {name!r}", schema, resolve(spec, example)["value"]

    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for code, response in operation.get("responses", {}).items():
                for ctype, media in resolve(spec, response).get("content", {}).items():
                    yield from from_media(f"{method.upper()} {path} {code} {ctype}", media)
        for operation in [item, *[v for k, v in item.items() if k != "parameters"]]:
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                parameter = resolve(spec, parameter)
                if "example" in parameter:
                    yield (
                        f"{path} parameter {parameter['name']}",
                        parameter["schema"],
                        parameter["example"],
                    )
    for name, response in components.get("responses", {}).items():
        for ctype, media in response.get("content", {}).items():
            yield from from_media(f"components/responses/{name} {ctype}", media)
    for name, schema in components.get("schemas", {}).items():
        if "example" in schema:
            yield f"components/schemas/{name}", schema, schema["example"]
        for index, example in enumerate(schema.get("examples", [])):
            yield f"components/schemas/{name} examples[{index}]", schema, example


def lint_spec(path: Path | str | None = None) -> list[str]:
    """Validate the document and all its examples; return the problems found."""
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    spec = load_spec(path)
    try:
        validate(spec)
    except OpenAPIValidationError as error:
        return [f"invalid OpenAPI document: {error}"]
    problems = []
    seen: set[str] = set()
    for where, schema, example in iter_examples(spec):
        if where in seen:
            continue
        seen.add(where)
        for mismatch in schema_validator(schema, spec).iter_errors(example):
            location = "/".join(str(p) for p in mismatch.absolute_path) or "(root)"
            problems.append(f"{where}: at {location}: {mismatch.message}")
    return problems
